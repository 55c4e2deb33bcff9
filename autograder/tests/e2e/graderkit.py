"""Helpers for the grader tests (a module with a unique name: `conftest` is ambiguous when
the whole suite runs)."""
from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat

from microlab import procfs

from microlab_grading import grading, pipeline
from microlab_grading.results import verdict_result
from microlab_grading.sandbox import Limits

# Tight limits keep the hostile infinite loop cheap (it is graded with 01, whose longest cell
# takes a few seconds); the live checks of 03 need room on a loaded 2-core machine.
LIMITS = {"01-monolith": Limits(cell=15, notebook=120)}
DEFAULT_LIMITS = Limits(cell=90, notebook=300)
# Submissions in flight at once: most of a grading is waiting (labs starting, cells sleeping
# through faults), so 4 keep 2 cores busy; 04 and 05 start two JVMs per submission (the
# notebook's broker and the grader's): at 3 their batch took 407 s (load 31), at 2 234 s.
JOBS = {"04-async-messaging": 2, "05-database-per-service": 2, "07-operating-microservices": 2}
DEFAULT_JOBS = 4


def released(course: Path, assignment: str) -> nbformat.NotebookNode:
    return nbformat.read(course / "release" / assignment / f"{assignment}.ipynb", as_version=4)


def grade_batch(course: Path, assignment: str, submissions: dict[str, dict[str, str]], tmp: Path,
                judged_only: tuple[str, ...] = ()):
    """Hand in {student: answers} (reference answers for the rest) and grade them in one run.

    `judged_only` students are judged and not handed in: what a named wrong answer tests is
    the judge's verdict, and its notebook run for the record (a lab, a kernel, the whole
    notebook) would only double the batch's load. The reference, the blank notebook, the
    forgeries and the hostile submissions go all the way through the gradebook."""
    blank = released(course, assignment)
    reference = pipeline.solution_sources(assignment, course)
    inbox, judged = tmp / f"inbox-{assignment}", tmp / f"judged-{assignment}"
    inbox.mkdir()
    for student, answers in submissions.items():
        nb = blank if answers is None else pipeline.fill_answers(blank, reference | answers)
        folder = judged / student if student in judged_only else inbox
        folder.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, folder / (f"{assignment}.ipynb" if student in judged_only else f"{student}.ipynb"))
    handed = sorted(set(submissions) - set(judged_only))
    collected = pipeline.collect_submissions(inbox, assignment, course)
    assert sorted(collected.students) == handed, collected.skipped
    jobs = JOBS.get(assignment, DEFAULT_JOBS)
    with ThreadPoolExecutor(max_workers=max(1, jobs // 2)) as pool:  # beside the batch
        verdicts = [pool.submit(grading.judge, course, assignment, s, judged / s,
                                _verdict_folder(course, assignment, s)) for s in judged_only]
        run = pipeline.autograde(assignment, course, students=handed, jobs=jobs,
                                 limits=LIMITS.get(assignment, DEFAULT_LIMITS))
        verdicts = [v.result() for v in verdicts]
    results = {r.student: r for r in run.results} | {v.student: verdict_result(v) for v in verdicts}
    return results, run


def _verdict_folder(course: Path, assignment: str, student: str) -> Path:
    folder = course / "autograded" / student / assignment
    folder.mkdir(parents=True, exist_ok=True)
    return folder


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
