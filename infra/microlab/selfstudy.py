"""`microlab check NOTEBOOK`: run a notebook top to bottom in a fresh kernel and a throw-away
lab, and report its visible checks per exercise, in a line or two each.

Works from the student handout (no grading tools needed): the check cells print their
results through microlab.selfcheck, and this reads those lines back.
"""
from __future__ import annotations

import os
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from microlab.errors import LabError
from microlab.lab import make_backend
from microlab.selfcheck import MORE, STATUS
from microlab.state import lab_ids


@dataclass
class Exercise:
    grade_id: str
    points: float
    status: str  # PASS | FAIL | NOT ANSWERED | NOT RUN | BY HAND (a written answer: no visible check)
    detail: str  # what failed, or how many checks passed


def run(path: Path, cell_timeout: int = 120) -> tuple[list[Exercise], list[str]]:
    """(exercises, problems): problems are cells outside the checks that raised, or why the
    notebook could not run to its end."""
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception as exc:  # not JSON, not a notebook, unreadable: one line, no traceback
        raise LabError(f"{path} is not a notebook that can be read: {type(exc).__name__}: {exc}"[:300]) from None
    stopped = []
    saved = dict(os.environ)
    with tempfile.TemporaryDirectory(prefix="microlab-check-") as home:
        # the kernel inherits this: its lab lives apart from the student's own running lab
        os.environ.update({"MICROLAB_HOME": home, "MICROLAB_BACKEND": "local", "MPLBACKEND": "Agg"})
        try:
            client = NotebookClient(nb, timeout=cell_timeout, allow_errors=True, interrupt_on_timeout=True,
                                    kernel_name="python3",
                                    resources={"metadata": {"path": str(path.parent.resolve())}})
            client.execute(stderr=subprocess.DEVNULL)  # the kernel's own log lines are no help here
        except Exception as exc:  # a dead or missing kernel: say so in a line, the outputs so far still count
            stopped.append(f"the notebook stopped before its end: {type(exc).__name__}: {exc}"[:300])
        finally:
            _down_labs()  # while MICROLAB_HOME still names the throw-away home
            os.environ.clear()
            os.environ.update(saved)
    return exercises(nb), problems(nb) + stopped


def _down_labs() -> None:
    """Whatever the notebook left running (a notebook stopped early skips its clean-up cell)."""
    for lab_id in lab_ids():
        make_backend("local", lab_id).down()


def exercises(nb) -> list[Exercise]:
    found = []
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if not meta.get("grade"):
            continue
        if cell.cell_type == "markdown":
            found.append(Exercise(meta["grade_id"], float(meta.get("points", 0)), "BY HAND",
                                  "a written answer: your instructor grades it"))
        elif not meta.get("solution"):
            found.append(_exercise(meta, _check_lines(cell)))
    return found


def all_pass(results: list[Exercise]) -> bool:
    """Every visible check passes (written answers have none)."""
    return all(ex.status in ("PASS", "BY HAND") for ex in results)


def _check_lines(cell) -> list[str]:
    """The lines microlab.selfcheck printed: `PASS  name`, `FAIL  name: message`, ..."""
    lines = [line.strip() for o in cell.get("outputs", []) if o.get("output_type") == "stream"
             for line in o.get("text", "").splitlines()]
    return [line for line in lines if line.startswith(STATUS)]


def _exercise(meta: dict, rows: list[str]) -> Exercise:
    points = float(meta.get("points", 0))
    if not rows:
        return Exercise(meta["grade_id"], points, "NOT RUN",
                        "its check cell printed no result (did an earlier cell fail?)")
    statuses = [next(s for s in STATUS if r.startswith(s)) for r in rows]
    worst = next((s for s in ("NOT ANSWERED", "FAIL") if s in statuses), "PASS")
    failed = [r[len(s):].strip() for r, s in zip(rows, statuses) if s != "PASS"]  # "name: message"
    detail = "; ".join(failed) or f"{len(rows)} visible check(s) pass"
    return Exercise(meta["grade_id"], points, worst, detail)


def problems(nb) -> list[str]:
    found = []
    for index, cell in enumerate(nb.cells):
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        if cell.cell_type == "code" and errors and errors[-1].ename == "KeyboardInterrupt":  # nbclient's, on timeout
            found.append(f"cell {index + 1} did not finish within the time limit per cell (--cell-timeout)")
        elif cell.cell_type == "code" and errors:
            found.append(f"cell {index + 1} raised {errors[-1].ename}: {errors[-1].evalue}"[:300])
    return found


def report(path: Path, results: list[Exercise], cell_problems: list[str]) -> str:
    lines = [f"Self-check of {path} (visible checks, run top to bottom in a fresh kernel and lab):"]
    for ex in results:
        head = f"  {ex.status:<12}  {ex.grade_id} ({ex.points:g} pts)"
        lines += [f"{head}: {ex.detail}"] if ex.status in ("PASS", "BY HAND") else [head, f"{'':16}{ex.detail}"]
    lines += [f"  {'PROBLEM':<12}  {p}" for p in cell_problems]
    checked = [ex for ex in results if ex.status != "BY HAND"]
    passed = sum(ex.points for ex in checked if ex.status == "PASS")
    lines.append(f"Visible checks pass for {passed:g} of {sum(ex.points for ex in checked):g} points. "
                 f"These are the visible checks only: {MORE}.")
    return "\n".join(lines)

