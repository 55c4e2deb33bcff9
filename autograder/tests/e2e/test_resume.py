"""`microlab grade autograde` killed halfway keeps what it recorded; a rerun grades only the
rest (and says so in its JSON lines), --force grades everything again."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import pytest

from graderkit import leftovers, released
from microlab_grading import containerbox, pipeline, sandbox

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]
A = "01-monolith"
STUDENTS = ["resume-a", "resume-b", "resume-c"]


def _cli(course, *args, **popen):
    env = os.environ | {"MICROLAB_COURSE": str(course)}
    return [sys.executable, "-m", "microlab.cli", "grade", "autograde", A, *args], env


def _recorded(course) -> list[str]:
    return sorted(s for s in STUDENTS if (course / "autograded" / s / A / "verdicts.json").exists())


def _workspaces() -> set[Path]:
    """The notebook runs' workspaces of these students (the grader makes them)."""
    return {p for s in STUDENTS for p in Path(tempfile.gettempdir()).glob(f"{sandbox.WORKSPACE_PREFIX}{s}-*")}


def _json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def test_a_rerun_after_a_crash_halfway_grades_only_the_rest(course, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    answers = pipeline.solution_sources(A, course)
    for student in STUDENTS:
        nbformat.write(pipeline.fill_answers(released(course, A), answers), inbox / f"{student}.ipynb")
    pipeline.collect_submissions(inbox, A, course)
    selected = [arg for s in STUDENTS for arg in ("--student", s)]
    argv, env = _cli(course, *selected, "--jobs", "1", "--json")
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    deadline = time.monotonic() + 600
    while not _recorded(course) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)  # the crash: the grader and everything it started
    proc.wait()
    done = _recorded(course)
    assert 1 <= len(done) < len(STUDENTS), done
    time.sleep(1)
    assert leftovers(STUDENTS) == []
    if containerbox.problem() is None:  # the run's container ends without its grader too
        gone_by = time.monotonic() + 15
        while containerbox.leftovers() and time.monotonic() < gone_by:
            time.sleep(0.5)
        assert containerbox.leftovers() == []

    crashed = _workspaces()
    assert crashed, "the killed grader left no workspace: this test no longer tests the sweep"
    again = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=600)
    assert not crashed & _workspaces(), "the rerun left the killed grader's workspaces behind"
    events = _json_lines(again.stdout)
    start, summary = events[0], events[-1]
    assert start["skipped"] == done and start["total"] == len(STUDENTS) - len(done), start
    graded = [e["student"] for e in events if e["event"] == "graded"]
    assert sorted(graded) == sorted(set(STUDENTS) - set(done))
    assert summary["graded"] == len(graded) and all(e["score"] == e["max"] for e in events if e["event"] == "graded")
    assert sorted(summary["scores"]) == STUDENTS

    argv, env = _cli(course, "--student", done[0], "--json", "--force")  # a finished one, graded again
    forced = _json_lines(subprocess.run(argv, env=env, capture_output=True, text=True, timeout=600).stdout)
    assert forced[0]["total"] == 1 and forced[0]["skipped"] == [] and forced[-1]["graded"] == 1
