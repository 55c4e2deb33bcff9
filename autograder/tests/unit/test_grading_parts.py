"""Fast checks of the grading parts that need no kernel: collection, feedback."""
from __future__ import annotations

import zipfile

import nbformat
import pytest

from microlab_grading import collect
from microlab_grading.feedback import HIDDEN_NOTE, HideHiddenTests


def test_collect_from_a_zip_in_lms_layouts(tmp_path):
    nb = nbformat.writes(nbformat.v4.new_notebook())
    archive = tmp_path / "subs.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("alice/02-decomposition/02-decomposition.ipynb", nb)
        zf.writestr("bob/my work.ipynb", nb)
        zf.writestr("carol.ipynb", nb)
        zf.writestr("dave/broken.ipynb", "{not json")
        zf.writestr("__MACOSX/alice/._x.ipynb", "junk")
    found = collect.collect(archive, "02-decomposition", tmp_path / "course")
    assert found.students == ["alice", "bob", "carol"]
    assert "dave/broken.ipynb" in found.skipped
    for student in found.students:
        assert (tmp_path / "course/submitted" / student / "02-decomposition/02-decomposition.ipynb").exists()


def test_collect_refuses_a_zip_that_escapes(tmp_path):
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("../../outside.ipynb", "{}")
    with pytest.raises(ValueError, match="unsafe path"):
        collect.collect(archive, "a", tmp_path / "course")


def test_feedback_drops_hidden_tests_and_tracebacks():
    cell = nbformat.v4.new_code_cell("visible()\n### BEGIN HIDDEN TESTS\nsecret_check()\n### END HIDDEN TESTS")
    cell.metadata["nbgrader"] = {"grade": True, "grade_id": "x", "points": 1}
    cell.outputs = [nbformat.v4.new_output("error", ename="CheckFailed", evalue="[x] check 'y' failed",
                                           traceback=["----> secret_check()", "CheckFailed: ..."])]
    out, _ = HideHiddenTests().preprocess_cell(cell, {}, 0)
    assert "secret_check" not in out.source and HIDDEN_NOTE in out.source
    assert out.outputs[0].traceback == ["CheckFailed: [x] check 'y' failed"]
