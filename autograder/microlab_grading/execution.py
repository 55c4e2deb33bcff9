"""How submissions are executed under nbgrader: time limits, and replaying isolated runs.

`BoundedExecute` is nbgrader's own Execute (so its guard against silenced tracebacks stays)
plus a budget for the whole notebook: each cell gets min(cell timeout, time left), and once
the budget is spent every remaining cell is recorded as failed with a timeout error instead
of being run. nbgrader already records a cell that outlives its own timeout as failed
("CellTimeoutError ... timeout") and goes on with the next cell.

`ReplayExecute` runs nothing: it copies the outputs of a notebook that was executed in the
sandbox (see sandbox.py) and shows the grader's verdict in each grade cell; `ApplyVerdicts`
then writes the verdict's points into the gradebook. The trusted course directory thus records
grades, feedback and formgrader data with nbgrader's normal machinery, while no student code
ever runs inside it.
"""
from __future__ import annotations

import math
import time
from pathlib import Path

import nbformat
from nbformat.notebooknode import NotebookNode
from nbgrader.api import Gradebook
from nbgrader.preprocessors import Execute, NbGraderPreprocessor
from traitlets import Bool, Integer, Unicode

from microlab_grading.cells import setup_cells
from microlab_grading.verdicts import Verdict

NOTEBOOK_TIMEOUT_ENAME = "NotebookTimeoutError"
CELL_TIMEOUT_ENAME = "CellTimeoutError"


def timeout_output(ename: str, message: str) -> NotebookNode:
    return NotebookNode(output_type="error", ename=ename, evalue=message,
                        traceback=[f"{ename}: {message}"])


class BoundedExecute(Execute):
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

    def preprocess(self, nb, resources=None, km=None):
        self._deadline = time.monotonic() + self.notebook_timeout
        self._setup = frozenset(id(cell) for cell in setup_cells(nb))
        self.timeout_func = self._cell_timeout
        return super().preprocess(nb, resources, km)

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

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code" and self._deadline and time.monotonic() >= self._deadline:
            cell.outputs = [timeout_output(
                NOTEBOOK_TIMEOUT_ENAME,
                f"not run: the notebook used its whole {self.notebook_timeout} s timeout",
            )]
            return cell, resources
        self._timed_out = None
        cell, resources = super().preprocess_cell(cell, resources, index)
        if self._timed_out is not None:  # interrupted: say so instead of a bare KeyboardInterrupt
            cell.outputs = [o for o in cell.outputs if o.get("ename") not in ("KeyboardInterrupt", CELL_TIMEOUT_ENAME)]
            cell.outputs.append(timeout_output(
                CELL_TIMEOUT_ENAME, f"the cell ran longer than its {self._timed_out} s timeout and was interrupted"))
        return cell, resources

    async def _async_handle_timeout(self, timeout, cell=None):
        self._timed_out = timeout
        return await super()._async_handle_timeout(timeout, cell)


class ReplayExecute(NbGraderPreprocessor):
    """Take outputs from the isolated run instead of executing anything."""

    replay_dir = Unicode(
        "",
        help="Folder of executed notebooks: <student>/<assignment>/<notebook>.ipynb",
    ).tag(config=True)

    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        executed = Path(self.replay_dir) / info["student"] / info["assignment"] / f"{info['notebook']}.ipynb"
        reason = "the isolated run produced no notebook (it timed out or its grader crashed)"
        source = nbformat.read(executed, as_version=4) if executed.exists() else None
        if source is not None:
            problem = _mismatch(nb, source)
            if problem is None:
                for cell, ran in zip(nb.cells, source.cells):
                    if cell.cell_type == "code":
                        cell.outputs = ran.outputs
                        cell.execution_count = ran.execution_count
                show_verdicts(nb, executed.parent)
                return nb, resources
            reason = problem
        self.log.warning("%s/%s: %s", info["student"], info["assignment"], reason)
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.outputs = [timeout_output("GradingError", reason)]
        show_verdicts(nb, executed.parent)
        return nb, resources


def show_verdicts(nb, folder: Path) -> None:
    """Each grade cell shows what the grader decided (check names, points, messages), not
    what the student's kernel printed there."""
    verdict = Verdict.load(folder)
    for cell in nb.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if cell.cell_type != "code" or not cell.metadata.get("nbgrader", {}).get("grade"):
            continue
        found = verdict.exercises.get(gid) if verdict else None
        if found is not None:
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=found.text() + "\n")]
        elif verdict is not None and verdict.infrastructure_error:
            cell.outputs = [timeout_output("InfrastructureError", verdict.infrastructure_error)]


class ApplyVerdicts(NbGraderPreprocessor):
    """After nbgrader's SaveAutoGrades: each autograded cell's score is the verdict's points
    (partial credit per sub-check), not nbgrader's all-or-nothing "did the cell raise"."""

    replay_dir = Unicode("", help="Folder of verdicts: <student>/<assignment>/verdicts.json").tag(config=True)

    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        verdict = Verdict.load(Path(self.replay_dir) / info["student"] / info["assignment"])
        with Gradebook(info["db_url"]) as gb:
            for cell in nb.cells:
                meta = cell.metadata.get("nbgrader", {})
                if cell.cell_type != "code" or not meta.get("grade"):
                    continue
                grade = gb.find_grade(meta["grade_id"], info["notebook"], info["assignment"], info["student"])
                found = verdict.exercises.get(meta["grade_id"]) if verdict else None
                grade.auto_score = found.points if found else 0.0
                grade.needs_manual_grade = grade.manual_score is not None
            gb.db.commit()
        return nb, resources


def _mismatch(nb, executed) -> str | None:
    if len(nb.cells) != len(executed.cells):
        return "the executed copy has a different number of cells"
    for i, (a, b) in enumerate(zip(nb.cells, executed.cells)):
        if a.cell_type != b.cell_type or a.source != b.source:
            return f"cell {i} differs between the isolated run and the record"
    return None


class TruncateOutput(NbGraderPreprocessor):
    """Cap the characters each output keeps (nbgrader's LimitOutput counts lines only, and a
    single 100 MB line would pass it)."""

    max_chars = Integer(100_000).tag(config=True)

    def preprocess_cell(self, cell, resources, index):
        for output in cell.get("outputs", []):
            if output.output_type == "stream":
                output.text = self._cut(output.text)
            elif output.output_type in ("execute_result", "display_data"):
                for mime, value in output.get("data", {}).items():
                    if isinstance(value, str):
                        output.data[mime] = self._cut(value)
            elif output.output_type == "error":
                output.evalue = self._cut(output.evalue)
        return cell, resources

    def _cut(self, text: str) -> str:
        if len(text) <= self.max_chars:
            return text
        return text[: self.max_chars] + f"\n... [output cut: {len(text)} characters, {self.max_chars} kept]\n"
