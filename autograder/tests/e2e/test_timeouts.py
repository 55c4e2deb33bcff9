"""Timeouts that work: a cell that runs too long is recorded as failed with a timeout and the
notebook goes on; once the notebook's budget is spent, the remaining cells are recorded as
timed out without running."""
from __future__ import annotations

import nbformat
import pytest

from microlab_grading.execution import NOTEBOOK_TIMEOUT_ENAME, BoundedExecute

pytestmark = [pytest.mark.timeout(120)]


def test_cell_and_notebook_timeouts(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(src) for src in
                ("while True:\n    pass", "x = 1", "while True:\n    pass", "y = 2")]
    BoundedExecute(timeout=4, notebook_timeout=7).preprocess(nb, {"metadata": {"path": str(tmp_path)}})
    errors = [[o for o in c.outputs if o.output_type == "error"] for c in nb.cells]
    assert [e.ename for e in errors[0]] == ["CellTimeoutError"] and "timeout" in errors[0][0].evalue
    assert errors[1] == []  # the notebook went on after the timed-out cell
    assert "timeout" in errors[2][0].ename.lower()  # ran with what was left of the budget
    assert errors[3][0].ename == NOTEBOOK_TIMEOUT_ENAME  # never ran


def _cell(src: str, **nbgrader) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(src)
    cell.metadata["nbgrader"] = nbgrader
    return cell


def test_the_locked_set_up_gets_its_own_time_and_answers_keep_theirs(tmp_path):
    """The course's set-up cells (locked, before the first answer) start a lab, which on a
    loaded machine outlived the answers' 15 s limit; an answer cell keeps the tight limit."""
    sleep = "import time\ntime.sleep(3)\nran = True"
    nb = nbformat.v4.new_notebook()
    nb.cells = [_cell(sleep, locked=True), _cell("answer = 1\n" + sleep, solution=True),
                _cell(sleep, locked=True)]
    BoundedExecute(timeout=1, setup_timeout=6, notebook_timeout=30).preprocess(
        nb, {"metadata": {"path": str(tmp_path)}})
    enames = [[o.ename for o in c.outputs if o.output_type == "error"] for c in nb.cells]
    assert enames == [[], ["CellTimeoutError"], ["CellTimeoutError"]]
