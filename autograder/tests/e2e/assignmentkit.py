"""What every assignment's grader test asserts, written once: the checks' points are the grade
cells' points, the reference earns full marks and the blank notebook nothing, each named wrong
answer scores in between failing its sub-checks, the blank handout runs to its clean-up, and
the answer key stays out of the handout. test_grading_lab0N.py supplies the assignment."""
from __future__ import annotations

import contextlib
import importlib.util
import io
import time
import uuid
from pathlib import Path

import nbformat
from graderkit import leftovers, released
from microlab_grading import pipeline, sweep
from microlab_grading.verdicts import Verdict
from nbclient import NotebookClient


def verdict(course: Path, assignment: str, student: str) -> Verdict:
    return Verdict.load(course / "autograded" / student / assignment)


def points_match(course: Path, assignment: str, exercises: dict, by_hand: dict | None = None) -> None:
    """The grade cells' points are the checks' (and `by_hand`'s, written answers graded by hand)."""
    cells = {c.metadata["nbgrader"]["grade_id"]: c.metadata["nbgrader"]["points"]
             for c in released(course, assignment).cells if c.metadata.get("nbgrader", {}).get("grade")}
    assert cells == {g: e.points for g, e in exercises.items()} | (by_hand or {})


def rubric_in_source_only(course: Path, assignment: str, grade_id: str, giveaway: str) -> None:
    """A written answer's model answer and rubric are in the source notebook, not the handout."""
    source = nbformat.read(course / "source" / assignment / f"{assignment}.ipynb", as_version=4)
    cell = next(c for c in source.cells if c.get("id") == grade_id)
    assert "Rubric (" in cell.source and giveaway.lower() in cell.source.lower()
    handout = next(c for c in released(course, assignment).cells if c.get("id") == grade_id)
    assert "Rubric" not in handout.source and giveaway.lower() not in handout.source.lower()


def reference_full_blank_zero(graded, exercises: dict, full: float) -> None:
    results, run = graded
    assert sum(e.points for e in exercises.values()) == full
    assert results["reference"].auto_score == full == results["reference"].auto_max, results["reference"].failed
    assert results["blank"].auto_score == 0
    assert all("not answered" in results["blank"].failed[g] for g in exercises)
    assert not run.infrastructure_errors, run.infrastructure_errors
    deadline = time.monotonic() + 20  # a deployed component's sandbox takes a moment to go
    students = list(results)  # this batch's: another grader test may be grading beside it
    while leftovers(students) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert leftovers(students) == [], "a submission's processes outlived its grading"


def wrong_ones(batch: dict) -> tuple[str, ...]:
    """The named wrong answers of a batch: judged, not handed in (graderkit.grade_batch)."""
    return tuple(s for s in batch if s.startswith("wrong-"))


def wrong_in_between(graded, course: Path, assignment: str, exercises: dict, wrong, student: str) -> None:
    result = graded[0][student]
    mine = verdict(course, assignment, student).exercises[wrong.grade_id]
    assert 0 < mine.points < exercises[wrong.grade_id].points, mine.text()
    for name in wrong.fails:
        assert f"{name}:" in result.failed[wrong.grade_id], result.failed[wrong.grade_id]
    failed = {c.name for c in mine.checks if not c.passed}
    assert set(wrong.fails) == failed if wrong.only else set(wrong.fails) <= failed, mine.text()
    # a failure is the student's, told as such; never the grader unable to read what happened
    assert not any("could not use your answer" in c.message for c in mine.checks), mine.text()
    assert result.auto_score == sum(verdict(course, assignment, student).exercises[g].points for g in exercises)


def run_notebook(nb, tmp_path: Path, monkeypatch, timeout: int = 180) -> nbformat.NotebookNode:
    """Run All in a real kernel, the way a student does; nothing may be left running after."""
    token = uuid.uuid4().hex
    monkeypatch.setenv("MICROLAB_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("MICROLAB_BACKEND", "local")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.setenv(sweep.MARKER, token)
    try:
        NotebookClient(nb, timeout=timeout, kernel_name="python3",
                       resources={"metadata": {"path": str(tmp_path)}}).execute()
        deadline = time.monotonic() + 10  # the kernel takes a moment to exit
        while sweep.survivors(token) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert sweep.survivors(token) == [], "the lab is still running after the clean-up cell"
    finally:
        sweep.stop_marked(token)
    return nb


def output(nb, cell_id: str) -> str:
    cell = next(c for c in nb.cells if c.get("id") == cell_id)
    return "".join(o.get("text", "") for o in cell.outputs)


def blank_handout_runs(course: Path, assignment: str, prefix: str, graded_ids, tmp_path, monkeypatch,
                       timeout: int = 180) -> None:
    nb = run_notebook(released(course, assignment), tmp_path, monkeypatch, timeout)
    errors = [(c.id, o.ename, o.evalue) for c in nb.cells if c.cell_type == "code"
              for o in c.outputs if o.output_type == "error"]
    assert not errors, errors
    warned = [c.id for c in nb.cells if c.cell_type == "code" for o in c.outputs
              if o.get("name") == "stderr" and "Warning" in o.get("text", "")]
    assert not warned, f"the student sees warnings in {warned}"
    summary = output(nb, f"{prefix}_self_check")
    for grade_id in graded_ids:
        assert f"NOT ANSWERED  {grade_id}" in summary, summary
    assert all(c.get("execution_count") for c in nb.cells if c.cell_type == "code")


def shown(code: str, namespace: dict) -> str:
    """What running `code` in the student's namespace prints (a notebook cell, here)."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(code, namespace)  # noqa: S102 (the notebook's own cells)
    return out.getvalue()


def secrets_stay_out(course: Path, assignment: str, visible_file: str) -> None:
    spec = importlib.util.spec_from_file_location(f"checks_{assignment[:2]}", course / "checks" / f"{assignment}.py")
    checks = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(checks)
    reference = "\n".join(pipeline.solution_sources(assignment, course).values())
    handout = "\n".join(c.source for c in released(course, assignment).cells) + Path(visible_file).read_text()
    for secret in checks.SECRETS:
        assert secret in reference and secret not in handout, secret
