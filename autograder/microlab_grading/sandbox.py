"""Executing one submission where it can reach nothing but itself: in a container of its own
where a Docker engine runs (containerbox.py), in bubblewrap's namespaces otherwise (confine.py).

The run's box holds only the submitted notebook (read-only) and a private home (its own
MICROLAB_HOME, so its own lab, ports and processes). The course, the gradebook and other
students' work are not in it and not readable from it. With bubblewrap the run has its own
network namespace (the notebook's lab lives inside it, other labs are out of reach) and pid
namespace: every process it started ends with it. Processes carrying the run's marker are
also stopped afterwards: the only mechanism where no namespace can be had.
"""
from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from microlab.errors import LabError
from microlab.local import processes
from microlab.settings import settings
from microlab_grading import confine, sweep
from microlab_grading.nbg import with_venv_path

WORKSPACE_PREFIX = "microlab-grade-"
OWNER_FILE = "maker.pid"
ALLOWED_ENV = ("PATH", "LANG", "LC_ALL", "TZ", "JAVA_HOME", "DOCKER_HOST")


@dataclass
class Limits:
    cell: int = 120
    notebook: int = 600
    startup_slack: int = 90  # kernel start, writing results


@dataclass
class RunOutcome:
    student: str
    executed: bool
    seconds: float
    reason: str = ""  # why the run produced nothing (a timeout, a crash)
    swept: list[int] = field(default_factory=list)
    notebooks: dict[str, bytes] = field(default_factory=dict)  # file name -> executed notebook


def environment(root: Path, token: str) -> dict[str, str]:
    """An allowlist, not the grader's environment minus a few names."""
    env = {k: os.environ[k] for k in ALLOWED_ENV if k in os.environ}
    home = root / "home"
    env.update({
        "HOME": str(home), "MICROLAB_HOME": str(home / ".microlab"), "MICROLAB_BACKEND": "local",
        "MICROLAB_CACHE": str(settings().cache), "MICROLAB_COURSE": str(root / "no-course"),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"), "IPYTHONDIR": str(home / "ipython"),
        "MPLCONFIGDIR": str(home / "mpl"), "MPLBACKEND": "Agg", "PYTHONDONTWRITEBYTECODE": "1",
        "TMPDIR": str(root / "tmp"), sweep.MARKER: token,
    })
    return with_venv_path(env)


def record_box() -> str:
    """Where notebook runs happen here: "docker" (a container each) or confine.mechanism()."""
    return _record_box(settings().sandbox)


@functools.lru_cache(maxsize=4)
def _record_box(wanted: str) -> str:
    if wanted == "namespaces":
        return confine.mechanism()
    from microlab_grading import containerbox  # the Docker SDK: only where a container may run

    why = containerbox.problem()
    if why is None:
        return "docker"
    if wanted == "docker":
        raise LabError(f"MICROLAB_SANDBOX=docker, but a container per run cannot be had: {why}")
    return confine.mechanism()


def describe() -> str:
    """What confines student code in a batch, in words for the instructor."""
    if record_box() != "docker":
        return confine.describe()
    from microlab_grading import containerbox

    run = confine.NOTEBOOK_RUN
    return (f"notebook runs: a Docker container each (network none: loopback only, the lab inside; "
            f"cgroup limits {containerbox.MEMORY_MB} MB memory, {containerbox.CPUS:g} CPU, {run.processes} "
            f"pids; a user id of its own, no capabilities, read-only root, {run.disk_mb} MB tmpfs); "
            f"check runs: {confine.describe()}")


def workspace(student: str) -> tuple[Path, str]:
    """A folder for one confined run: box/ (the sandbox's own writable space, empty here:
    a tmpfs is mounted on it) and in/ (files given to it, read-only), and the pid of the
    process that made it (a grader killed mid-run cleans up nothing: sweep_workspaces)."""
    root = Path(tempfile.mkdtemp(prefix=f"{WORKSPACE_PREFIX}{student}-"))
    for sub in ("box", "in"):
        (root / sub).mkdir()
    (root / OWNER_FILE).write_text(f"{os.getpid()} {_pid_namespace()}")
    return root, uuid.uuid4().hex


