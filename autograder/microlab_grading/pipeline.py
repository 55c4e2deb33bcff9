"""The instructor's pipeline: generate, release, collect, autograde, feedback, export.

Autograding happens in two steps per submission, up to `jobs` submissions at a time. Each
one is executed alone in a sandbox that holds only it, and judged by the grader in
processes where no student code ran (grading.py). As soon as it is done, one long-lived
nbgrader (record.py) records it in the real course, replaying the outputs instead of
executing anything and taking each grade cell's score from the verdict
(execution.ReplayExecute, ApplyVerdicts), so the gradebook, formgrader, feedback and export
see an ordinary nbgrader course, and a batch that crashes halfway keeps what was done.
"""
from __future__ import annotations

import os
import shutil
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook, MissingEntry

from microlab.errors import LabError
from microlab_grading import paths
from microlab_grading.collect import Collected, collect
from microlab_grading.nbg import nbgrader
from microlab_grading import confine, sandbox
from microlab_grading.events import Events
from microlab_grading.grading import Graded, grade_one
from microlab_grading.record import Recorder
from microlab_grading.results import StudentResult, all_results, export_csv, student_result
from microlab_grading.sandbox import Limits, RunOutcome
from microlab_grading.verdicts import Verdict


@dataclass
class GradingRun:
    assignment: str
    outcomes: list[RunOutcome] = field(default_factory=list)
    results: list[StudentResult] = field(default_factory=list)
    seconds: float = 0.0
    skipped: list[str] = field(default_factory=list)  # graded by an earlier run (no --force)
    isolation: str = ""  # what confined the students' code (sandbox.describe())

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


def default_jobs() -> int:
    """What the machine can take. A submission in flight mostly waits (its cells sleep
    through injected faults, its labs start), so three per core keep the cores busy: 03 on
    2 cores, 12 submissions, measured in one session: --jobs 2 18.3 s per submission, 4 13.1,
    6 11.7 (load 8, the cores full). Each one in flight holds about 1 GB at its peak (its
    notebook's lab and kernel, the grader's lab)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    try:
        free_gb = os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") / 1024 ** 3
    except (ValueError, OSError):
        free_gb = 4.0
    return max(1, min(3 * cores, int(free_gb)))


def finished(course: Path, assignment: str, student: str) -> bool:
    """Graded and recorded (a verdict with no infrastructure error, newer than the submission)."""
    path = course / "autograded" / student / assignment / "verdicts.json"
    submitted = list((course / "submitted" / student / assignment).glob("*.ipynb"))
    if not path.exists() or not submitted:
        return False
    verdict = Verdict.load(path.parent)
    return verdict is not None and not verdict.infrastructure_error and \
        path.stat().st_mtime >= max(p.stat().st_mtime for p in submitted)


def autograde(assignment: str, course: Path | None = None, students: list[str] | None = None,
              jobs: int | None = None, limits: Limits | None = None, log=print,
              unsafe_no_sandbox: bool = False, force: bool = False, events: Events | None = None) -> GradingRun:
    """Grade every submission of `assignment` not graded yet (all with `force`), `jobs` at a
    time; each one is in the gradebook as soon as it is graded."""
    started = time.monotonic()
    if confine.mechanism() == "none" and not unsafe_no_sandbox:
        raise LabError("no sandbox for student code here: bubblewrap is missing or cannot create "
                       "namespaces (Debian: apt install bubblewrap; in a container it needs the right "
                       "to create them), and without root there is no unprivileged user to drop to. "
                       "Pass --unsafe-no-sandbox to grade with the students' code running as you, "
                       "able to read this course and reach every port of this machine")
    course = course or paths.course_dir()
    sandbox.sweep_workspaces()  # what a grader killed mid-run (see resume) left in the temp dir
    limits, jobs = limits or Limits(), jobs or default_jobs()
    events = events or Events(log)
    if not _known(course, assignment):
        log(f"{assignment}: not in the gradebook yet, generating it first")
        generate([assignment], course)
    submitted = course / "submitted"
    found = sorted(p.parent.name for p in submitted.glob(f"*/{assignment}") if p.is_dir())
    chosen = [s for s in found if students is None or s in students]
    run = GradingRun(assignment, isolation=sandbox.describe())
    run.skipped = [s for s in chosen if not force and finished(course, assignment, s)]
    pending = [s for s in chosen if s not in run.skipped]
    events.start(assignment, len(pending), run.skipped, jobs, run.isolation)
    if pending:
        _grade_all(course, assignment, pending, jobs, limits, events, run)
    run.results = [r for r in all_results(course, assignment) if r.student in chosen]
    run.seconds = time.monotonic() - started
    events.finish(run)
    return run


def _grade_all(course: Path, assignment: str, pending: list[str], jobs: int, limits: Limits,
               events: Events, run: GradingRun) -> None:
    replay = Path(tempfile.mkdtemp(prefix="microlab-replay-"))
    recorder = Recorder(course, assignment, replay)
    submitted = course / "submitted"
    try:
        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            futures = {pool.submit(grade_one, course, assignment, s, submitted / s / assignment, limits,
                                   replay / s / assignment): s for s in pending}
            for future in as_completed(futures):
                graded = future.result()
                run.outcomes.append(graded.outcome)
                events.done(_record(course, assignment, graded, replay, recorder), graded)
    finally:
        recorder.close()
        shutil.rmtree(replay, ignore_errors=True)


def _record(course: Path, assignment: str, graded: Graded, replay: Path, recorder: Recorder) -> StudentResult:
    """Into the gradebook now: the submission's sandbox has ended, nothing of it runs."""
    student = graded.outcome.student
    target = replay / student / assignment
    for name, data in graded.outcome.notebooks.items():
        (target / name).write_bytes(data)
    graded.outcome.notebooks = {}
    problem = recorder.record(student)
    if problem:
        graded.verdict.infrastructure_error = f"recording in the gradebook failed: {problem}"
    graded.verdict.save(course / "autograded" / student / assignment)
    return student_result(course, assignment, student)


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
