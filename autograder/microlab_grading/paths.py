"""Where the course lives: the nbgrader course directory and the students' notebooks folder.

The course is found from configuration (MICROLAB_COURSE, else the autograder/ of the
checkout the working directory is in; see microlab.settings), never from where this
package is installed: an instructor's course need not be next to the installed code.
"""
from __future__ import annotations

from pathlib import Path

from microlab.errors import LabError
from microlab.settings import settings

COURSE_FILES = ("nbgrader_config.py", "source", "checks")  # what a copy of the course needs


def course_dir() -> Path:
    found = settings().course
    if found is None:
        raise LabError("no nbgrader course found: run this inside the microlab checkout, or set "
                       "MICROLAB_COURSE to the course directory (the one with nbgrader_config.py)")
    if not (found / "nbgrader_config.py").is_file():
        raise LabError(f"MICROLAB_COURSE={found} holds no nbgrader_config.py: point it at the course")
    return found


def notebooks_dir(course: Path | None = None) -> Path:
    """The students' notebooks: notebooks/ next to the course directory."""
    return (course or course_dir()).parent / "notebooks"


def assignments(course: Path | None = None) -> list[str]:
    """Every assignment with a source folder, in course order (01-..., 02-...)."""
    source = (course or course_dir()) / "source"
    return sorted(p.name for p in source.iterdir() if p.is_dir() and not p.name.startswith("."))


def source_notebooks(assignment: str, course: Path | None = None) -> list[Path]:
    return sorted(((course or course_dir()) / "source" / assignment).glob("*.ipynb"))
