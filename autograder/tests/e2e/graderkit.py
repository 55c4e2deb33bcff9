"""Helpers for the grader tests (a module with a unique name: `conftest` is ambiguous when
the whole suite runs)."""
from __future__ import annotations

import os
from pathlib import Path

import nbformat

from microlab import procfs

from microlab_grading import pipeline
from microlab_grading.sandbox import Limits

# Tight limits keep the hostile infinite loop cheap (it is graded with 01, whose longest cell
# takes a few seconds); the live checks of 03 need room on a loaded 2-core machine.
LIMITS = {"01-monolith": Limits(cell=15, notebook=120)}
DEFAULT_LIMITS = Limits(cell=90, notebook=300)
# Submissions in flight at once: most of a grading is waiting (labs starting, cells sleeping
# through faults), so 4 keep 2 cores busy; 04 and 05 start two JVMs per submission (the
# notebook's broker and the grader's): at 3 their batch took 407 s (load 31), at 2 234 s.
JOBS = {"04-async-messaging": 2, "05-database-per-service": 2}
DEFAULT_JOBS = 4


def released(course: Path, assignment: str) -> nbformat.NotebookNode:
    return nbformat.read(course / "release" / assignment / f"{assignment}.ipynb", as_version=4)


def grade_batch(course: Path, assignment: str, submissions: dict[str, dict[str, str]], tmp: Path):
    """Hand in {student: answers} (reference answers for the rest) and grade them in one run."""
    blank = released(course, assignment)
    reference = pipeline.solution_sources(assignment, course)
    inbox = tmp / f"inbox-{assignment}"
    inbox.mkdir()
    for student, answers in submissions.items():
        nb = blank if answers is None else pipeline.fill_answers(blank, reference | answers)
        nbformat.write(nb, inbox / f"{student}.ipynb")
    collected = pipeline.collect_submissions(inbox, assignment, course)
    assert sorted(collected.students) == sorted(submissions), collected.skipped
    run = pipeline.autograde(assignment, course, students=sorted(submissions),
                               jobs=JOBS.get(assignment, DEFAULT_JOBS),
                               limits=LIMITS.get(assignment, DEFAULT_LIMITS))
    return {r.student: r for r in run.results}, run


def leftovers(students: list[str] | None = None) -> list[int]:
    """Processes still carrying a grading sandbox's environment (of these students' runs
    only, when given: other grader tests may be running on the same machine)."""
    needles = [f"microlab-grade-{w}{s}-".encode() for s in students for w in ("", "judge-")] \
        if students else [b"microlab-grade-"]
    return [pid for pid in procfs.pids()
            if any(n in entry for entry in procfs.environ(pid) for n in needles)]


def live_with(text: str) -> list[int]:
    """Processes whose command line contains `text` (whatever their environment)."""
    found = []
    for pid in procfs.pids():
        try:
            cmdline = open(f"/proc/{pid}/cmdline", "rb").read().replace(b"\0", b" ")
        except OSError:
            continue
        if text.encode() in cmdline and pid != os.getpid():
            found.append(pid)
    return found