def sweep_workspaces() -> list[Path]:
    """Remove the workspaces whose maker is gone (a grader killed mid-run). Only makers in
    this pid namespace can be told alive or dead from here: a judge's own namespace (bubblewrap)
    numbers its processes apart, so its workspaces are left to it."""
    removed = []
    for root in Path(tempfile.gettempdir()).glob(f"{WORKSPACE_PREFIX}*"):
        try:
            pid, namespace = (root / OWNER_FILE).read_text().split()
        except (OSError, ValueError):
            continue  # not one of ours, or being made right now
        if namespace == _pid_namespace() and not processes.alive(int(pid)):
            shutil.rmtree(root, ignore_errors=True)
            removed.append(root)
    return removed


def _pid_namespace() -> str:
    return os.readlink("/proc/self/ns/pid")


def run_isolated(course: Path, assignment: str, student: str, submission: Path,
                 limits: Limits) -> RunOutcome:
    """Execute one submission; the executed notebook comes back in memory, so nothing a
    submission writes anywhere on disk can stand in for it."""
    started = time.monotonic()
    root, token = workspace(student)
    reason, found = "", {}
    try:
        notebook = next(iter(sorted(submission.glob("*.ipynb"))), None)
        if notebook is None:
            return RunOutcome(student, False, 0.0, "the submission holds no notebook")
        given = root / "in" / notebook.name
        shutil.copy2(notebook, given)
        box = root / "box"
        if record_box() == "docker":
            from microlab_grading import containerbox

            reason, data = containerbox.run(course, box, given, environment(box, token), token, limits,
                                            confine.NOTEBOOK_RUN)
        else:
            reason, data = _in_namespaces(course, box, given, token, limits)
        if data:
            found = {notebook.name: data}
        elif not reason:
            reason = "the run produced no executed notebook"
    except OSError as exc:  # e.g. the submission deleted its own folder mid-run
        reason = f"the isolated run broke: {exc}"
    finally:
        swept = sweep.stop_marked(token)
        shutil.rmtree(root, ignore_errors=True)
    return RunOutcome(student, bool(found), time.monotonic() - started, reason, swept, found)


def _in_namespaces(course: Path, box: Path, given: Path, token: str, limits: Limits) -> tuple[str, bytes]:
    with tempfile.TemporaryFile() as record:  # outside the sandbox: see runner.py
        argv = [*confine.prefix(box, confine.hidden_folders(course), {given: given.name}, confine.NOTEBOOK_RUN,
                                network="private"),
                sys.executable, "-I", "-m", "microlab_grading.runner", str(box / "work" / given.name),
                str(record.fileno()), str(limits.cell), str(limits.notebook)]
        reason = _execute(argv, box, token, limits, record.fileno())
        record.seek(0)
        return reason, record.read()


def _execute(argv: list[str], root: Path, token: str, limits: Limits, record_fd: int) -> str:
    """Run it with output to a file, not a pipe: a process the submission left behind may
    hold inherited pipes open forever, and reading them would hang the grader."""
    log = root.parent / "runner.log"  # beside the sandbox, out of its reach
    try:
        with open(log, "wb") as out:
            proc = subprocess.Popen(argv, cwd=root / "work" if (root / "work").is_dir() else root.parent,
                                    env=environment(root, token), stdout=out,
                                    stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                    start_new_session=True, pass_fds=(record_fd,))
            try:
                code = proc.wait(timeout=limits.notebook + limits.startup_slack)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
                return f"timeout: the run took longer than {limits.notebook + limits.startup_slack} s"
        if code == 0:
            return ""
        tail = log.read_text(errors="replace").splitlines()[-3:]
        return f"the notebook runner failed (exit {code}): {' '.join(tail)}"
    finally:
        log.unlink(missing_ok=True)
