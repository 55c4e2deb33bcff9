"""A small way to write nbgrader source notebooks as Python, so their text is reviewable.

`python autograder/authoring/build.py` writes autograder/source/<assignment>/<assignment>.ipynb
from the lab*.py modules here. Cells carry nbgrader metadata (schema 3): read-only cells are
locked, answers are solution cells, checks are locked grade cells with points.
"""
from __future__ import annotations

import textwrap

import nbformat

KERNEL = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def _meta(grade_id, *, grade=False, solution=False, locked=False, points=None, task=False):
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3,
            "solution": solution, "task": task}
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


class Notebook:
    def __init__(self, prefix: str):
        self.prefix = prefix
        self.cells = []

    def _id(self) -> str:
        return f"{self.prefix}-{len(self.cells):02d}"

    def md(self, text: str) -> "Notebook":
        cell = nbformat.v4.new_markdown_cell(textwrap.dedent(text).strip())
        cell.id = self._id()
        self.cells.append(cell)
        return self

    def code(self, src: str, locked: str | None = None) -> "Notebook":
        """A live cell. A locked one (lab set-up, cleanup) is named: `locked="setup"` gives it
        the stable grade id "<prefix>_setup", so inserting a cell after release breaks no
        collected submission; nbgrader restores it from the source at grading."""
        cell = nbformat.v4.new_code_cell(textwrap.dedent(src).strip())
        cell.id = self._id()
        if locked is not None:
            if not isinstance(locked, str) or not locked.isidentifier():
                raise ValueError(f"name the locked cell (locked='setup'), got {locked!r}")
            cell.id = f"{self.prefix}_{locked}"
            if any(c.id == cell.id for c in self.cells):
                raise ValueError(f"two locked cells named {locked!r} in {self.prefix}")
            cell.metadata.update(_meta(cell.id, locked=True))
            cell.metadata.update({"deletable": False, "editable": False})
        self.cells.append(cell)
        return self

    def answer(self, grade_id: str, src: str) -> "Notebook":
        """An autograded exercise: the part between the markers is removed for students."""
        body = textwrap.dedent(src).strip()
        cell = nbformat.v4.new_code_cell(body)
        cell.id = grade_id
        cell.metadata.update(_meta(grade_id, solution=True))
        self.cells.append(cell)
        return self

    def written(self, grade_id: str, text: str, points: int) -> "Notebook":
        """A manually graded written answer (markdown)."""
        cell = nbformat.v4.new_markdown_cell(textwrap.dedent(text).strip())
        cell.id = grade_id
        cell.metadata.update(_meta(grade_id, grade=True, solution=True, points=points))
        self.cells.append(cell)
        return self

    def tests(self, grade_id: str, points: float, visible: str) -> "Notebook":
        """A locked grade cell: it runs the visible checks for the student; its points are
        decided by the grader's own checks (<course>/checks/<assignment>.py), whose points
        must add up to `points` (a test checks they do)."""
        src = textwrap.dedent(visible).strip()
        cell = nbformat.v4.new_code_cell(src)
        cell.id = grade_id
        cell.metadata.update(_meta(grade_id, grade=True, locked=True, points=points))
        cell.metadata.update({"deletable": False, "editable": False})
        self.cells.append(cell)
        return self

    def build(self) -> nbformat.NotebookNode:
        nb = nbformat.v4.new_notebook()
        nb.cells = self.cells
        nb.metadata = {"kernelspec": KERNEL,
                       "language_info": {"name": "python", "version": "3.11"}}
        return nb
