"""Executing one submission in a throw-away copy of the course, never in the course itself.

Each run gets its own temporary course directory, its own MICROLAB_HOME (so its lab has
its own state, ports and processes), a marker in its environment for the sweep, and a wall
clock limit. When the grader runs as root (CI), the run also drops to the `nobody` user, so
a submission that deletes files can only delete its own copy. Afterwards every process
carrying the marker is stopped, whatever happened.
"""
from __future__ import annotations

import functools
import os
import shutil
import sys
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from microlab_grading import sweep
from microlab_grading.nbg import with_venv_path

UNPRIVILEGED = 65534  # nobody / nogroup


@dataclass
class Limits:
    cell: int = 120
    notebook: int = 600
    startup_slack: int = 90  # nbgrader start-up, kernel start, writing results


@dataclass
class RunOutcome:
    student: str
    executed: bool
    seconds: float
    reason: str = ""
    swept: list[int] = field(default_factory=list)
    notebooks: dict[str, bytes] = field(default_factory=dict)  # file name -> executed notebook


@functools.lru_cache(maxsize=1)
def _drop_privileges() -> tuple[str, ...]:
    """The setpriv prefix when running as root and `nobody` can run this Python (a kernel and
    its children included); else nothing, and isolation rests on the copy and the sweep."""
    if os.geteuid() != 0 or not shutil.which("setpriv"):
        return ()
    prefix = ("setpriv", f"--reuid={UNPRIVILEGED}", f"--regid={UNPRIVILEGED}", "--clear-groups", "--")
    probe = "import subprocess, sys; subprocess.run([sys.executable, '-c', 'import microlab_grading'], check=True)"
    try:
        ok = subprocess.run([*prefix, sys.executable, "-c", probe], capture_output=True, cwd="/",
                            timeout=60).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        ok = False
    return prefix if ok else ()


def _environment(root: Path, token: str, limits: Limits) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MICROLAB_", "JPY_", "JUPYTER_"))}
    home = root / "home"
    env.update({
        "HOME": str(home), "MICROLAB_HOME": str(home / ".microlab"), "MICROLAB_BACKEND": "local",
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"), "IPYTHONDIR": str(home / "ipython"),
        "MPLCONFIGDIR": str(home / "mpl"), "MPLBACKEND": "Agg", "PYTHONDONTWRITEBYTECODE": "1",
        sweep.MARKER: token,
        "MICROLAB_CELL_TIMEOUT": str(limits.cell), "MICROLAB_NOTEBOOK_TIMEOUT": str(limits.notebook),
    })
    return env


def _prepare(course: Path, assignment: str, student: str, submission: Path, root: Path) -> Path:
    copy = root / "course"
    copy.mkdir(parents=True)
    shutil.copy2(course / "nbgrader_config.py", copy)
    shutil.copy2(course / "gradebook.db", copy)
    shutil.copytree(course / "source" / assignment, copy / "source" / assignment)
    shutil.copytree(submission, copy / "submitted" / student / assignment)
    (root / "home").mkdir()
    return copy


def _chown_tree(root: Path) -> None:
    for path in [root, *root.rglob("*")]:
        os.lchown(path, UNPRIVILEGED, UNPRIVILEGED)


def run_isolated(course: Path, assignment: str, student: str, submission: Path,
                 limits: Limits) -> RunOutcome:
    """Execute one submission; the executed notebooks come back in memory, so nothing a
    submission writes anywhere on disk can stand in for them."""
    started = time.monotonic()
    token = uuid.uuid4().hex
    root = Path(tempfile.mkdtemp(prefix=f"microlab-grade-{student}-"))
    reason, found = "", {}
    try:
        copy = _prepare(course, assignment, student, submission, root)
        prefix = _drop_privileges()
        if prefix:
            _chown_tree(root)
        env = with_venv_path(_environment(root, token, limits))
        try:
            code, tail = _autograde(prefix, copy, assignment, student, env, limits)
            if code != 0:
                reason = f"grader failed: {tail}"
        except subprocess.TimeoutExpired:
            reason = f"timeout: the run took longer than {limits.notebook + limits.startup_slack} s"
        graded = copy / "autograded" / student / assignment
        found = {nb.name: nb.read_bytes() for nb in sorted(graded.glob("*.ipynb"))} if graded.is_dir() else {}
        if not found and not reason:
            reason = "the isolated run produced no graded notebook"
    except OSError as exc:  # e.g. the submission deleted its own copy mid-run
        reason = f"isolated run broke: {exc}"
    finally:
        swept = sweep.stop_marked(token)
        shutil.rmtree(root, ignore_errors=True)
    return RunOutcome(student, bool(found), time.monotonic() - started, reason, swept, found)


def _autograde(prefix, copy, assignment, student, env, limits) -> tuple[int, str]:
    """Run nbgrader; its output goes to a file, not a pipe: a process the submission left
    behind may hold inherited pipes open forever, and reading them would hang the grader."""
    argv = [*prefix, sys.executable, "-m", "nbgrader", "autograde", assignment, "--student", student,
            "--force", f"--CourseDirectory.root={copy}"]
    log = copy.parent / "nbgrader.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(argv, cwd=copy, env=env, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
        try:
            code = proc.wait(timeout=limits.notebook + limits.startup_slack)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            raise
    try:
        tail = log.read_text(errors="replace").splitlines()[-3:]
    except OSError:
        tail = ["(its log is gone: the submission deleted its own copy)"]
    return code, " ".join(tail)
