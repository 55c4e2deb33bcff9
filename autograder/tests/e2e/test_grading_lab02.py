"""The graders of 02, graded: reference full, blank 0, named wrong answers in between on
the exercise they break (and full marks everywhere else), a right split computed from the
locked cells' names full, and patched visible rules worth nothing."""
from __future__ import annotations

import nbformat
import pytest

from graderkit import grade_batch
from microlab_grading.judge import load_exercises
from microlab_grading.verdicts import Verdict
from submissions_lab02 import COMPUTED, FORGED, WRONG

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1200)]
A = "02-decomposition"


@pytest.fixture(scope="module")
def graded(course, tmp_path_factory):
    batch = {"reference": {}, "blank": None, "computed": COMPUTED, "forged": FORGED}
    batch |= {f"wrong-{name}": answers for name, (answers, _) in WRONG.items()}
    results, run = grade_batch(course, A, batch, tmp_path_factory.mktemp("g02"))
    return results, run


def _scores(result) -> dict[str, tuple[float, float]]:
    return {c.grade_id: (c.score, c.max_score) for c in result.checks if not c.manual}


def _failed_checks(course, student: str) -> dict[str, list[str]]:
    """grade id -> the names of the sub-checks the grader failed, from its recorded verdict."""
    verdict = Verdict.load(course / "autograded" / student / A)
    return {g: [c.name for c in e.checks if not c.passed] for g, e in verdict.exercises.items()
            if any(not c.passed for c in e.checks)}


def test_every_exercise_is_worth_its_grade_cells_points(course):
    source = nbformat.read(course / "source" / A / f"{A}.ipynb", as_version=4)
    cells = {c.metadata["nbgrader"]["grade_id"]: c.metadata["nbgrader"]["points"] for c in source.cells
             if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("grade")}
    assert {e.grade_id: e.points for e in load_exercises(course, A)} == cells


def test_reference_and_a_computed_split_full_blank_zero(graded):
    results, run = graded
    full = sum(top for _, top in _scores(results["reference"]).values())
    assert full > 0 and results["reference"].auto_score == full == results["reference"].auto_max
    assert results["computed"].auto_score == full, results["computed"].failed
    assert results["blank"].auto_score == 0
    assert all("not answered" in why for why in results["blank"].failed.values())
    assert len(results["blank"].failed) == len(_scores(results["blank"]))
    assert not run.infrastructure_errors


@pytest.mark.parametrize("name", sorted(WRONG))
def test_a_wrong_answer_scores_in_between_and_fails_its_checks(graded, course, name):
    result, expected = graded[0][f"wrong-{name}"], WRONG[name][1]
    assert not result.infrastructure_error
    for grade_id, (score, top) in _scores(result).items():
        if grade_id not in expected:
            assert score == top, (grade_id, result.failed)
            continue
        assert 0 < score < top, (grade_id, score, result.failed[grade_id])
        for check in expected[grade_id]:
            assert f"{check}:" in result.failed[grade_id], result.failed[grade_id]
    assert _failed_checks(course, f"wrong-{name}") == expected


def test_every_exercise_has_four_wrong_answers_and_every_check_fails_in_one(graded, course):
    wrong = [_failed_checks(course, f"wrong-{name}") for name in WRONG]
    for exercise in load_exercises(course, A):
        partly = [w for w, name in zip(wrong, WRONG) if exercise.grade_id in w
                  and 0 < _scores(graded[0][f"wrong-{name}"])[exercise.grade_id][0]]
        assert len(partly) >= 4, exercise.grade_id
        failed = {check for w in partly for check in w[exercise.grade_id]}
        assert failed == {c.name for c in exercise.checks}, exercise.grade_id


def test_patched_visible_rules_and_a_key_from_the_runtime_earn_nothing(graded):
    results = graded[0]
    forged, unpatched = _scores(results["forged"]), _scores(results["wrong-monolith-plus-two-empty"])
    assert forged["lab02_split"] == unpatched["lab02_split"]
    assert forged["lab02_subdomains"][0] == 0
    assert not results["forged"].infrastructure_error
