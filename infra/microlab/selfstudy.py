"""`microlab check NOTEBOOK`: run a notebook top to bottom in a fresh kernel and a throw-away
lab, and report its visible checks per exercise, in a line or two each.

Works from the student handout (no grading tools needed): the check cells print their
results through microlab.selfcheck, and this reads those lines back.
"""
from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from microlab.selfcheck import MORE, STATUS


@dataclass
class Exercise:
    grade_id: str
    points: float
    status: str  # PASS | FAIL | NOT ANSWERED | NOT RUN
    detail: str


def run(path: Path, cell_timeout: int = 120) -> tuple[list[Exercise], list[str]]:
    """(exercises, problems): problems are cells outside the checks that raised."""
    nb = nbformat.read(path, as_version=4)
    saved = dict(os.environ)
    with tempfile.TemporaryDirectory(prefix="microlab-check-") as home:
        # the kernel inherits this: its lab lives apart from the student's own running lab
        os.environ.update({"MICROLAB_HOME": home, "MICROLAB_BACKEND": "local", "MPLBACKEND": "Agg"})
        try:
            NotebookClient(nb, timeout=cell_timeout, allow_errors=True, kernel_name="python3",
                           resources={"metadata": {"path": str(path.parent.resolve())}}).execute()
        finally:
            os.environ.clear()
            os.environ.update(saved)
            from microlab.lab import make_backend

            for lab_id in _labs_in(home):  # whatever the notebook left running
                make_backend("local", lab_id).down()
    return exercises(nb), problems(nb)


def _labs_in(home: str) -> list[str]:
    return sorted(p.parent.name for p in (Path(home) / "labs").glob("*/state.json"))


def exercises(nb) -> list[Exercise]:
    found = []
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type != "code" or not meta.get("grade") or meta.get("solution"):
            continue
        lines = [line.strip() for o in cell.get("outputs", []) if o.get("output_type") == "stream"
                 for line in o.get("text", "").splitlines()]
        rows = [line for line in lines if line.startswith(STATUS)]
        worst = next((s for s in ("NOT ANSWERED", "FAIL") if any(r.startswith(s) for r in rows)), "PASS")
        if not rows:
            worst, rows = "NOT RUN", ["the check cell printed no result (did an earlier cell fail?)"]
        detail = "; ".join(r for r in rows if not r.startswith("PASS")) or f"{len(rows)} visible check(s) pass"
        found.append(Exercise(meta["grade_id"], float(meta.get("points", 0)), worst, detail))
    return found


def problems(nb) -> list[str]:
    found = []
    for index, cell in enumerate(nb.cells):
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        if cell.cell_type == "code" and errors:
            found.append(f"cell {index + 1} raised {errors[-1].ename}: {errors[-1].evalue}"[:300])
    return found


def report(path: Path, results: list[Exercise], cell_problems: list[str]) -> str:
    lines = [f"Self-check of {path} (visible checks, run top to bottom in a fresh kernel and lab):"]
    for ex in results:
        lines.append(f"  {ex.status:<12} {ex.grade_id} ({ex.points:g} pts): {ex.detail}")
    lines += [f"  problem      {p}" for p in cell_problems]
    passed = sum(ex.points for ex in results if ex.status == "PASS")
    lines.append(f"Visible checks pass for {passed:g} of {sum(ex.points for ex in results):g} points; {MORE}.")
    return "\n".join(lines)
