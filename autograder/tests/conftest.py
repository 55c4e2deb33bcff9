"""Fixtures for the tests that grade the graders: a private copy of the course, generated
once per session, and one batch autograde run per assignment."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from microlab_grading import paths, pipeline


@pytest.fixture(scope="session")
def course(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("course")
    for name in paths.COURSE_FILES:
        src = paths.course_dir() / name
        (shutil.copytree if src.is_dir() else shutil.copy2)(src, root / name)
    pipeline.generate(paths.assignments(root), root)
    return root
