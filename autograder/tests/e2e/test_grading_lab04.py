"""The graders of 04, graded: the reference earns full marks, the blank notebook and the
forgeries nothing, and each named wrong answer (submissions_lab04.py) part of its exercise,
failing the sub-checks it should. Also: the blank handout runs to its clean-up, the visible
checks pass the reference, and the answer key stays out of the handout."""
from __future__ import annotations

import assignmentkit as kit
import pytest
from graderkit import grade_batch, leftovers, released
from microlab import Lab
from microlab.visible import lab04 as visible
from microlab_grading import pipeline
from microlab_grading.judge import load_exercises
from submissions_lab04 import CELLS, FORGED, WRONG, submission_of, submissions

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]
A = "04-async-messaging"


@pytest.fixture(scope="module")
def graded(course, tmp_path_factory):
    batch = {"reference": {}, "blank": None} | submissions(pipeline.solution_sources(A, course))
    return grade_batch(course, A, batch, tmp_path_factory.mktemp("g04"), judged_only=kit.wrong_ones(batch))


@pytest.fixture(scope="module")
def exercises(course):
    return {e.grade_id: e for e in load_exercises(course, A)}


def test_the_checks_points_are_the_grade_cells_points(course, exercises):
    kit.points_match(course, A, exercises)


def test_reference_full_blank_zero(graded, exercises):
    kit.reference_full_blank_zero(graded, exercises, full=20)


@pytest.mark.parametrize("wrong", WRONG, ids=[w.name for w in WRONG])
def test_a_wrong_answer_scores_in_between_and_fails_its_checks(graded, course, exercises, wrong):
    kit.wrong_in_between(graded, course, A, exercises, wrong, submission_of(wrong))


def test_forgeries_earn_nothing(graded, course, exercises):
    verdict = kit.verdict(course, A, "forged")
    assert set(FORGED) == set(CELLS.values())
    assert graded[0]["forged"].auto_score == 0, {g: e.text() for g, e in verdict.exercises.items()}
    assert leftovers(list(graded[0])) == []


@pytest.mark.timeout(600)
def test_the_blank_handout_runs_to_its_cleanup(course, tmp_path, monkeypatch):
    kit.blank_handout_runs(course, A, "lab04", CELLS, tmp_path, monkeypatch, timeout=240)


@pytest.mark.timeout(300)
def test_visible_checks_pass_the_reference(course, tmp_path, monkeypatch):
    monkeypatch.setenv("MICROLAB_HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)  # the read model's cell writes its file here
    reference = pipeline.solution_sources(A, course)
    cells = {c.id: c.source for c in released(course, A).cells if c.cell_type == "code"}
    with Lab(backend="local", name="visible04", quiet=True) as lab:
        lab.up("services")
        namespace = {"lab": lab, "KAFKA_BOOTSTRAP": lab.kafka_bootstrap}
        for grade_id, cell in CELLS.items():
            answer = reference[cell]
            if answer.startswith("%%writefile"):  # what the cell magic does in a notebook
                name, _, code = answer.partition("\n")
                (tmp_path / name.split()[1]).write_text(code)
                answer = cells["lab04_deploy_read_model"]
            if grade_id == "lab04_tracker":  # the locked cell the class reads its tables from
                answer = cells["lab04_tracker_statuses"] + "\n" + answer
            shown = kit.shown(answer + "\n" + cells[grade_id], namespace)
            assert "PASS" in shown and "FAIL" not in shown and "NOT ANSWERED" not in shown, shown


def test_the_answer_key_is_in_the_reference_and_not_in_the_handout(course):
    kit.secrets_stay_out(course, A, visible.__file__)
