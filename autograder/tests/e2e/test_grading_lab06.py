"""The graders of 06, graded: the reference earns full marks, the blank notebook nothing, each
named wrong answer (submissions_lab06.py) part of its exercise, failing the sub-checks it
should, and the forgeries (a config of keywords in comments, an unsigned token, a mobile
config that routes nothing, a hard-coded home screen) nothing. Also: the blank handout runs
to its clean-up, saying what is missing; the visible checks pass the reference and fail a
mistake; the answer key stays out of the handout."""
from __future__ import annotations

import time

import assignmentkit as kit
import pytest
from graderkit import grade_batch, leftovers, released
from microlab import Lab
from microlab.visible import lab06 as visible
from microlab_grading import pipeline
from microlab_grading.judge import load_exercises
from submissions_lab06 import CELLS, FORGERIES, WRONG, submission_of, submissions

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1500)]
A = "06-api-gateway"


@pytest.fixture(scope="module")
def graded(course, tmp_path_factory):
    batch = {"reference": {}, "blank": None} | submissions(pipeline.solution_sources(A, course))
    started = time.monotonic()
    outcome = grade_batch(course, A, batch, tmp_path_factory.mktemp("g06"), judged_only=kit.wrong_ones(batch))
    took = time.monotonic() - started
    # several at a time (graderkit.JOBS): the wall time per submission is a fraction of one's
    print(f"\n06 graded {len(batch)} submissions in {took:.0f} s: {took / len(batch):.0f} s per submission")
    return outcome


@pytest.fixture(scope="module")
def exercises(course):
    return {e.grade_id: e for e in load_exercises(course, A)}


def test_the_checks_points_are_the_grade_cells_points(course, exercises):
    kit.points_match(course, A, exercises)


def test_reference_full_blank_zero(graded, exercises):
    kit.reference_full_blank_zero(graded, exercises, full=17)


def test_forgeries_earn_nothing(graded, course, exercises):
    verdict = kit.verdict(course, A, next(iter(FORGERIES)))
    assert set(FORGERIES["forged"]) == set(CELLS.values())
    assert graded[0]["forged"].auto_score == 0, {g: e.text() for g, e in verdict.exercises.items()}
    assert leftovers(list(graded[0])) == []


@pytest.mark.parametrize("wrong", WRONG, ids=[f"{w.grade_id}-{w.name}" for w in WRONG])
def test_a_wrong_answer_scores_in_between_and_fails_its_checks(graded, course, exercises, wrong):
    kit.wrong_in_between(graded, course, A, exercises, wrong, submission_of(wrong))


@pytest.mark.timeout(400)
def test_the_blank_handout_runs_to_its_cleanup(course, tmp_path, monkeypatch):
    kit.blank_handout_runs(course, A, "lab06", CELLS, tmp_path, monkeypatch)


@pytest.mark.timeout(300)
def test_visible_checks_pass_the_reference_and_catch_a_mistake(course, tmp_path, monkeypatch):
    monkeypatch.setenv("MICROLAB_HOME", str(tmp_path / "home"))
    reference = pipeline.solution_sources(A, course)
    setup = next(c.source for c in released(course, A).cells if c.get("id") == "lab06_apps")
    consumers_line = setup[setup.index("CONSUMERS = "):]
    with Lab(backend="local", name="visible06", quiet=True) as lab:
        lab.up("gateways")
        namespace = {"lab": lab, "ORDERS_PER_SECOND": 5}
        exec(consumers_line, namespace)  # noqa: S102 (the notebook's own definitions)
        shown = kit.shown(reference[CELLS["lab06_gateway_config"]] + "\n" + "visible.gateway_config(KONG_YML, "
                          "CONSUMERS, lab)", namespace | {"visible": visible})
        assert "PASS  payments are not exposed" in shown and "FAIL" not in shown, shown
        wrong = next(w for w in WRONG if w.name == "payments-exposed")
        shown = kit.shown(wrong.source(reference, CELLS) + "\nvisible.gateway_config(KONG_YML, CONSUMERS, lab)",
                          namespace | {"visible": visible})
        assert "FAIL  payments are not exposed" in shown, shown
        shown = kit.shown(reference[CELLS["lab06_make_token"]] + "\nvisible.token(make_token, CONSUMERS, lab)",
                          namespace | {"visible": visible})
        assert "PASS  a token for mobile-app" in shown, shown


def test_the_answer_key_is_in_the_reference_and_not_in_the_handout(course):
    kit.secrets_stay_out(course, A, visible.__file__)
