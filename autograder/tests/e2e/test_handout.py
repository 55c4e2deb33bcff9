"""The student handout: built from the course, holds no solution, grader check, answer key,
grader test or grading package (every file scanned, and every file of its wheel), installs
on its own, runs a notebook, and checks one."""
from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import sys
import time
import uuid
import venv
import zipfile
from pathlib import Path

import nbformat
import pytest

from microlab.settings import settings
from microlab_grading import handout, paths, sweep

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]
SOLUTION = re.compile(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", re.S)


@pytest.fixture(scope="module")
def built(course, tmp_path_factory) -> Path:
    return handout.build(tmp_path_factory.mktemp("handout") / "microlab-handout", course)


def answer_keys(course: Path) -> list[str]:
    keys = []
    for path in sorted((course / "checks").glob("*.py")):
        spec = importlib.util.spec_from_file_location(f"keys_{path.stem.replace('-', '_')}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        keys += module.SECRETS
    return keys


def solution_lines(course: Path) -> list[str]:
    """Distinctive solution lines, but for those the assignment's own text shows (a quote of
    the course text, in a markdown cell that is no answer)."""
    lines = []
    for path in sorted((course / "source").glob("*/*.ipynb")):
        cells = nbformat.read(path, as_version=4).cells
        shown = handout.shown_text(cells)
        for cell in cells:
            for region in SOLUTION.findall(cell.source):
                lines += [l.strip() for l in region.splitlines() if len(l.strip()) >= 25 and l.strip() not in shown]
    return lines


@pytest.fixture(scope="module")
def needles(course, built) -> list[str]:
    """Every answer key and every distinctive solution line, but for a line the shop's or
    microlab's own code or the gateway configs the runtime ships hold too (the handout must
    hold them: such a line gives nothing away)."""
    shipped = [*(built / "labs").rglob("*.py"), *(built / "microlab").rglob("*.py"),
               *(built / "microlab" / "gateway").rglob("*.yml")]
    shop = "\n".join(p.read_text() for p in shipped)
    found = sorted(set(answer_keys(course)) | {l for l in solution_lines(course) if l not in shop})
    assert len(found) >= 20, found
    assert handout.secrets_of(course) == found, "build() must scan for every one of them"
    return found


@pytest.fixture(scope="module")
def wheel(built, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("handout-wheel")
    source = shutil.copytree(built, out / "handout")  # a build writes build/ and egg-info beside the code
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                    "-w", str(out), str(source)], check=True, timeout=300)
    return next(out.glob("*.whl"))


def test_the_handout_holds_only_what_students_get(built, needles, wheel, tmp_path):
    assert sorted(p.name for p in built.iterdir()) == ["Makefile", "README.md", "environment.yml", "labs",
                                                       "microlab", "notebooks", "pyproject.toml"]
    released = sorted(p.name for p in paths.notebooks_dir().glob("*.ipynb"))
    assert sorted(p.name for p in (built / "notebooks").iterdir()) == released
    assert handout.scan(built, needles) == []
    unpacked = tmp_path / "wheel"
    zipfile.ZipFile(wheel).extractall(unpacked)
    assert {p.name for p in unpacked.iterdir() if p.suffix != ".dist-info"} == {"microlab", "labs"}
    assert handout.scan(unpacked, needles) == []
    assert "nbgrader" not in (built / "pyproject.toml").read_text()  # no Formgrader in a student's JupyterLab


def test_the_scanner_finds_what_is_planted_in_a_copy(built, needles, tmp_path):
    copy = shutil.copytree(built, tmp_path / "copy")
    key = next(n for n in needles if '"' in n)  # quotes: escaped in a notebook's JSON
    line = next(n for n in needles if n.startswith(("raise", "return", "if ")))
    nb = nbformat.read(copy / "notebooks" / "01-monolith.ipynb", as_version=4)
    nb.cells[-1].source += "\n" + key
    nbformat.write(nb, copy / "notebooks" / "01-monolith.ipynb")
    (copy / "labs" / "helpers.py").write_text(f"def f():\n    {line}\n")
    (copy / "microlab" / "notes.py").write_text("# ### BEGIN HIDDEN TESTS\n")
    for name in ("gradebook.db", "source/01-monolith/01-monolith.ipynb", "microlab_grading/__init__.py"):
        (copy / name).parent.mkdir(parents=True, exist_ok=True)
        (copy / name).write_text("{}")
    found = handout.scan(copy, needles)
    assert sorted({f.split(":")[0] for f in found}) == ["gradebook.db", "labs/helpers.py", "microlab/notes.py",
                                                "microlab_grading/__init__.py", "notebooks/01-monolith.ipynb",
                                                "source/01-monolith/01-monolith.ipynb"], found


@pytest.fixture(scope="module")
def student_venv(built, tmp_path_factory) -> Path:
    """A fresh venv with the handout pip-installed: its dependencies are read from the suite's
    venv (a plain path: that venv's .pth files, and so its editable microlab, stay unread)."""
    env_dir = tmp_path_factory.mktemp("student") / "venv"
    source = shutil.copytree(built, env_dir.parent / "handout")  # as a student's own copy
    venv.create(env_dir, with_pip=False)
    site = next((env_dir / "lib").glob("python3*/site-packages"))
    deps = next(Path(p) for p in sys.path if p.endswith("site-packages") and Path(p).is_dir())
    (site / "suite-deps.pth").write_text(str(deps) + "\n")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(env_dir / "bin" / "python"), "install",
                    "--quiet", "--no-deps", str(source)], check=True, timeout=300)
    return env_dir


