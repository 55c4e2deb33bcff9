"""The graders of 03, graded: the reference earns full marks, the blank notebook nothing, and
each named wrong answer (submissions_lab03.py) part of its exercise, failing the sub-checks it
should. Also: the blank handout runs top to bottom to its clean-up, saying what is missing;
the visible checks pass the reference and fail a mistake; the answer key stays out of the
handout."""
from __future__ import annotations

import contextlib
import importlib.util
import io
import time
import uuid
from pathlib import Path

import nbformat
import pytest
from graderkit import grade_batch, leftovers, released
from microlab import Lab
from microlab.visible import lab03 as visible
from microlab_grading import pipeline, sweep
from microlab_grading.judge import load_exercises
from microlab_grading.verdicts import Verdict
from nbclient import NotebookClient
from submissions_lab03 import CELLS, WRONG, submission_of, submissions

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1500)]
A = "03-sync-communication"


@pytest.fixture(scope="module")
def graded(course, tmp_path_factory):
    batch = {"reference": {}, "blank": None} | submissions(pipeline.solution_sources(A, course))
    return grade_batch(course, A, batch, tmp_path_factory.mktemp("g03"))


@pytest.fixture(scope="module")
def exercises(course):
    return {e.grade_id: e for e in load_exercises(course, A)}


def _verdict(course, student):
    return Verdict.load(course / "autograded" / student / A)


def test_the_checks_points_are_the_grade_cells_points(course, exercises):
    cells = {c.metadata["nbgrader"]["grade_id"]: c.metadata["nbgrader"]["points"]
             for c in released(course, A).cells if c.metadata.get("nbgrader", {}).get("grade")}
    assert cells == {g: e.points for g, e in exercises.items()}


def test_reference_full_blank_zero(graded, exercises):
    results, run = graded
    full = sum(e.points for e in exercises.values())
    assert full == 12
    assert results["reference"].auto_score == full == results["reference"].auto_max, results["reference"].failed
    assert results["blank"].auto_score == 0
    assert all("not answered" in results["blank"].failed[g] for g in exercises)
    assert not run.infrastructure_errors
    assert leftovers() == []


@pytest.mark.parametrize("wrong", WRONG, ids=[w.name for w in WRONG])
def test_a_wrong_answer_scores_in_between_and_fails_its_checks(graded, course, exercises, wrong):
    student = submission_of(wrong)
    result = graded[0][student]
    verdict = _verdict(course, student).exercises[wrong.grade_id]
    assert 0 < verdict.points < exercises[wrong.grade_id].points, verdict.text()
    for name in wrong.fails:
        assert f"{name}:" in result.failed[wrong.grade_id], result.failed[wrong.grade_id]
    failed = {c.name for c in verdict.checks if not c.passed}
    assert set(wrong.fails) == failed if wrong.only else set(wrong.fails) <= failed, verdict.text()
    # a failure is the student's, told as such; never the grader unable to read what happened
    assert not any("could not use your answer" in c.message for c in verdict.checks), verdict.text()
    assert result.auto_score == sum(_verdict(course, student).exercises[g].points for g in exercises)


def _run_notebook(nb, tmp_path, monkeypatch) -> nbformat.NotebookNode:
    """Run All in a real kernel, the way a student does; nothing may be left running after."""
    token = uuid.uuid4().hex
    monkeypatch.setenv("MICROLAB_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("MICROLAB_BACKEND", "local")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.setenv(sweep.MARKER, token)
    try:
        NotebookClient(nb, timeout=180, kernel_name="python3",
                       resources={"metadata": {"path": str(tmp_path)}}).execute()
        deadline = time.monotonic() + 10  # the kernel takes a moment to exit
        while sweep.survivors(token) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert sweep.survivors(token) == [], "the lab is still running after the clean-up cell"
    finally:
        sweep.stop_marked(token)
    return nb


def _output(nb, cell_id: str) -> str:
    cell = next(c for c in nb.cells if c.get("id") == cell_id)
    return "".join(o.get("text", "") for o in cell.outputs)


@pytest.mark.timeout(400)
def test_the_blank_handout_runs_to_its_cleanup(course, tmp_path, monkeypatch):
    nb = _run_notebook(released(course, A), tmp_path, monkeypatch)
    errors = [(c.id, o.ename, o.evalue) for c in nb.cells if c.cell_type == "code"
              for o in c.outputs if o.output_type == "error"]
    assert not errors, errors
    warned = [c.id for c in nb.cells if c.cell_type == "code" for o in c.outputs
              if o.get("name") == "stderr" and "Warning" in o.get("text", "")]
    assert not warned, f"the student sees warnings in {warned}"
    summary = _output(nb, "lab03_self_check")
    for grade_id in CELLS:
        assert f"NOT ANSWERED  {grade_id}" in summary, summary
    assert all(c.get("execution_count") for c in nb.cells if c.cell_type == "code")


def _shown(code: str, namespace: dict) -> str:
    """What running `code` in the student's namespace prints (a notebook cell, here)."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(code, namespace)  # noqa: S102 (the notebook's own cells)
    return out.getvalue()


@pytest.mark.timeout(300)
def test_visible_checks_pass_the_reference_and_catch_a_mistake(course, tmp_path, monkeypatch):
    monkeypatch.setenv("MICROLAB_HOME", str(tmp_path / "home"))
    reference = pipeline.solution_sources(A, course)
    cells = {c.id: c.source for c in released(course, A).cells if c.cell_type == "code"}
    with Lab(backend="local", name="visible03", quiet=True) as lab:
        lab.up("services")
        namespace = {"lab": lab, "ORDER_SERVICE": lab.url("order-service"), "USER_SERVICE": lab.url("user-service")}
        _shown("\n".join(["import time", "import requests", cells["lab03_follow_request"], cells["lab03_service_error"],
                          cells["lab03_circuit_open_error"], cells["lab03_retry_definitions"]]), namespace)
        for grade_id, cell in CELLS.items():
            shown = _shown(reference[cell] + "\n" + cells[grade_id], namespace)
            assert "PASS" in shown and "FAIL" not in shown and "NOT ANSWERED" not in shown, shown
        wrong = next(w for w in WRONG if w.name == "hard-coded-threshold")
        shown = _shown(wrong.source(reference) + "\n" + cells[wrong.grade_id], namespace)
        assert "FAIL  opens at failure_threshold and fails fast" in shown, shown


def test_the_answer_key_is_in_the_reference_and_not_in_the_handout(course):
    spec = importlib.util.spec_from_file_location("checks03", course / "checks" / f"{A}.py")
    checks = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(checks)
    reference = "\n".join(pipeline.solution_sources(A, course).values())
    handout = "\n".join(c.source for c in released(course, A).cells) + Path(visible.__file__).read_text()
    for secret in checks.SECRETS:
        assert secret in reference and secret not in handout, secret
