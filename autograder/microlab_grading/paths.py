"""Where the course lives: the nbgrader course directory and the students' notebooks folder."""
from __future__ import annotations

from pathlib import Path

COURSE_DIR = Path(__file__).resolve().parent.parent  # autograder/
REPO_DIR = COURSE_DIR.parent
NOTEBOOKS_DIR = REPO_DIR / "notebooks"
COURSE_FILES = ("nbgrader_config.py", "source")  # what a copy of the course needs


def assignments(course_dir: Path = COURSE_DIR) -> list[str]:
    """Every assignment with a source folder, in course order (01-..., 02-...)."""
    source = course_dir / "source"
    return sorted(p.name for p in source.iterdir() if p.is_dir() and not p.name.startswith("."))


def source_notebooks(assignment: str, course_dir: Path = COURSE_DIR) -> list[Path]:
    return sorted((course_dir / "source" / assignment).glob("*.ipynb"))
