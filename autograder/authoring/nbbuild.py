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

    def code(self, src: str, locked: bool = False) -> "Notebook":
        """A live cell; locked ones (lab set-up, cleanup) are restored from the source at grading."""
        cell = nbformat.v4.new_code_cell(textwrap.dedent(src).strip())
        cell.id = self._id()
        if locked:
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

    def tests(self, grade_id: str, points: int, visible: str, hidden: str = "") -> "Notebook":
        src = textwrap.dedent(visible).strip()
        if hidden:
            src += "\n### BEGIN HIDDEN TESTS\n" + textwrap.dedent(hidden).strip() + "\n### END HIDDEN TESTS"
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


def fresh(module: str, alias: str = "_checks") -> str:
    """Hidden-test preamble: load the check module anew from its file, so a submission that
    patched the imported package (attributes or sys.modules entries) cannot change the verdict."""
    return (
        "import importlib.util as _iu\n"
        f"_spec = _iu.spec_from_file_location('_fresh_{module}', "
        f"_iu.find_spec('microlab_grading').submodule_search_locations[0] + '/{module}.py')\n"
        f"{alias} = _iu.module_from_spec(_spec)\n"
        f"_spec.loader.exec_module({alias})"
    )


def hidden(module: str, calls: str) -> str:
    """A hidden-test body: the fresh-load preamble, then the check calls."""
    return fresh(module) + "\n" + textwrap.dedent(calls).strip()
