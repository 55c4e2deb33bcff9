"""The graders of 05, graded: the reference earns full marks, the blank notebook nothing, each
named wrong answer (submissions_lab05.py) part of its exercise, failing the sub-checks it
should, and the forgeries (a compensator writing into inventory-service's database, a
hard-coded summary, a reconciliation reporting everything) nothing. Also: the visible checks
pass the reference and fail a mistake; the answer key stays out of the handout; the written
design answer carries its rubric in the source notebook only."""
from __future__ import annotations

import os
import re
import subprocess
import sys
import time

import assignmentkit as kit
import nbformat
import pytest
from graderkit import grade_batch, released
from microlab import Lab
from microlab.visible import lab05 as visible
from microlab_grading import pipeline
from microlab_grading.judge import load_exercises
from submissions_lab05 import CELLS, FORGERIES, WRONG, submission_of, submissions

pytestmark = [pytest.mark.slow, pytest.mark.timeout(2400)]
A = "05-database-per-service"
WRITTEN = "lab05_shipping_design"


@pytest.fixture(scope="module")
def graded(course, tmp_path_factory):
    batch = {"reference": {}, "blank": None} | submissions(pipeline.solution_sources(A, course))
    started = time.monotonic()
    outcome = grade_batch(course, A, batch, tmp_path_factory.mktemp("g05"), judged_only=kit.wrong_ones(batch))
    took = time.monotonic() - started
    # several at a time (graderkit.JOBS): the wall time per submission is a fraction of one's
    print(f"\n05 graded {len(batch)} submissions in {took:.0f} s: {took / len(batch):.0f} s per submission")
    return outcome


@pytest.fixture(scope="module")
def exercises(course):
    return {e.grade_id: e for e in load_exercises(course, A)}


def test_the_checks_points_are_the_grade_cells_points(course, exercises):
    kit.points_match(course, A, exercises, by_hand={WRITTEN: 3})


def test_reference_full_blank_zero(graded, exercises):
    kit.reference_full_blank_zero(graded, exercises, full=14)


def test_forgeries_earn_nothing(graded, course, exercises):
    verdict = kit.verdict(course, A, next(iter(FORGERIES)))
    for grade_id in exercises:
        assert verdict.exercises[grade_id].points == 0, verdict.text()
    checks = {c.name: c for c in verdict.exercises["lab05_compensation"].checks}
    assert "never answered DELETE" in checks["each failed order released through inventory-service's API"].message


@pytest.mark.parametrize("wrong", WRONG, ids=[w.name for w in WRONG])
def test_a_wrong_answer_scores_in_between_and_fails_its_checks(graded, course, exercises, wrong):
    kit.wrong_in_between(graded, course, A, exercises, wrong, submission_of(wrong))


@pytest.mark.timeout(400)
def test_visible_checks_pass_the_reference_and_catch_a_mistake(course, tmp_path, monkeypatch):
    monkeypatch.setenv("MICROLAB_HOME", str(tmp_path / "home"))
    reference = pipeline.solution_sources(A, course)
    cells = {c.id: c.source for c in released(course, A).cells if c.cell_type == "code"}
    with Lab(backend="local", name="visible05", quiet=True) as lab:
        lab.up("services")
        namespace = {"lab": lab, "ORDER_SERVICE": lab.url("order-service"), "requests": __import__("requests"),
                     "INVENTORY_SERVICE": lab.url("inventory-service"), "PAYMENT_SERVICE": lab.url("payment-service")}
        wrong = next(w for w in WRONG if w.name == "releases-on-every-payment-event")
        kit.shown(wrong.source(reference, CELLS) + "\n" + cells["lab05_deploy_compensator"], namespace)
        shown = kit.shown(cells[wrong.grade_id], namespace)
        assert "FAIL  a paid order keeps its reservation" in shown, shown
        for grade_id, cell in CELLS.items():
            extra = cells["lab05_deploy_compensator"] if grade_id == "lab05_compensation" else ""
            shown = kit.shown(reference[cell] + "\n" + extra + "\n" + cells[grade_id], namespace)
            assert "PASS" in shown and "FAIL" not in shown and "NOT ANSWERED" not in shown, shown


def test_the_answer_key_is_in_the_reference_and_not_in_the_handout(course):
    kit.secrets_stay_out(course, A, visible.__file__)


def test_the_written_answer_has_its_rubric_in_the_source_only(course):
    kit.rubric_in_source_only(course, A, WRITTEN, giveaway="orchestrat")


def _microlab_check(nb, tmp_path) -> subprocess.CompletedProcess:
    """`microlab check` on a copy of the notebook, in a home of its own (it runs it all)."""
    path = tmp_path / f"{A}.ipynb"
    nbformat.write(nb, path)
    env = {k: v for k, v in os.environ.items() if k != "MICROLAB_COURSE"} | {
        "MICROLAB_HOME": str(tmp_path / "home"), "MICROLAB_BACKEND": "local", "MPLBACKEND": "Agg"}
    return subprocess.run([sys.executable, "-m", "microlab.cli", "check", str(path)], capture_output=True,
                          text=True, timeout=600, cwd=tmp_path, env=env)


@pytest.mark.timeout(650)
def test_microlab_check_on_the_blank_handout_says_what_is_missing(course, tmp_path):
    blank = _microlab_check(released(course, A), tmp_path)
    out = blank.stdout + blank.stderr
    assert blank.returncode == 1 and "Traceback" not in out, out
    for grade_id in CELLS:
        assert re.search(rf"^  NOT ANSWERED +{grade_id} \(", blank.stdout, re.M), out
    assert re.search(rf"^  BY HAND +{WRITTEN} \(", blank.stdout, re.M), out
