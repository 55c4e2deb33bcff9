"""One submission, graded: executed for the record in the sandbox, then judged.

The two steps never share a process: the executed notebook is evidence for the instructor
(outputs, formgrader, feedback), the verdict comes from judge.py, which reads the submitted
answer cells' source. A failure of the machinery (the notebook's own lab set-up, a runner
or judge crash, the grader's lab) is retried once and then reported as an infrastructure
error, never as the student's zero.
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import nbformat

from microlab_grading import confine
from microlab_grading.cells import setup_cells
from microlab_grading.sandbox import Limits, RunOutcome, run_isolated
from microlab_grading.verdicts import Verdict

JUDGE_SLACK = 300  # seconds for the grader's own labs and every check of one submission


@dataclass
class Graded:
    outcome: RunOutcome
    verdict: Verdict
    attempts: int


def grade_one(course: Path, assignment: str, student: str, submission: Path, limits: Limits,
              out: Path) -> Graded:
    """The record run and the verdict at the same time: they share nothing (the judge reads
    the submitted source, never the run's outputs), and each mostly waits (on its lab, a
    kernel, a student's cells sleeping through a fault), so together they take about as
    long as the longer one. What failed for the machinery is tried once more."""
    outcome = verdict = None
    for attempt in (1, 2):
        with ThreadPoolExecutor(max_workers=2) as both:
            run = both.submit(run_isolated, course, assignment, student, submission, limits) \
                if outcome is None or notebook_problem(outcome) else None
            if verdict is None or verdict.infrastructure_error:
                verdict = judge(course, assignment, student, submission, out)
            outcome = run.result() if run is not None else outcome
        problem = verdict.infrastructure_error or notebook_problem(outcome)
        if not problem:
            break
    verdict.infrastructure_error = problem
    verdict.save(out)
    return Graded(outcome, verdict, attempt)


def judge(course: Path, assignment: str, student: str, submission: Path, out: Path) -> Verdict:
    notebook = next(iter(sorted(submission.glob("*.ipynb"))), None)
    if notebook is None:
        return Verdict(student, assignment, infrastructure_error="the submission holds no notebook")
    with tempfile.TemporaryDirectory(prefix="microlab-judge-") as home:
        env = os.environ | {"MICROLAB_HOME": home, "MICROLAB_BACKEND": "local"}
        argv = [*confine.judge_prefix(), sys.executable, "-I", "-m", "microlab_grading.judge", str(course),
                assignment, student, str(notebook), str(out)]
        try:
            proc = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=JUDGE_SLACK)
        except subprocess.TimeoutExpired:
            return Verdict(student, assignment, infrastructure_error=f"the grader took over {JUDGE_SLACK} s")
    verdict = Verdict.load(out)
    if verdict is None or proc.returncode != 0:
        tail = " ".join((proc.stderr or "").splitlines()[-3:])
        return Verdict(student, assignment, infrastructure_error=f"the grader crashed: {tail}")
    return verdict


def notebook_problem(outcome: RunOutcome) -> str:
    """A failure of the notebook run that is not the student's: its locked set-up (the cells
    before the first answer cell, which start the lab) failed, or the runner broke before
    any student code ran. A timeout or a crash in the student's own cells stays theirs."""
    if not outcome.notebooks:
        return "" if outcome.reason.startswith("timeout") else f"the notebook run failed: {outcome.reason}"
    nb = nbformat.reads(next(iter(outcome.notebooks.values())).decode(), as_version=4)
    for cell in setup_cells(nb):
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        if errors:
            return f"the notebook's set-up failed before any answer ran: {errors[-1].ename}: {errors[-1].evalue}"[:500]
        if cell.get("execution_count") is None and outcome.reason:
            return f"the notebook's set-up did not run: {outcome.reason}"[:500]
    return ""
