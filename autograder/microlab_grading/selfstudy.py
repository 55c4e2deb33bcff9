"""`microlab check NOTEBOOK`: run a student's notebook the way the grader does (nbgrader's
execution, its own throw-away lab) and report the visible checks per exercise."""
from __future__ import annotations

import os
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

import nbformat

from microlab_grading import sweep
from microlab_grading.execution import BoundedExecute


@dataclass
class Exercise:
    grade_id: str
    points: float
    passed: bool
    message: str


def run(path: Path, cell_timeout: int = 120, notebook_timeout: int = 600) -> list[Exercise]:
    nb = nbformat.read(path, as_version=4)
    token = uuid.uuid4().hex
    saved = dict(os.environ)
    with tempfile.TemporaryDirectory(prefix="microlab-check-") as home:
        # the kernel inherits this: its lab lives apart from the student's own running lab
        os.environ.update({"MICROLAB_HOME": home, "MICROLAB_BACKEND": "local", sweep.MARKER: token,
                           "MPLBACKEND": "Agg"})
        try:
            executor = BoundedExecute(timeout=cell_timeout, notebook_timeout=notebook_timeout)
            executor.preprocess(nb, {"metadata": {"path": str(path.parent.resolve())}})
        finally:
            os.environ.clear()
            os.environ.update(saved)
            sweep.stop_marked(token)
    return exercises(nb)


def exercises(nb) -> list[Exercise]:
    found, unanswered = [], False
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        errors = [o for o in cell.get("outputs", []) if o.output_type == "error"]
        if cell.cell_type == "code" and meta.get("solution"):
            unanswered = any(e.ename == "NotImplementedError" for e in errors)
        if cell.cell_type != "code" or not meta.get("grade"):
            continue
        message = f"{errors[-1].ename}: {errors[-1].evalue}" if errors else "visible checks pass"
        if unanswered:
            message = "not answered yet: the answer cell above still raises NotImplementedError"
        found.append(Exercise(meta["grade_id"], float(meta.get("points", 0)), not errors and not unanswered,
                              message))
    return found


def report(path: Path, results: list[Exercise]) -> str:
    lines = [f"Self-check of {path} (visible checks, run top to bottom in a fresh kernel and lab):"]
    for ex in results:
        lines.append(f"  {'PASS' if ex.passed else 'FAIL'}  {ex.grade_id} ({ex.points:g} pts): {ex.message}")
    passed = sum(ex.points for ex in results if ex.passed)
    total = sum(ex.points for ex in results)
    lines.append(f"Visible checks pass for {passed:g} of {total:g} points.")
    lines.append("Hidden checks also exist and run when your work is graded: passing the visible "
                 "checks is necessary, not sufficient.")
    return "\n".join(lines)
