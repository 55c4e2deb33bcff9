"""The instructor's pipeline: generate, release, collect, autograde, feedback, export.

Autograding happens in two steps. Each submission is first executed alone in a sandbox
that holds only it, and judged by the grader in processes where no student code ran
(grading.py), up to `jobs` at a time. Then ONE nbgrader autograde run in the real course
records them all, replaying the outputs instead of executing anything and taking each grade
cell's score from the verdict (execution.ReplayExecute, ApplyVerdicts), so the gradebook,
formgrader, feedback and export see an ordinary nbgrader course.
"""
from __future__ import annotations

import os
import shutil
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook, MissingEntry

from microlab.errors import LabError
from microlab_grading import paths
from microlab_grading.collect import Collected, collect
from microlab_grading.nbg import nbgrader
from microlab_grading.results import StudentResult, all_results, export_csv
from microlab_grading import confine
from microlab_grading.grading import Graded, grade_one
from microlab_grading.sandbox import Limits, RunOutcome


@dataclass
class GradingRun:
    assignment: str
    outcomes: list[RunOutcome] = field(default_factory=list)
    results: list[StudentResult] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def infrastructure_errors(self) -> dict[str, str]:
        return {r.student: r.infrastructure_error for r in self.results if r.infrastructure_error}


def generate(assignments: list[str], course: Path | None = None) -> None:
    """source/<a> -> release/<a> (solutions and hidden tests removed) and the gradebook."""
    course = course or paths.course_dir()
    for assignment in assignments:
        nbgrader(["generate_assignment", assignment, "--force"], course)


def release(assignments: list[str], course: Path | None = None,
            notebooks: Path | None = None) -> list[Path]:
    """Publish the student versions into the folder JupyterLab opens (notebooks/)."""
    course = course or paths.course_dir()
    notebooks = notebooks or paths.notebooks_dir(course)
    written = []
    notebooks.mkdir(parents=True, exist_ok=True)
    for assignment in assignments:
        for nb in sorted((course / "release" / assignment).glob("*.ipynb")):
            target = notebooks / nb.name
            target.write_text(normalise(nb.read_text()))
            written.append(target)
    return written


def normalise(text: str) -> str:
    """The released notebook with its trailing newline fixed, so generation is byte-stable."""
    return text.rstrip("\n") + "\n"


def _known(course: Path, assignment: str) -> bool:
    if not (course / "gradebook.db").exists():
        return False
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "microlab") as gb:
        try:
            return bool(gb.find_assignment(assignment).notebooks)
        except MissingEntry:
            return False


def collect_submissions(source: Path, assignment: str, course: Path | None = None) -> Collected:
    return collect(source, assignment, course or paths.course_dir())


def autograde(assignment: str, course: Path | None = None, students: list[str] | None = None,
              jobs: int = 2, limits: Limits | None = None, log=print,
              unsafe_no_sandbox: bool = False) -> GradingRun:
    started = time.monotonic()
    if confine.mechanism() == "none" and not unsafe_no_sandbox:
        raise LabError("no sandbox for student code here: install bubblewrap (Debian: apt install "
                       "bubblewrap) or run as root, or pass --unsafe-no-sandbox to grade with the "
                       "student's code running as you, able to read this course")
    course = course or paths.course_dir()
    limits = limits or Limits()
    if not _known(course, assignment):
        log(f"{assignment}: not in the gradebook yet, generating it first")
        generate([assignment], course)
    submitted = course / "submitted"
    found = sorted(p.parent.name for p in submitted.glob(f"*/{assignment}") if p.is_dir())
    chosen = [s for s in found if students is None or s in students]
    run = GradingRun(assignment)

    replay = Path(tempfile.mkdtemp(prefix="microlab-replay-"))

    def one(student: str) -> Graded:
        graded = grade_one(course, assignment, student, submitted / student / assignment, limits,
                           replay / student / assignment)
        v = graded.verdict
        note = f", INFRASTRUCTURE ERROR: {v.infrastructure_error}" if v.infrastructure_error else ""
        retry = " (after a retry)" if graded.attempts > 1 else ""
        log(f"  {student}: {sum(e.points for e in v.exercises.values()):g} points{retry}, "
            f"ran in {graded.outcome.seconds:.1f} s{note}")
        return graded

    log(f"{assignment}: grading {len(chosen)} submission(s), {jobs} at a time, isolation: "
        f"{confine.mechanism()}")
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        graded = list(pool.map(one, chosen))
    run.outcomes = [g.outcome for g in graded]
    for g in graded:  # written only now, when no submission's code runs any more
        target = replay / g.outcome.student / assignment
        for name, data in g.outcome.notebooks.items():
            (target / name).write_bytes(data)
        g.outcome.notebooks = {}
    try:
        if chosen:
            env = os.environ.copy() | {"MICROLAB_REPLAY_DIR": str(replay)}
            args = ["autograde", assignment, "--force"]
            if students is not None:
                args += ["--CourseDirectory.student_id_exclude=" + ",".join(s for s in found if s not in chosen)]
            nbgrader(args, course, env=env)
            for g in graded:
                g.verdict.save(course / "autograded" / g.outcome.student / assignment)
    finally:
        shutil.rmtree(replay, ignore_errors=True)
    run.results = [r for r in all_results(course, assignment) if r.student in chosen]
    run.seconds = time.monotonic() - started
    return run


def feedback(assignment: str, course: Path | None = None) -> list[Path]:
    """HTML feedback per student (hidden tests' code removed), in feedback/<student>/<a>/."""
    course = course or paths.course_dir()
    nbgrader(["generate_feedback", assignment, "--force"], course)
    return sorted((course / "feedback").glob(f"*/{assignment}/*.html"))


def export(out: Path, assignments: list[str] | None = None, course: Path | None = None) -> int:
    course = course or paths.course_dir()
    return export_csv(course, assignments or paths.assignments(course), out)


def solution_sources(assignment: str, course: Path | None = None) -> dict[str, str]:
    """grade_id -> the source's answer code with the solution markers removed."""
    nb = nbformat.read(paths.source_notebooks(assignment, course)[0], as_version=4)
    found = {}
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution"):
            lines = [l for l in cell.source.splitlines()
                     if l.strip() not in ("### BEGIN SOLUTION", "### END SOLUTION")]
            found[meta["grade_id"]] = "\n".join(lines)
    return found


def fill_answers(student_nb: nbformat.NotebookNode, answers: dict[str, str]) -> nbformat.NotebookNode:
    """A copy of a released notebook with some answer cells replaced (by grade_id)."""
    nb = nbformat.from_dict(student_nb)
    for cell in nb.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if gid in answers:
            cell.source = answers[gid]
    return nb
