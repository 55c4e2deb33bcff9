"""Visible self-checks in a student's notebook: one line per check, never a traceback, and
never an exception that would stop Run All.

    from microlab.selfcheck import check, summary
    check("lab01_quiz", ("shape", lambda: quiz_shape(QUIZ)))   # in a check cell
    summary()                                                   # in the last cells

A check is a callable that raises AssertionError("what was expected, what happened") when it
fails (NotAnswered when the exercise is not done yet). These are the public checks only:
the grader runs more, on its own, when the work is graded.
"""
from __future__ import annotations

from collections.abc import Callable

RESULTS: dict[str, list[tuple[str, str, str]]] = {}  # grade_id -> [(name, status, message)]
MORE = "more checks run when your work is graded"
STATUS = ("PASS", "FAIL", "NOT ANSWERED")


class NotAnswered(AssertionError):
    """The exercise still holds its stub."""


def _run(fn: Callable[[], None]) -> tuple[str, str]:
    try:
        fn()
    except NotAnswered as exc:
        return "NOT ANSWERED", str(exc)
    except AssertionError as exc:
        return "FAIL", str(exc)
    except Exception as exc:  # the student's code failed inside the check: say how, briefly
        return "FAIL", f"your code raised {type(exc).__name__}: {exc}"[:300]
    return "PASS", ""


def check(grade_id: str, *checks: tuple[str, Callable[[], None]]) -> bool:
    rows = []
    for name, fn in checks:
        status, message = _run(fn)
        rows.append((name, status, message))
        if status == "NOT ANSWERED":
            break  # the rest would only repeat it
    RESULTS[grade_id] = rows
    print(f"{grade_id} · visible checks ({MORE}):")
    for name, status, message in rows:
        print(f"  {status:<4}  {name}" + (f": {message}" if message else ""))
    return all(status == "PASS" for _, status, _ in rows)


def summary(exercises: list[str] | None = None) -> str:
    names = exercises or sorted(RESULTS)
    lines = [f"Self-check (visible checks only; {MORE}):"]
    for name in names:
        rows = RESULTS.get(name)
        if rows is None:
            lines.append(f"  ----  {name}: not checked yet: run the exercise and its check cell")
            continue
        worst = next((s for s in ("NOT ANSWERED", "FAIL") if any(r[1] == s for r in rows)), "PASS")
        failed = "; ".join(f"{n}: {m}" for n, s, m in rows if s != "PASS")
        lines.append(f"  {worst:<4}  {name}" + (f": {failed}" if failed else ""))
    text = "\n".join(lines)
    print(text)
    return text
