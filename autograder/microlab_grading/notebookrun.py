"""Executing a submitted notebook with nbclient alone: what the sandboxed runner uses.

Importing nbgrader (for its Execute preprocessor) cost the runner about 0.8 CPU-s per
submission; this is nbclient's NotebookClient with what nbgrader's Execute adds to it
(errors do not stop the run, an interrupted cell is recorded as a CellTimeoutError, an error
whose traceback the kernel silenced is still recorded) and the limits of budget.py.
"""
from __future__ import annotations

from jupyter_core.utils import run_sync
from nbclient import NotebookClient
from nbformat.notebooknode import NotebookNode
from traitlets import Bool, Dict

from microlab_grading.budget import CELL_TIMEOUT_ENAME, Budget


class BoundedClient(Budget, NotebookClient):
    # nbgrader's Execute defaults: a failing cell is recorded and the notebook goes on
    allow_errors = Bool(True).tag(config=True)
    interrupt_on_timeout = Bool(True).tag(config=True)
    raise_on_iopub_timeout = Bool(True).tag(config=True)
    error_on_timeout = Dict(default_value={
        "ename": CELL_TIMEOUT_ENAME, "evalue": "",
        "traceback": [f"\x1b[0;31m{CELL_TIMEOUT_ENAME}\x1b[0m: No reply from kernel before timeout"],
    }).tag(config=True)

    async def async_execute(self, reset_kc: bool = False, **kwargs):
        self.start_budget(self.nb)
        return await super().async_execute(reset_kc=reset_kc, **kwargs)

    async def async_execute_cell(self, cell, cell_index, execution_count=None, store_history=True):
        if self.skipped_for_budget(cell):
            return cell
        cell = await super().async_execute_cell(cell, cell_index, execution_count, store_history)
        self.explain_interrupt(cell)
        return cell

    # nbclient binds its sync wrappers to its own coroutines: bind them to these
    execute = run_sync(async_execute)
    execute_cell = run_sync(async_execute_cell)

    def on_cell_executed(self, cell, execute_reply, **_):
        """As nbgrader's Execute: an error the kernel replied with but no output shows (a
        timeout, or student code that silenced showtraceback) is still recorded."""
        content = execute_reply["content"]
        if content["status"] != "error":
            return
        if any(o.output_type == "error" and o.ename == content["ename"] for o in cell.outputs):
            return
        cell.outputs.append(NotebookNode(
            output_type="error", ename=content["ename"], evalue=content["evalue"],
            traceback=content["traceback"] or ["ERROR: An error occurred while showtraceback was disabled"]))
