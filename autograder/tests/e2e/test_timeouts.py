"""Timeouts that work: a cell that runs too long is recorded as failed with a timeout and the
notebook goes on; once the notebook's budget is spent, the remaining cells are recorded as
timed out without running. Both executors: nbgrader's (a course run without the sandbox) and
nbclient's (the sandboxed runner), which must record the same."""
from __future__ import annotations

import nbformat
import pytest

from microlab_grading.execution import NOTEBOOK_TIMEOUT_ENAME, BoundedExecute
from microlab_grading.notebookrun import BoundedClient

pytestmark = [pytest.mark.timeout(120)]
EXECUTORS = ("nbgrader", "nbclient")


def _execute(executor: str, nb, path, **limits) -> None:
    if executor == "nbgrader":
        BoundedExecute(**limits).preprocess(nb, {"metadata": {"path": str(path)}})
    else:
        BoundedClient(nb, resources={"metadata": {"path": str(path)}}, **limits).execute()


@pytest.mark.parametrize("executor", EXECUTORS)
def test_cell_and_notebook_timeouts(tmp_path, executor):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(src) for src in
                ("while True:\n    pass", "x = 1", "while True:\n    pass", "y = 2")]
    _execute(executor, nb, tmp_path, timeout=4, notebook_timeout=7)
    errors = [[o for o in c.outputs if o.output_type == "error"] for c in nb.cells]
    assert [e.ename for e in errors[0]] == ["CellTimeoutError"] and "timeout" in errors[0][0].evalue
    assert errors[1] == []  # the notebook went on after the timed-out cell
    assert "timeout" in errors[2][0].ename.lower()  # ran with what was left of the budget
    assert errors[3][0].ename == NOTEBOOK_TIMEOUT_ENAME  # never ran


def _cell(src: str, **nbgrader) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(src)
    cell.metadata["nbgrader"] = nbgrader
    return cell


@pytest.mark.parametrize("executor", EXECUTORS)
def test_the_locked_set_up_gets_its_own_time_and_answers_keep_theirs(tmp_path, executor):
    """The course's set-up cells (locked, before the first answer) start a lab, which on a
    loaded machine outlived the answers' 15 s limit; an answer cell keeps the tight limit."""
    sleep = "import time\ntime.sleep(3)\nran = True"
    nb = nbformat.v4.new_notebook()
    nb.cells = [_cell(sleep, locked=True), _cell("answer = 1\n" + sleep, solution=True),
                _cell(sleep, locked=True)]
    _execute(executor, nb, tmp_path, timeout=1, setup_timeout=6, notebook_timeout=30)
    enames = [[o.ename for o in c.outputs if o.output_type == "error"] for c in nb.cells]
    assert enames == [[], ["CellTimeoutError"], ["CellTimeoutError"]]


@pytest.mark.parametrize("executor", EXECUTORS)
def test_an_error_with_its_traceback_silenced_is_still_recorded(tmp_path, executor):
    """A cell that disables IPython's traceback display still fails in the record."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("get_ipython().showtraceback = lambda *a, **k: None\n"
                                          "raise ValueError('hidden')"), nbformat.v4.new_code_cell("z = 3")]
    _execute(executor, nb, tmp_path, timeout=20, notebook_timeout=60)
    errors = [o for o in nb.cells[0].outputs if o.output_type == "error"]
    assert [e.ename for e in errors] == ["ValueError"]
    assert nb.cells[1].execution_count is not None  # the notebook went on
