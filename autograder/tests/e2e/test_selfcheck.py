"""`microlab check NOTEBOOK`: the self-study report, per exercise, naming the hidden checks."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from microlab_grading import paths, pipeline
from grader_submissions import LAB02

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]
STUDENT_NB = paths.notebooks_dir() / "02-decomposition.ipynb"


def check(nb: nbformat.NotebookNode, tmp: Path) -> subprocess.CompletedProcess:
    path = tmp / "02-decomposition.ipynb"
    nbformat.write(nb, path)
    return subprocess.run([sys.executable, "-m", "microlab.cli", "check", str(path)],
                          capture_output=True, text=True, timeout=280)


def test_check_reports_each_exercise_and_says_hidden_checks_exist(tmp_path):
    released = nbformat.read(STUDENT_NB, as_version=4)
    answers = pipeline.solution_sources("02-decomposition")
    wrong = next(s for s in LAB02 if s.name == "order-writes-elsewhere")
    # visible checks only catch shapes; a rule mistake passes them (the hidden checks catch it)
    nb = pipeline.fill_answers(released, answers | wrong.answers | {"lab02_conway_answer": 'CONWAY = "x"'})
    proc = check(nb, tmp_path)
    out = proc.stdout
    assert proc.returncode == 1, out + proc.stderr
    for grade_id in ("lab02_tables", "lab02_endpoints", "lab02_split", "lab02_subdomains"):
        assert f"PASS  {grade_id}" in out, out
    assert "FAIL  lab02_conway" in out and "one letter" in out
    assert "Hidden checks also exist" in out
