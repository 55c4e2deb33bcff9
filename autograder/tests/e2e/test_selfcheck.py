"""`microlab check NOTEBOOK` (the self-study report from the visible checks, per exercise)
and `microlab solutions NOTEBOOK` (the instructor's reference solutions, full repo only)."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from microlab_grading import paths, pipeline

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]
STUDENT_NB = paths.notebooks_dir() / "01-monolith.ipynb"


def microlab(*argv: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "MICROLAB_COURSE"}  # the course is found from cwd
    return subprocess.run([sys.executable, "-m", "microlab.cli", *argv], capture_output=True, text=True,
                          timeout=280, cwd=cwd, env=env)


def check(nb: nbformat.NotebookNode, tmp: Path) -> subprocess.CompletedProcess:
    path = tmp / STUDENT_NB.name
    nbformat.write(nb, path)
    return microlab("check", str(path))


def status(out: str, grade_id: str) -> str:
    """The status the report gives one exercise (PASS, FAIL, NOT ANSWERED, ...)."""
    found = re.search(rf"^  ([A-Z][A-Z ]*?) +{grade_id} \(", out, re.M)
    assert found, f"no line for {grade_id} in:\n{out}"
    return found.group(1)


def grade_cells(nb) -> dict[str, str]:
    return {c.metadata.nbgrader.grade_id: c.cell_type for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")}


@pytest.fixture(scope="module")
def released() -> nbformat.NotebookNode:
    return nbformat.read(STUDENT_NB, as_version=4)


def test_a_blank_notebook_is_not_answered_everywhere_and_never_a_traceback(released, tmp_path):
    blank = check(released, tmp_path)
    assert blank.returncode == 1 and "Traceback" not in blank.stdout + blank.stderr, blank.stdout + blank.stderr
    for grade_id, kind in grade_cells(released).items():
        assert status(blank.stdout, grade_id) == ("NOT ANSWERED" if kind == "code" else "BY HAND")
    assert "more checks run when your work is graded" in blank.stdout


def test_a_wrong_answer_fails_and_a_cell_error_is_named_by_its_number(released, tmp_path):
    answers = pipeline.solution_sources(STUDENT_NB.stem)
    nb = pipeline.fill_answers(released, answers | {"lab01_tables_answer": 'ORDER_WRITES = {"orders", "carts"}'})
    broken_at = next(i for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("grade_id") == "lab01_quiz")
    nb.cells.insert(broken_at + 1, nbformat.v4.new_code_cell('raise ValueError("an experiment of mine")'))
    proc = check(nb, tmp_path)
    out = proc.stdout
    assert proc.returncode == 1 and "Traceback" not in out + proc.stderr, out + proc.stderr
    assert status(out, "lab01_written_tables") == "FAIL" and "carts" in out, out
    assert status(out, "lab01_quiz") == "PASS"
    assert f"cell {broken_at + 2} raised ValueError: an experiment of mine" in out, out
    assert len(out.splitlines()) <= 2 + 2 * len(grade_cells(released)) + 1, "a line or two per exercise"


def test_the_reference_answers_pass_every_visible_check(released, tmp_path):
    full = check(pipeline.fill_answers(released, pipeline.solution_sources(STUDENT_NB.stem)), tmp_path)
    assert full.returncode == 0, full.stdout + full.stderr


def test_solutions_prints_the_instructors_solutions_from_the_course_source():
    answers = pipeline.solution_sources("03-sync-communication")
    proc = microlab("solutions", "notebooks/03-sync-communication.ipynb", cwd=paths.course_dir().parent)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("# The INSTRUCTOR'S REFERENCE SOLUTIONS of 03-sync-communication")
    for grade_id, source in answers.items():
        assert f"# ---- {grade_id} (instructor's solution) ----\n{source}\n" in proc.stdout


def test_solutions_refuses_where_there_is_no_course(tmp_path):
    proc = microlab("solutions", "01-monolith", cwd=tmp_path)
    assert proc.returncode != 0 and "no course here" in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.timeout(600)
def test_check_reports_every_exercise_of_a_notebook_with_live_labs_and_deployed_code(tmp_path):
    """04 starts Kafka, deploys consumers and writes a file from a cell: the report still has
    a line per exercise, the blank ones not answered, and no traceback."""
    nb = nbformat.read(paths.notebooks_dir() / "04-async-messaging.ipynb", as_version=4)
    path = tmp_path / "04-async-messaging.ipynb"
    nbformat.write(nb, path)
    proc = microlab("check", str(path), cwd=paths.course_dir().parent)
    assert proc.returncode == 1 and "Traceback" not in proc.stdout + proc.stderr, proc.stdout + proc.stderr
    for grade_id in grade_cells(nb):
        assert status(proc.stdout, grade_id) == "NOT ANSWERED", proc.stdout
