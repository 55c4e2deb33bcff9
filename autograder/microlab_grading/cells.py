"""Which cells of an assignment's notebook are which, read from nbgrader's cell metadata."""
from __future__ import annotations

from nbformat.notebooknode import NotebookNode


def setup_cells(nb) -> list[NotebookNode]:
    """The locked code cells before the first answer cell: the course's set-up (a cell a
    student added there is not part of it)."""
    found = []
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type != "code":
            continue
        if meta.get("solution"):
            break
        if meta.get("locked"):
            found.append(cell)
    return found
