"""Every notebook in notebooks/ runs top to bottom in a real kernel, once: graded ones with
their reference answers filled in from autograder/source, and nothing left running after
the notebook's own clean-up cell. Notebooks are found by glob, never listed by hand.
"""
from __future__ import annotations

import time
import uuid
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from microlab_grading import paths, pipeline, sweep

NOTEBOOKS = sorted(paths.notebooks_dir().glob("*.ipynb"))


def with_reference_answers(path: Path) -> nbformat.NotebookNode:
    nb = nbformat.read(path, as_version=4)
    if (paths.course_dir() / "source" / path.stem).is_dir():
        nb = pipeline.fill_answers(nb, pipeline.solution_sources(path.stem))
    return nb


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
                       # run where a student would keep their own files, never in the checkout
                       resources={"metadata": {"path": str(tmp_path)}}).execute()
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
