"""`microlab check NOTEBOOK`: the self-study report, per exercise, from the visible checks."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from microlab_grading import paths, pipeline

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]
STUDENT_NB = paths.notebooks_dir() / "01-monolith.ipynb"


def check(nb: nbformat.NotebookNode, tmp: Path) -> subprocess.CompletedProcess:
    path = tmp / STUDENT_NB.name
    nbformat.write(nb, path)
    return subprocess.run([sys.executable, "-m", "microlab.cli", "check", str(path)],
                          capture_output=True, text=True, timeout=280)


def test_check_reports_each_exercise_in_a_line_and_never_a_traceback(tmp_path):
    released = nbformat.read(STUDENT_NB, as_version=4)
    blank = check(released, tmp_path)
    assert blank.returncode == 1 and "Traceback" not in blank.stdout + blank.stderr
    assert "NOT ANSWERED" in blank.stdout and "lab01_quiz" in blank.stdout
    answers = pipeline.solution_sources(STUDENT_NB.stem)
    wrong = pipeline.fill_answers(released, answers | {"lab01_tables_answer": 'ORDER_WRITES = {"orders", "carts"}'})
    out = check(wrong, tmp_path).stdout
    assert "FAIL         lab01_written_tables" in out and "carts" in out, out
    assert "PASS         lab01_quiz" in out and "more checks run when your work is graded" in out
    full = check(pipeline.fill_answers(released, answers), tmp_path)
    assert full.returncode == 0, full.stdout
