"""Where untrusted code runs: a bubblewrap sandbox when one can be had.

Inside it the whole file system is read-only (the venv included), /tmp and the folders
where users keep files (/home, /root, /work, ...) are empty but for the run's own folder,
the interpreter, the code and the caches, the instructor's course (solutions, checks, gradebook, every other
student's files) and the grader's lab homes are hidden behind empty folders, and the run
has its own pid namespace: when the run ends, every process it started ends with it,
however it detached. Without bubblewrap the run falls back to dropping to `nobody` (as
root) or to the grader's own user; `mechanism()` names which, and the pipeline prints it.
"""
from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
from pathlib import Path

UNPRIVILEGED = 65534  # nobody / nogroup


@functools.lru_cache(maxsize=1)
def mechanism() -> str:
    """"bubblewrap", "nobody" or "none" (the run is only a copy plus the process sweep)."""
    if shutil.which("bwrap") and _works(["bwrap", "--ro-bind", "/", "/", "--dev", "/dev", "--proc",
                                         "/proc", "--unshare-pid", "--die-with-parent", "--"]):
        return "bubblewrap"
    if os.geteuid() == 0 and shutil.which("setpriv") and _works(_setpriv()):
        return "nobody"
    return "none"


def _setpriv() -> list[str]:
    return ["setpriv", f"--reuid={UNPRIVILEGED}", f"--regid={UNPRIVILEGED}", "--clear-groups", "--"]


def _works(prefix: list[str]) -> bool:
    probe = "import microlab, microlab_grading"
    try:
        return subprocess.run([*prefix, sys.executable, "-I", "-c", probe], capture_output=True,
                              cwd="/", timeout=60).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def prefix(workdir: Path, hidden: list[Path]) -> list[str]:
    """The argv prefix that confines a command to `workdir` (writable) with `hidden` folders
    and files replaced by empty ones."""
    kind = mechanism()
    if kind == "bubblewrap":
        args = ["bwrap", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc"]
        for top in PRIVATE_TOPS:  # homes and work folders may hold other copies of a course
            if Path(top).is_dir():
                args += ["--tmpfs", top]
        for keep in _needed_under_private():  # the interpreter, the code and the caches
            args += ["--ro-bind", str(keep), str(keep)]
        args += ["--bind", str(workdir), str(workdir)]
        for path in hidden:
            if path.is_dir():
                args += ["--tmpfs", str(path)]
            elif path.exists():
                args += ["--ro-bind", "/dev/null", str(path)]
        return args + ["--unshare-pid", "--die-with-parent", "--new-session", "--chdir", str(workdir), "--"]
    if kind == "nobody":
        for path in [workdir, *workdir.rglob("*")]:
            os.lchown(path, UNPRIVILEGED, UNPRIVILEGED)
        return _setpriv()
    return []


# Replaced by empty folders in the sandbox: where users keep files (and so, perhaps, another
# checkout of the instructor's course), unlike the system folders, which stay readable.
PRIVATE_TOPS = ("/tmp", "/home", "/root", "/work", "/srv", "/mnt", "/media")


def _needed_under_private() -> list[Path]:
    import labs
    import microlab
    import microlab_grading

    from microlab.settings import settings

    roots = {Path(sys.prefix), Path(sys.base_prefix), settings().cache}
    roots |= {Path(m.__file__).resolve().parent.parent for m in (microlab, labs, microlab_grading)}
    tops = {Path(t) for t in PRIVATE_TOPS}
    return sorted(p for p in roots if p.exists() and tops & set(p.resolve().parents))


# What of a course untrusted code must not read (release/ is what students get anyway).
SECRET_PARTS = ("source", "checks", "tests", "authoring", "submitted", "autograded", "feedback",
                "gradebook.db", ".grading-secret")


def hidden_folders(course: Path) -> list[Path]:
    """The course's secret parts (the checkout's too, when grading a copy of it: it holds the
    grader tests' reference answers), and the grader's own labs."""
    from microlab.settings import settings

    courses = {course.resolve()}
    if settings().course is not None:
        courses.add(settings().course.resolve())
    found = [c / part for c in courses for part in SECRET_PARTS]
    found += [c.parent / ".git" for c in courses]  # the history holds every solution too
    return sorted(found + [settings().home.resolve()])
