"""What an instructor sees while a batch is graded: plain lines (the default, and what tests
read), a rich progress bar with a summary table, nothing (quiet) or JSON lines (scripts)."""
from __future__ import annotations

import json
import sys
import time


def score_line(r) -> str:
    if r.infrastructure_error:
        return f"{r.student}: INFRASTRUCTURE ERROR: {r.infrastructure_error}"
    failed = "; ".join(f"{k}: {v}" for k, v in r.failed.items()) or "all checks pass"
    flags = f"  [review: {', '.join(r.flags)}]" if r.flags else ""
    return f"{r.student}: {r.auto_score:g}/{r.auto_max:g}  {failed}"[:300] + flags


class Events:
    """Plain lines through `log`."""

    def __init__(self, log=print):
        self.log = log
        self.failures = 0

    def start(self, assignment: str, total: int, skipped: list[str], jobs: int, isolation: str) -> None:
        again = f", {len(skipped)} already graded (skipped; --force grades them again)" if skipped else ""
        self.log(f"{assignment}: grading {total} submission(s){again}, {jobs} at a time; isolation: {isolation}")

    def done(self, result, graded) -> None:
        self.failures += bool(result.infrastructure_error)
        retry = " (after a retry)" if graded.attempts > 1 else ""
        self.log(f"  {score_line(result)}{retry} ({graded.outcome.seconds:.1f} s run)")

    def finish(self, run) -> None:
        pass


class Quiet(Events):
    def __init__(self):
        super().__init__(lambda _msg: None)


class JsonLines(Events):
    """One JSON object per line: start, each submission, the summary."""

    def __init__(self, out=sys.stdout):
        super().__init__()
        self.out = out

    def _emit(self, **data) -> None:
        self.out.write(json.dumps(data) + "\n")
        self.out.flush()

    def start(self, assignment, total, skipped, jobs, isolation) -> None:
        self._emit(event="start", assignment=assignment, total=total, skipped=skipped, jobs=jobs,
                   isolation=isolation)

    def done(self, result, graded) -> None:
        self._emit(event="graded", student=result.student, score=result.auto_score, max=result.auto_max,
                   failed=result.failed, flags=result.flags, infrastructure_error=result.infrastructure_error,
                   attempts=graded.attempts, seconds=round(graded.outcome.seconds, 1))

    def finish(self, run) -> None:
        self._emit(event="summary", assignment=run.assignment, graded=len(run.outcomes),
                   skipped=len(run.skipped), seconds=round(run.seconds, 1),
                   infrastructure_errors=run.infrastructure_errors,
                   scores={r.student: r.auto_score for r in run.results})


class RichProgress(Events):
    """A bar with done/total, failures so far and an ETA; a line per submission; a table."""

    def __init__(self):
        from rich.console import Console

        self.console = Console()
        super().__init__(self.console.print)
        self.bar = self.task = None
        self.began = time.monotonic()

    def start(self, assignment, total, skipped, jobs, isolation) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        Events.start(self, assignment, total, skipped, jobs, isolation)
        self.bar = Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                            TextColumn("failures: {task.fields[failures]}"), TextColumn("ETA"),
                            TimeRemainingColumn(), console=self.console, transient=False)
        self.task = self.bar.add_task(assignment, total=total, failures=0)
        self.bar.start()

    def done(self, result, graded) -> None:
        Events.done(self, result, graded)
        self.bar.update(self.task, advance=1, failures=self.failures)

    def finish(self, run) -> None:
        from rich.table import Table

        if self.bar is not None:
            self.bar.stop()
        table = Table(title=f"{run.assignment}: {len(run.results)} submission(s) in {run.seconds:.0f} s")
        for column in ("student", "score", "failed checks / problem"):
            table.add_column(column)
        for r in run.results:
            problem = r.infrastructure_error or "; ".join(r.failed) or "-"
            table.add_row(r.student, f"{r.auto_score:g}/{r.auto_max:g}", problem[:80])
        self.console.print(table)
