"""Executes one submitted notebook inside the sandbox, for the record only.

    python -I -m microlab_grading.runner IN.ipynb OUT.ipynb CELL_TIMEOUT NOTEBOOK_TIMEOUT

nbgrader's own execution (BoundedExecute: per-cell and per-notebook timeouts), with no
course, gradebook or check anywhere in reach. Its outputs are what the instructor sees in
formgrader and feedback; the grade is decided elsewhere (judge.py).
"""
from __future__ import annotations

import sys
from pathlib import Path

import nbformat

from microlab_grading.execution import BoundedExecute


def main() -> None:
    source, out, cell, budget = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    nb = nbformat.read(source, as_version=4)
    executor = BoundedExecute(timeout=cell, notebook_timeout=budget, interrupt_on_timeout=True)
    try:
        executor.preprocess(nb, {"metadata": {"path": str(source.parent)}})
    finally:
        nbformat.write(nb, out)


if __name__ == "__main__":
    main()
