"""The student handout: built from the course, installable on its own, runs a notebook, and
holds no solution, grader check, answer key, grader test or grading package (scanned)."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

from microlab_grading import handout

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]


@pytest.fixture(scope="module")
def built(course, tmp_path_factory) -> Path:
    return handout.build(tmp_path_factory.mktemp("handout") / "microlab-handout", course)


@pytest.fixture(scope="module")
def secrets(course) -> list[str]:
    found = handout.secrets_of(course)
    assert len(found) >= 10, "the scanner must know the answer keys and the solutions' lines"
    return found


@pytest.fixture(scope="module")
def wheel(built, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("handout-wheel")
    copy = out / "src"  # setuptools builds in the tree: keep the handout itself as built
    shutil.copytree(built, copy)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(out), str(copy)],
                   check=True, timeout=300)
    return next(out.glob("*.whl"))


def test_the_handout_holds_nothing_of_the_graders(built, secrets, wheel, tmp_path):
    assert sorted(p.name for p in built.iterdir()) == ["Makefile", "README.md", "labs", "microlab",
                                                       "notebooks", "pyproject.toml"]
    assert handout.scan(built, secrets) == []
    unpacked = tmp_path / "wheel"
    zipfile.ZipFile(wheel).extractall(unpacked)
    assert handout.scan(unpacked, secrets) == []
    assert not (unpacked / "microlab_grading").exists()
    assert "nbgrader" not in (built / "pyproject.toml").read_text()  # no Formgrader in a student's JupyterLab


def test_the_scanner_finds_a_planted_solution_and_key(built, secrets, tmp_path):
    planted = tmp_path / "planted"
    (planted / "notebooks").mkdir(parents=True)
    line = next(s for s in secrets if "=" in s)
    (planted / "notebooks" / "x.ipynb").write_text(json.dumps({"cells": [{"source": [line]}]}))
    (planted / "notes.py").write_text("# BEGIN SOLUTION\n")
    (planted / "gradebook.db").write_text("")
    found = {problem.split(":")[0] for problem in handout.scan(planted, secrets)}
    assert found == {"notebooks/x.ipynb", "notes.py", "gradebook.db"}, found


def test_the_handout_installs_alone_and_checks_a_notebook(wheel, built, tmp_path):
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=False)
    site = next((env_dir / "lib").glob("python3*/site-packages"))
    deps = next(Path(p) for p in sys.path if p.endswith("site-packages") and Path(p).is_dir())
    (site / "suite-deps.pth").write_text(str(deps) + "\n")  # dependencies only: its .pth files stay unread
    zipfile.ZipFile(wheel).extractall(site)
    python = env_dir / "bin" / "python"
    env = {"PATH": f"{env_dir / 'bin'}:/usr/bin:/bin", "HOME": str(tmp_path), "MICROLAB_HOME": str(tmp_path / "labs")}
    where = subprocess.run([str(python), "-c", "import microlab, labs; print(microlab.__file__)\n"
                            "import importlib.util as u; print(u.find_spec('microlab_grading'))"],
                           capture_output=True, text=True, cwd=tmp_path, env=env, timeout=60)
    assert where.stdout.split()[0].startswith(str(site)) and where.stdout.split()[1] == "None", where
    check = subprocess.run([str(python), "-m", "microlab.cli", "check", "notebooks/01-monolith.ipynb"],
                           capture_output=True, text=True, cwd=built, env=env, timeout=400)
    assert check.returncode == 1 and "NOT ANSWERED" in check.stdout, check.stdout + check.stderr
    assert "Traceback" not in check.stdout + check.stderr
    grading = subprocess.run([str(python), "-m", "microlab.cli", "grade", "generate"], capture_output=True,
                             text=True, cwd=built, env=env, timeout=60)
    assert grading.returncode != 0 and "for instructors" in grading.stderr
