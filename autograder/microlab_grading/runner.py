"""Executes one submitted notebook inside the sandbox, for the record only.

    python -I -m microlab_grading.runner IN.ipynb OUT CELL_TIMEOUT NOTEBOOK_TIMEOUT

The executed notebook goes to OUT: under bubblewrap a file descriptor number, opened by the
grader on a file outside the sandbox (the submission can delete its whole folder and the
record still arrives: the kernel does not inherit the descriptor); in a container, a path in
a folder mounted for the record alone (containerbox.py).

nbclient's execution under the limits nbgrader's would have (notebookrun.BoundedClient:
per-cell and per-notebook timeouts), with no course, gradebook or check anywhere in reach.
Its outputs are what the instructor sees in formgrader and feedback; the grade is decided
elsewhere (judge.py).
"""
from __future__ import annotations

import sys
from pathlib import Path

from microlab_grading import leanimports  # noqa: F401  (first: it keeps nbformat's import cheap)

import nbformat  # noqa: E402

from microlab_grading.notebookrun import BoundedClient  # noqa: E402


def main() -> None:
    source, out, cell, budget = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    nb = nbformat.read(source, as_version=4)
    client = BoundedClient(nb, timeout=cell, notebook_timeout=budget, interrupt_on_timeout=True,
                           kernel_oom_first=True, resources={"metadata": {"path": str(source.parent)}})
    try:
        client.execute()
    finally:
        with open(int(out) if out.isdigit() else out, "w", encoding="utf-8") as record:
            nbformat.write(nb, record)


if __name__ == "__main__":
    main()
