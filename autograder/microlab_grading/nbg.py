"""Running nbgrader commands against a course directory, as a child process."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


class NbgraderFailed(RuntimeError):
    pass


def nbgrader(args: list[str], course: Path, env: dict[str, str] | None = None,
             timeout: float | None = None, check: bool = True, **popen) -> subprocess.CompletedProcess:
    """`nbgrader ARGS` with the course's config; raises with nbgrader's own last lines on failure."""
    argv = [sys.executable, "-m", "nbgrader", *args, f"--CourseDirectory.root={course}"]
    proc = subprocess.run(argv, cwd=course, env=with_venv_path(env or os.environ.copy()), capture_output=True,
                          text=True, timeout=timeout, **popen)
    if check and proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-25:])
        raise NbgraderFailed(f"nbgrader {' '.join(args)} failed (exit {proc.returncode}):\n{tail}")
    return proc


def with_venv_path(env: dict[str, str]) -> dict[str, str]:
    """nbgrader runs `alembic` by name: the interpreter's own bin/ must come first on PATH."""
    bindir = str(Path(sys.executable).parent)
    return env | {"PATH": bindir + os.pathsep + env.get("PATH", "")}
