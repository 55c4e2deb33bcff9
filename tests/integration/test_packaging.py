"""A non-editable install is complete: every package folder and data file is in the wheel,
and the installed commands run from outside any checkout (nothing found from __file__)."""
from __future__ import annotations

import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE_ROOTS = {"microlab": ROOT / "infra" / "microlab", "labs": ROOT / "labs",
                 "microlab_grading": ROOT / "autograder" / "microlab_grading"}
DATA = ["microlab/gateway/kong.yml", "microlab/broker/pom.xml", "microlab/images/Dockerfile",
        "microlab/images/offline/kafka.Dockerfile", "microlab/broker/kafka-version.txt"]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(out), str(ROOT)],
                   check=True, timeout=300)
    return next(out.glob("microlab-*.whl"))


def test_every_package_folder_and_data_file_is_in_the_wheel(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for name, folder in PACKAGE_ROOTS.items():
        for init in folder.rglob("__init__.py"):
            if "__pycache__" not in init.parts:
                assert f"{name}/{init.relative_to(folder).as_posix()}" in names
    assert set(DATA) <= names
    assert not any(n.startswith(("tests/", "notebooks/", "bench/")) for n in names)


def test_installed_commands_run_outside_a_checkout(wheel, tmp_path):
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=False)
    python = env_dir / "bin" / "python"
    site = next((env_dir / "lib").glob("python3*/site-packages"))
    # The dependencies come from the suite's own venv (a plain path: its .pth files, and so
    # the editable install of microlab, are not read); microlab itself from the wheel.
    deps = next(Path(p) for p in sys.path if p.endswith("site-packages") and Path(p).is_dir())
    (site / "suite-deps.pth").write_text(str(deps) + "\n")
    with zipfile.ZipFile(wheel) as zf:
        zf.extractall(site)
    run = lambda *argv: subprocess.run([str(python), *argv], cwd=tmp_path, capture_output=True,
                                       text=True, timeout=120, env={"PATH": "/usr/bin:/bin",
                                                                    "HOME": str(tmp_path)})
    where = run("-c", "import microlab, microlab_grading; print(microlab.__file__)")
    assert where.returncode == 0, where.stderr
    assert where.stdout.strip().startswith(str(site))
    doctor = run("-m", "microlab.cli", "doctor")
    assert doctor.returncode == 0 and "backend for 'auto'" in doctor.stdout, doctor.stdout + doctor.stderr
    grade = run("-m", "microlab.cli", "grade", "--help")
    assert grade.returncode == 0 and "autograde" in grade.stdout, grade.stderr
    nowhere = run("-m", "microlab.cli", "grade", "generate")
    assert nowhere.returncode == 2 and "MICROLAB_COURSE" in nowhere.stderr
    assert "Traceback" not in nowhere.stderr