def run_student(student_venv: Path, built: Path, tmp: Path, *argv: str, timeout: int = 120):
    """A command in the student's venv, in the handout folder, with its own lab home; every
    process it starts carries a token, so none can outlive the test."""
    token = uuid.uuid4().hex
    env = {"PATH": f"{student_venv / 'bin'}:/usr/bin:/bin", "HOME": str(tmp), "MICROLAB_BACKEND": "local",
           "MICROLAB_HOME": str(tmp / "microlab"), "MICROLAB_CACHE": str(settings().cache),
           "MPLBACKEND": "Agg", sweep.MARKER: token}
    try:
        proc = subprocess.run(list(argv), capture_output=True, text=True, cwd=built, env=env, timeout=timeout)
        deadline = time.monotonic() + 10  # a kernel takes a moment to exit
        while sweep.survivors(token) and time.monotonic() < deadline:
            time.sleep(0.2)
        return proc, sweep.survivors(token)
    finally:
        sweep.stop_marked(token)


WELCOME = """
import sys, nbformat
from nbclient import NotebookClient
nb = nbformat.read("notebooks/00-welcome.ipynb", as_version=4)
nb.cells.append(nbformat.v4.new_code_cell("import microlab, labs; print(microlab.__file__, labs.__file__)"))
NotebookClient(nb, timeout=180, kernel_name="python3", resources={"metadata": {"path": "notebooks"}}).execute()
nbformat.write(nb, sys.argv[1])
"""


def test_the_welcome_notebook_runs_from_the_handout_install(student_venv, built, tmp_path):
    python = str(student_venv / "bin" / "python")
    proc, left = run_student(student_venv, built, tmp_path, python, "-c", WELCOME, str(tmp_path / "out.ipynb"),
                             timeout=400)
    assert proc.returncode == 0, proc.stderr[-3000:]
    nb = nbformat.read(tmp_path / "out.ipynb", as_version=4)
    errors = [(i, o.ename, o.evalue) for i, c in enumerate(nb.cells) if c.cell_type == "code"
              for o in c.outputs if o.output_type == "error"]
    assert errors == []
    where = nb.cells[-1].outputs[0].text.split()
    site = str(next((student_venv / "lib").glob("python3*/site-packages")))
    assert all(path.startswith(site) for path in where), where  # the handout's install, not the checkout
    assert left == [], "the notebook's lab.down() left processes running"


def test_check_and_grading_commands_in_the_handout(student_venv, built, tmp_path):
    microlab = str(student_venv / "bin" / "microlab")
    released = nbformat.read(built / "notebooks" / "01-monolith.ipynb", as_version=4)
    graded = [c.metadata.nbgrader.grade_id for c in released.cells
              if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("grade")]
    check, left = run_student(student_venv, built, tmp_path, microlab, "check", "notebooks/01-monolith.ipynb",
                              timeout=300)
    out = check.stdout + check.stderr
    assert check.returncode == 1 and "Traceback" not in out and left == [], out
    for grade_id in graded:
        assert re.search(rf"^  NOT ANSWERED +{grade_id} ", check.stdout, re.M), out
    assert "more checks run when your work is graded" in check.stdout
    grading, _ = run_student(student_venv, built, tmp_path, microlab, "grade", "generate")
    assert grading.returncode != 0 and "grading is for instructors" in grading.stderr
    solutions, _ = run_student(student_venv, built, tmp_path, microlab, "solutions", "01-monolith")
    assert solutions.returncode != 0 and "not with the student handout" in solutions.stderr
    assert "Traceback" not in grading.stderr + solutions.stderr
