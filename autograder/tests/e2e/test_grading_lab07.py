"""The graders of 07, graded: the reference earns full marks, the blank notebook nothing, each
named wrong answer (submissions_lab07.py) part of its exercise, failing the sub-checks it
should, and the forgeries (a diagnosis that asks the services' admin API, a trace built on
microlab's own tracer, a greeting that never calls user-service) nothing. Also: the blank
handout runs to its clean-up, saying what is missing; the visible checks pass the reference
and fail a mistake; the answer key stays out of the handout; the written answer carries its
rubric in the source notebook only."""
from __future__ import annotations

import time

import assignmentkit as kit
import pytest
from graderkit import grade_batch, leftovers, released
from microlab import Lab
from microlab.visible import lab07 as visible
from microlab_grading import pipeline
from microlab_grading.judge import load_exercises
from submissions_lab07 import CELLS, FORGERIES, WRONG, submission_of, submissions

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]
A = "07-operating-microservices"
WRITTEN = "lab07_when_not"


@pytest.fixture(scope="module")
def graded(course, tmp_path_factory):
    batch = {"reference": {}, "blank": None} | submissions(pipeline.solution_sources(A, course))
    started = time.monotonic()
    outcome = grade_batch(course, A, batch, tmp_path_factory.mktemp("g07"), judged_only=kit.wrong_ones(batch))
    took = time.monotonic() - started
    print(f"\n07 graded {len(batch)} submissions in {took:.0f} s: {took / len(batch):.0f} s per submission")
    return outcome


@pytest.fixture(scope="module")
def exercises(course):
    return {e.grade_id: e for e in load_exercises(course, A)}


def test_the_checks_points_are_the_grade_cells_points(course, exercises):
    kit.points_match(course, A, exercises, by_hand={WRITTEN: 3})


def test_reference_full_blank_zero(graded, exercises):
    kit.reference_full_blank_zero(graded, exercises, full=10)


def test_forgeries_earn_nothing(graded, course, exercises):
    verdict = kit.verdict(course, A, next(iter(FORGERIES)))
    assert set(FORGERIES["forged"]) == set(CELLS.values())
    assert graded[0]["forged"].auto_score == 0, {g: e.text() for g, e in verdict.exercises.items()}
    assert leftovers(list(graded[0])) == []


@pytest.mark.parametrize("wrong", WRONG, ids=[f"{w.grade_id}-{w.name}" for w in WRONG])
def test_a_wrong_answer_scores_in_between_and_fails_its_checks(graded, course, exercises, wrong):
    kit.wrong_in_between(graded, course, A, exercises, wrong, submission_of(wrong))


@pytest.mark.timeout(600)
def test_the_blank_handout_runs_to_its_cleanup(course, tmp_path, monkeypatch):
    kit.blank_handout_runs(course, A, "lab07", CELLS, tmp_path, monkeypatch, timeout=300)


@pytest.mark.timeout(300)
def test_visible_checks_pass_the_reference_and_catch_a_mistake(course, tmp_path, monkeypatch):
    monkeypatch.setenv("MICROLAB_HOME", str(tmp_path / "home"))
    reference = pipeline.solution_sources(A, course)
    with Lab(backend="local", name="visible07", quiet=True) as lab:
        lab.up("services")
        namespace = {"lab": lab, "visible": visible}
        shown = kit.shown(reference[CELLS["lab07_diagnose"]] + "\nvisible.diagnosis(diagnose, lab)", dict(namespace))
        assert "PASS  a failing inventory-service" in shown, shown
        wrong = next(w for w in WRONG if w.name == "kind-in-capitals")
        shown = kit.shown(wrong.source(reference, CELLS) + "\nvisible.diagnosis(diagnose, lab)", dict(namespace))
        assert "FAIL  a failing inventory-service" in shown, shown
        shown = kit.shown(reference[CELLS["lab07_trace"]] + "\nvisible.tracing(trace, lab)", dict(namespace))
        assert "PASS  one order's steps" in shown, shown


def test_the_answer_key_is_in_the_reference_and_not_in_the_handout(course):
    kit.secrets_stay_out(course, A, visible.__file__)


def test_the_written_answer_has_its_rubric_in_the_source_only(course):
    kit.rubric_in_source_only(course, A, WRITTEN, giveaway="modular monolith")
