"""The student notebooks: generated from source exactly, and runnable top to bottom.

Notebooks are discovered by glob, never listed by hand: a new notebooks/NN-*.ipynb is
picked up on its own.
"""
from __future__ import annotations

import time
import uuid
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from microlab_grading import paths, pipeline, sweep

NOTEBOOKS = sorted(paths.NOTEBOOKS_DIR.glob("*.ipynb"))
GENERATED = [p for p in NOTEBOOKS if (paths.COURSE_DIR / "source" / p.stem).is_dir()]


@pytest.mark.e2e
@pytest.mark.timeout(600)
def test_notebooks_are_exactly_what_generation_produces(course, tmp_path):
    """Regenerate notebooks/ from source (in a copy) and compare byte for byte."""
    out = tmp_path / "notebooks"
    written = pipeline.release(paths.assignments(course), course, out)
    assert sorted(p.name for p in written) == sorted(p.name for p in GENERATED), \
        "every assignment has a notebook in notebooks/, and nothing stale is left there"
    for fresh in written:
        committed = paths.NOTEBOOKS_DIR / fresh.name
        assert fresh.read_text() == committed.read_text(), (
            f"{committed} differs from what `microlab grade generate && microlab grade release` "
            "produces: edit autograder/authoring, rebuild the source, regenerate; never edit by hand")


def with_reference_answers(path: Path) -> nbformat.NotebookNode:
    nb = nbformat.read(path, as_version=4)
    if (paths.COURSE_DIR / "source" / path.stem).is_dir():
        nb = pipeline.fill_answers(nb, pipeline.solution_sources(path.stem))
    return nb


@pytest.mark.e2e
@pytest.mark.slow
@pytest.mark.timeout(400)
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_top_to_bottom(path, tmp_path, monkeypatch):
    token = uuid.uuid4().hex
    monkeypatch.setenv("MICROLAB_HOME", str(tmp_path / "home"))  # its labs live apart
    monkeypatch.setenv("MICROLAB_BACKEND", "local")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.setenv(sweep.MARKER, token)
    nb = with_reference_answers(path)
    try:
        NotebookClient(nb, timeout=180, kernel_name="python3",
                       resources={"metadata": {"path": str(path.parent)}}).execute()
        deadline = time.monotonic() + 10  # the kernel itself takes a moment to exit
        while sweep.survivors(token) and time.monotonic() < deadline:
            time.sleep(0.2)
        left = sweep.survivors(token)
    finally:
        sweep.stop_marked(token)
    errors = [(i, o.ename, o.evalue) for i, c in enumerate(nb.cells) if c.cell_type == "code"
              for o in c.outputs if o.output_type == "error"]
    assert not errors, errors
    assert left == [], f"{path.name} left processes running after its cleanup cell: {left}"
