"""The student notebooks are exactly what generation from source produces (they are run
top to bottom, with the reference answers filled in, by tests/e2e/test_notebooks_run.py)."""
from __future__ import annotations

import pytest

from microlab_grading import paths, pipeline

NOTEBOOKS = sorted(paths.notebooks_dir().glob("*.ipynb"))
GENERATED = [p for p in NOTEBOOKS if (paths.course_dir() / "source" / p.stem).is_dir()]


@pytest.mark.timeout(600)
def test_notebooks_are_exactly_what_generation_produces(course, tmp_path):
    """Regenerate notebooks/ from source (in a copy) and compare byte for byte."""
    out = tmp_path / "notebooks"
    written = pipeline.release(paths.assignments(course), course, out)
    assert sorted(p.name for p in written) == sorted(p.name for p in GENERATED), \
        "every assignment has a notebook in notebooks/, and nothing stale is left there"
    for fresh in written:
        committed = paths.notebooks_dir() / fresh.name
        assert fresh.read_text() == committed.read_text(), (
            f"{committed} differs from what `microlab grade generate && microlab grade release` "
            "produces: edit autograder/authoring, rebuild the source, regenerate; never edit by hand")
