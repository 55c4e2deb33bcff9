"""Time limits for executing a submitted notebook, shared by both executors: nbgrader's
(execution.BoundedExecute, for a course run without the sandbox) and nbclient's
(notebookrun.BoundedClient, what the sandboxed runner uses: no nbgrader to import there).

Each cell gets min(cell timeout, time left of the notebook's budget); the locked set-up cells
(which start the lab) get at least `setup_timeout`. Once the budget is spent every remaining
code cell is recorded as failed with a timeout error instead of being run. A cell interrupted
at its timeout is recorded as failed ("CellTimeoutError ... timeout") and the next one runs.
"""
from __future__ import annotations

import math
import time

from nbformat.notebooknode import NotebookNode
from traitlets import Bool, HasTraits, Integer

from microlab_grading.cells import setup_cells

NOTEBOOK_TIMEOUT_ENAME = "NotebookTimeoutError"
CELL_TIMEOUT_ENAME = "CellTimeoutError"


def timeout_output(ename: str, message: str) -> NotebookNode:
    return NotebookNode(output_type="error", ename=ename, evalue=message,
                        traceback=[f"{ename}: {message}"])


class Budget(HasTraits):
    """Mixed in before an nbclient-based executor (it calls their methods through super())."""

    notebook_timeout = Integer(
        600, help="Seconds for the whole notebook; cells after that are recorded as timed out."
    ).tag(config=True)
    setup_timeout = Integer(
        120, help="Seconds for each cell of the locked set-up (the course's own cells before the "
                  "first answer, which start the lab): it is not the student's time, and a tight "
                  "per-cell limit meant for their answers failed it on a loaded machine."
    ).tag(config=True)

    kernel_oom_first = Bool(
        False, help="The kernel (and all student code forks) is what the OOM killer takes first: "
                    "in a container's memory limit, 1500 forked children killed the runner, and "
                    "with it the record, instead of the kernel."
    ).tag(config=True)

    _deadline: float | None = None
    _timed_out: int | None = None
    _setup: frozenset[int] = frozenset()

    def start_budget(self, nb) -> None:
        """The notebook's clock starts now (kernel start-up included)."""
        self._deadline = time.monotonic() + self.notebook_timeout
        self._setup = frozenset(id(cell) for cell in setup_cells(nb))
        self.timeout_func = self._cell_timeout

    def create_kernel_manager(self):
        km = super().create_kernel_manager()
        if self.kernel_oom_first:  # raising one's own oom_score_adj needs no privilege
            km.kernel_spec.argv = ["sh", "-c", 'echo 1000 > /proc/self/oom_score_adj; exec "$@"', "sh",
                                   *km.kernel_spec.argv]
        return km

    def _cell_timeout(self, cell) -> int:
        limit = max(self.timeout, self.setup_timeout) if id(cell) in self._setup else self.timeout
        left = math.ceil(self._deadline - time.monotonic()) if self._deadline else limit
        return max(1, min(limit, left))

    def skipped_for_budget(self, cell) -> bool:
        """True (and the cell recorded as timed out) when the notebook's budget is spent."""
        self._timed_out = None
        if cell.cell_type != "code" or not self._deadline or time.monotonic() < self._deadline:
            return False
        cell.outputs = [timeout_output(
            NOTEBOOK_TIMEOUT_ENAME, f"not run: the notebook used its whole {self.notebook_timeout} s timeout")]
        return True

    def explain_interrupt(self, cell) -> None:
        """An interrupted cell says so, instead of showing a bare KeyboardInterrupt."""
        if self._timed_out is None:
            return
        cell.outputs = [o for o in cell.outputs if o.get("ename") not in ("KeyboardInterrupt", CELL_TIMEOUT_ENAME)]
        cell.outputs.append(timeout_output(
            CELL_TIMEOUT_ENAME, f"the cell ran longer than its {self._timed_out} s timeout and was interrupted"))

    async def _async_handle_timeout(self, timeout, cell=None):
        self._timed_out = timeout
        return await super()._async_handle_timeout(timeout, cell)
