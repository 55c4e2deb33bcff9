"""No warning from microlab's own code in what a student sees: a notebook cell that uses the
Docker progress bars, and `microlab check`'s report."""
from __future__ import annotations

import subprocess
import sys

import nbformat
from nbclient import NotebookClient


def run_cells(*sources: str) -> list[dict]:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(s) for s in sources]
    NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    return [o for cell in nb.cells for o in cell.outputs]


def test_progress_bars_in_a_notebook_warn_nothing():
    outputs = run_cells(
        "import microlab.docker.progress as progress\n"
        "bar = progress.tqdm(total=2, desc='build')\nbar.update(2)\nbar.close()\n"
        "print(any(c.__module__ == 'tqdm.notebook' for c in type(bar).__mro__))")
    stderr = [o["text"] for o in outputs if o.get("name") == "stderr"]
    assert stderr == [], stderr
    assert [o["text"] for o in outputs if o.get("name") == "stdout"] == ["True\n"]  # a widget bar


def test_microlab_check_prints_its_report_and_nothing_else(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("print('hello')")]
    path = tmp_path / "tiny.ipynb"
    nbformat.write(nb, path)
    done = subprocess.run([sys.executable, "-m", "microlab.cli", "check", str(path)],
                          capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""  # the kernel's "running over TCP without encryption" included
    assert done.stdout.startswith(f"Self-check of {path} ")
