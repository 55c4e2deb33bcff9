"""How submissions are executed under nbgrader: time limits, and replaying isolated runs.

`BoundedExecute` is nbgrader's own Execute (so its guard against silenced tracebacks stays)
plus the time limits of budget.py: a budget for the whole notebook, each cell given
min(cell timeout, time left). It serves a course run without the sandbox; the sandboxed
runner executes with nbclient directly, under the same limits (notebookrun.py).

`ReplayExecute` runs nothing: it copies the outputs of a notebook that was executed in the
sandbox (see sandbox.py) and shows the grader's verdict in each grade cell; `ApplyVerdicts`
then writes the verdict's points into the gradebook. The trusted course directory thus records
grades, feedback and formgrader data with nbgrader's normal machinery, while no student code
ever runs inside it.
"""
from __future__ import annotations

from pathlib import Path

import nbformat
from nbgrader.api import Gradebook
from nbgrader.preprocessors import Execute, NbGraderPreprocessor
from traitlets import Integer, Unicode

from microlab_grading.budget import CELL_TIMEOUT_ENAME, NOTEBOOK_TIMEOUT_ENAME, Budget, timeout_output
from microlab_grading.verdicts import Verdict

__all__ = ["CELL_TIMEOUT_ENAME", "NOTEBOOK_TIMEOUT_ENAME", "ApplyVerdicts", "BoundedExecute", "ReplayExecute",
           "TruncateOutput", "timeout_output"]


class BoundedExecute(Budget, Execute):
    def preprocess(self, nb, resources=None, km=None):
        self.start_budget(nb)
        return super().preprocess(nb, resources, km)

    def preprocess_cell(self, cell, resources, index):
        if self.skipped_for_budget(cell):
            return cell, resources
        cell, resources = super().preprocess_cell(cell, resources, index)
        self.explain_interrupt(cell)
        return cell, resources


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
