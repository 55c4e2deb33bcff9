"""The graders of 03, graded: the reference earns full marks, the blank notebook nothing, and
each named wrong answer (submissions_lab03.py) part of its exercise, failing the sub-checks it
should, and the forgeries (patched visible checks, a call that always fails, a breaker that
never calls, a look-alike of pybreaker) nothing. Also: the blank handout runs top to bottom to
its clean-up, saying what is missing; the visible checks pass the reference and fail a
mistake; the answer key stays out of the handout."""
from __future__ import annotations

import assignmentkit as kit
import pytest
from graderkit import grade_batch, leftovers, released
from microlab import Lab
from microlab.visible import lab03 as visible
from microlab_grading import pipeline
from microlab_grading.judge import load_exercises
from submissions_lab03 import CELLS, FORGED, WRONG, submission_of, submissions

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1500)]
A = "03-sync-communication"


@pytest.fixture(scope="module")
def graded(course, tmp_path_factory):
    batch = {"reference": {}, "blank": None} | submissions(pipeline.solution_sources(A, course))
    return grade_batch(course, A, batch, tmp_path_factory.mktemp("g03"),
                       judged_only=(*kit.wrong_ones(batch), "forged-report"))


@pytest.fixture(scope="module")
def exercises(course):
    return {e.grade_id: e for e in load_exercises(course, A)}


def test_the_checks_points_are_the_grade_cells_points(course, exercises):
    kit.points_match(course, A, exercises)


def test_reference_full_blank_zero(graded, exercises):
    kit.reference_full_blank_zero(graded, exercises, full=12)


def test_forgeries_earn_nothing(graded, course, exercises):
    verdict = kit.verdict(course, A, "forged")
    assert set(FORGED) == set(CELLS.values())
    assert graded[0]["forged"].auto_score == 0, {g: e.text() for g, e in verdict.exercises.items()}
    assert leftovers(list(graded[0])) == []


def test_a_forged_report_is_the_students_zero_not_a_grader_failure(graded, course):
    verdict = kit.verdict(course, A, "forged-report")
    assert not verdict.infrastructure_error, verdict.infrastructure_error
    assert graded[0]["forged-report"].auto_score == 0, {g: e.text() for g, e in verdict.exercises.items()}
    reasons = [c.message for e in verdict.exercises.values() for c in e.checks]
    assert any("could not read what your code's run reported" in r for r in reasons), reasons


@pytest.mark.parametrize("wrong", WRONG, ids=[w.name for w in WRONG])
def test_a_wrong_answer_scores_in_between_and_fails_its_checks(graded, course, exercises, wrong):
    kit.wrong_in_between(graded, course, A, exercises, wrong, submission_of(wrong))


@pytest.mark.timeout(400)
def test_the_blank_handout_runs_to_its_cleanup(course, tmp_path, monkeypatch):
    kit.blank_handout_runs(course, A, "lab03", CELLS, tmp_path, monkeypatch)


@pytest.mark.timeout(300)
def test_visible_checks_pass_the_reference_and_catch_a_mistake(course, tmp_path, monkeypatch):
    monkeypatch.setenv("MICROLAB_HOME", str(tmp_path / "home"))
    reference = pipeline.solution_sources(A, course)
    cells = {c.id: c.source for c in released(course, A).cells if c.cell_type == "code"}
    with Lab(backend="local", name="visible03", quiet=True) as lab:
        lab.up("services")
        namespace = {"lab": lab, "ORDER_SERVICE": lab.url("order-service"), "USER_SERVICE": lab.url("user-service")}
        kit.shown("\n".join(["import time", "import requests", cells["lab03_follow_request"], cells["lab03_service_error"],
                          cells["lab03_circuit_open_error"], cells["lab03_retry_definitions"]]), namespace)
        for grade_id, cell in CELLS.items():
            shown = kit.shown(reference[cell] + "\n" + cells[grade_id], namespace)
            assert "PASS" in shown and "FAIL" not in shown and "NOT ANSWERED" not in shown, shown
        wrong = next(w for w in WRONG if w.name == "hard-coded-threshold")
        shown = kit.shown(wrong.source(reference, CELLS) + "\n" + cells[wrong.grade_id], namespace)
        assert "FAIL  opens at failure_threshold and fails fast" in shown, shown


def test_the_answer_key_is_in_the_reference_and_not_in_the_handout(course):
    kit.secrets_stay_out(course, A, visible.__file__)
