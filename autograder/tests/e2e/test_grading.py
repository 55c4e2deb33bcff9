"""The graders, graded: reference -> full marks, blank -> 0, plausible mistakes -> in between
with the failing check named, hostile submissions -> graded safely with nothing left running."""
from __future__ import annotations


import pytest

from graderkit import grade_batch
from microlab import procfs
from microlab_grading import pipeline
from grader_submissions import HOSTILE, LAB01, LAB02, LAB03

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1500)]

WRONG = {"01-monolith": LAB01, "02-decomposition": LAB02, "03-sync-communication": LAB03}
EXTRA = {"01-monolith": HOSTILE}


def _leftovers() -> list[int]:
    """Processes still carrying a grading sandbox's environment."""
    return [pid for pid in procfs.pids()
            if any(b"microlab-grade-" in entry for entry in procfs.environ(pid))]


@pytest.fixture(scope="module", params=sorted(WRONG))
def graded(request, course, tmp_path_factory):
    assignment = request.param
    subs = {"reference": {}, "blank": None}
    for s in WRONG[assignment] + EXTRA.get(assignment, []):
        subs[s.name] = s.answers
    results, run = grade_batch(course, assignment, subs, tmp_path_factory.mktemp(assignment))
    print(f"\n{assignment}: {len(subs)} submissions graded in {run.seconds:.1f} s "
          f"({run.seconds / len(subs):.1f} s each): " +
          ", ".join(f"{o.student} {o.seconds:.0f}s" for o in run.outcomes))
    return assignment, results, run


def test_reference_gets_full_marks(graded):
    assignment, results, _ = graded
    ref = results["reference"]
    assert ref.auto_max > 0
    assert ref.auto_score == ref.auto_max, ref.failed


def test_blank_release_gets_zero_without_crashing(graded):
    assignment, results, run = graded
    blank = results["blank"]
    assert blank.auto_score == 0
    assert set(blank.failed) == {c.grade_id for c in blank.checks if not c.manual}
    assert not any("GradingError" in m for m in blank.failed.values()), blank.failed
    assert next(o for o in run.outcomes if o.student == "blank").executed


def test_wrong_submissions_score_in_between_and_name_the_check(graded):
    assignment, results, _ = graded
    for sub in WRONG[assignment]:
        r = results[sub.name]
        assert 0 < r.auto_score < r.auto_max, (sub.name, r.failed)
        assert set(r.failed) == set(sub.fails), (sub.name, r.failed)
        for grade_id, words in sub.fails.items():
            assert words in r.failed[grade_id], (sub.name, grade_id, r.failed[grade_id])


def test_each_exercise_has_three_wrong_submissions(graded):
    assignment, results, _ = graded
    exercises = {c.grade_id for c in results["reference"].checks if not c.manual}
    for grade_id in exercises:
        caught = [s.name for s in WRONG[assignment] if grade_id in s.fails]
        assert len(caught) >= 3, (grade_id, caught)


def test_hostile_submissions_are_graded_safely(graded, course):
    assignment, results, run = graded
    if assignment not in EXTRA:
        pytest.skip("the hostile set is graded with 01-monolith")
    for sub in HOSTILE:
        r = results[sub.name]  # graded: the batch went on past every one of them
        assert (r.auto_score < r.auto_max) == bool(sub.fails), (sub.name, r.failed)
        for grade_id, words in sub.fails.items():
            assert grade_id in r.failed and words in r.failed[grade_id], (sub.name, r.failed)
    # the monkey-patcher is flagged for a human look, and the 100 MB print was cut
    assert "microlab_grading" in results["hostile-monkey-patch"].flags
    big = course / "autograded" / "hostile-100mb-print" / assignment / f"{assignment}.ipynb"
    assert big.stat().st_size < 2_000_000
    assert results["hostile-100mb-print"].auto_score == results["hostile-100mb-print"].auto_max
    # the loop was stopped by the cell timeout, and the course itself is intact
    assert "QUIZ" in results["hostile-infinite-loop"].failed["lab01_quiz"]
    assert (course / "nbgrader_config.py").exists() and (course / "gradebook.db").exists()
    assert (course / "source" / assignment).is_dir()
    # every sandbox was swept: the detached `sleep 600` and every lab process are gone
    assert _leftovers() == []
    assert any(o.swept for o in run.outcomes if o.student == "hostile-sys-exit")


def test_feedback_hides_hidden_tests_but_names_the_failing_rule(graded, course):
    assignment, results, _ = graded
    if assignment != "02-decomposition":
        pytest.skip("feedback is checked once, on 02")
    pages = pipeline.feedback(assignment, course)
    assert pages
    html = {p.parent.parent.name: p.read_text() for p in pages}
    for text in html.values():
        assert "BEGIN HIDDEN TESTS" not in text and "_checks.check_" not in text
        assert "spec_from_file_location" not in text
    assert "no nanoservices" in html["nanoservices"]


def test_export_csv_lists_every_submission(graded, course, tmp_path):
    assignment, results, _ = graded
    out = tmp_path / "grades.csv"
    rows = pipeline.export(out, [assignment], course)
    assert rows == len(results)
    text = out.read_text()
    assert "reference" in text and "failed_checks" in text
