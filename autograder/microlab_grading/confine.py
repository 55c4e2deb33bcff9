"""Where untrusted code runs: bubblewrap namespaces plus resource limits, when they can be had.

With bubblewrap (`mechanism()` == "bubblewrap"), a confined command gets:
- its own mount namespace: the whole file system read-only (the venv included); /tmp, the
  folders where users keep files (/home, /root, /work, ...) empty but for the interpreter,
  the code and the caches; the instructor's course (solutions, checks, gradebook, every
  other student's files) and the grader's lab homes hidden; its only writable space is one
  size-limited tmpfs (its home, temp dir and work dir), so a disk filler fills RAM it was
  given, not the machine's disk;
- its own pid and IPC namespaces: when the run ends, every process it started ends with it
  (the kernel kills a pid namespace with its first process), however it detached and
  whatever its environment;
- its own network namespace with only loopback, when `network="private"` (the record run,
  whose lab the notebook starts inside it); the judge's check runs share the judge's own
  namespace instead, which holds nothing but the judge's lab (`judge_prefix()`);
- a user id of its own (never root, no capabilities, no_new_privs) and rlimits: processes
  of that user, address space, file size, CPU seconds (see `Resources`).
Without bubblewrap the run drops to `nobody` (as root) with the same rlimits, or runs as the
grader's own user ("none"); `describe()` names what is in force, and the pipeline prints it.
"""
from __future__ import annotations

import functools
import os
import random
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

UNPRIVILEGED = 65534  # nobody / nogroup
RUN_UIDS = (200_000, 260_000)  # one user id per confined run: its process limit is its own
MB = 1024 * 1024


@dataclass(frozen=True)
class Resources:
    processes: int = 256  # tasks (threads count too) of the run's own user
    memory_mb: int = 1024  # address space of each process
    file_mb: int = 128  # the largest file it may write
    cpu_s: int = 120  # CPU seconds of each process
    disk_mb: int = 256  # its whole writable space (a tmpfs)


# The record run hosts a whole lab (a JVM for Kafka, four services, a kernel).
NOTEBOOK_RUN = Resources(processes=2048, memory_mb=4096, file_mb=256, cpu_s=900, disk_mb=1024)
CHECK_RUN = Resources()


@functools.lru_cache(maxsize=1)
def mechanism() -> str:
    """"bubblewrap", "nobody" or "none" (the run is only a copy plus the process sweep)."""
    if shutil.which("bwrap") and _works(["bwrap", "--ro-bind", "/", "/", "--dev", "/dev", "--proc",
                                         "/proc", "--unshare-pid", "--unshare-net", "--die-with-parent",
                                         "--", *_drop_to(run_uid())]):
        return "bubblewrap"
    if os.geteuid() == 0 and shutil.which("setpriv") and _works(_drop_to(UNPRIVILEGED)):
        return "nobody"
    return "none"


def describe() -> str:
    """What confines student code here, in words for the instructor."""
    kind = mechanism()
    limits = (f"rlimits per run: {CHECK_RUN.processes}-{NOTEBOOK_RUN.processes} processes, "
              f"{CHECK_RUN.memory_mb}-{NOTEBOOK_RUN.memory_mb} MB address space, "
              f"{CHECK_RUN.disk_mb}-{NOTEBOOK_RUN.disk_mb} MB disk, CPU time")
    if kind == "bubblewrap":
        own = "a user id of its own" if os.geteuid() == 0 else "your user id"
        return (f"bubblewrap (mount, pid, ipc and network namespaces: loopback only, the lab inside; "
                f"{own}, no capabilities; {limits})")
    if kind == "nobody":
        return f"setpriv to nobody (no namespaces: the network and other processes are reachable; {limits})"
    return "none (student code runs as you, unconfined)"


def run_uid() -> int:
    return random.randrange(*RUN_UIDS)


def _drop_to(uid: int) -> list[str]:
    if os.geteuid() != 0:
        return []  # bubblewrap already runs it as the caller, in a user namespace
    return ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "--no-new-privs",
            "--inh-caps=-all", "--bounding-set=-all", "--"]


def rlimits(res: Resources, per_user: bool) -> list[str]:
    args = ["prlimit", f"--as={res.memory_mb * MB}", f"--fsize={res.file_mb * MB}", f"--cpu={res.cpu_s}",
            "--core=0"]
    if per_user:  # RLIMIT_NPROC counts every process of the user: only meaningful for our own uid
        args.append(f"--nproc={res.processes}")
    return [*args, "--"]


def _works(prefix: list[str]) -> bool:
    probe = "import microlab, microlab_grading"
    try:
        return subprocess.run([*prefix, sys.executable, "-I", "-c", probe], capture_output=True,
                              cwd="/", timeout=60).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def prefix(box: Path, hidden: list[Path], inputs: dict[Path, str] | None = None,
           resources: Resources = CHECK_RUN, network: str = "shared") -> list[str]:
    """The argv prefix that confines a command to `box` (its writable space: home/, tmp/,
    work/) with `hidden` folders and files replaced by empty ones and `inputs` (host file ->
    name in work/) readable in it. `network`: "private" (loopback only, its own) or
    "shared" (the caller's namespace)."""
    kind = mechanism()
    inputs = inputs or {}
    if kind == "bubblewrap":
        uid = run_uid()
        args = ["bwrap", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc",
                "--size", str(64 * MB), "--tmpfs", "/dev/shm"]
        for top in PRIVATE_TOPS:  # homes and work folders may hold other copies of a course
            if Path(top).is_dir():
                args += ["--tmpfs", top]
        for keep in _needed_under_private():  # the interpreter, the code and the caches
            for between in _between(keep):  # bwrap would make these 0700: unusable for our uid
                args += ["--perms", "0755", "--dir", str(between)]
            args += ["--ro-bind", str(keep), str(keep)]
        args += ["--perms", "1777", "--size", str(resources.disk_mb * MB), "--tmpfs", str(box)]
        for sub in ("home", "tmp", "work"):
            args += ["--perms", "1777", "--dir", str(box / sub)]
        for host, name in inputs.items():
            args += ["--ro-bind", str(host), str(box / "work" / name)]
        for path in hidden:
            if path.is_dir():
                args += ["--tmpfs", str(path)]
            elif path.exists():
                args += ["--ro-bind", "/dev/null", str(path)]
        args += ["--unshare-pid", "--unshare-ipc", "--die-with-parent", "--new-session",
                 "--chdir", str(box / "work")]
        if network == "private":
            args.append("--unshare-net")
        return [*args, "--", *rlimits(resources, os.geteuid() == 0), *_drop_to(uid)]
    for sub in ("home", "tmp", "work"):  # no mount namespace: a real folder, inputs copied
        (box / sub).mkdir(parents=True, exist_ok=True)
    for host, name in inputs.items():
        shutil.copy2(host, box / "work" / name)
    if kind == "nobody":
        for path in [box, *box.rglob("*")]:
            os.lchown(path, UNPRIVILEGED, UNPRIVILEGED)
        return [*rlimits(resources, False), *_drop_to(UNPRIVILEGED)]
    return []


def _between(keep: Path) -> list[Path]:
    """The folders between a private top (/root) and `keep` (/root/.pyenv/versions/3.11)."""
    tops = {Path(t) for t in PRIVATE_TOPS}
    chain = []
    for parent in keep.parents:
        if parent in tops:
            return list(reversed(chain))
        chain.append(parent)
    return []


def judge_prefix() -> list[str]:
    """Where the judge (trusted) runs: the whole file system as it is, but a network namespace
    of its own with only loopback, where it starts its lab and its check runs reach it (no
    other lab can reach in, no submission out), and a pid namespace that ends every process
    of its lab with it. Empty where bubblewrap is not available."""
    if mechanism() != "bubblewrap":
        return []
    return ["bwrap", "--bind", "/", "/", "--dev-bind", "/dev", "/dev", "--proc", "/proc",
            "--unshare-pid", "--unshare-net", "--unshare-ipc", "--die-with-parent",
            *(["--cap-add", "ALL"] if os.geteuid() == 0 else []), "--"]


# Replaced by empty folders in the sandbox: where users keep files (and so, perhaps, another
# checkout of the instructor's course), unlike the system folders, which stay readable.
PRIVATE_TOPS = ("/tmp", "/home", "/root", "/work", "/srv", "/mnt", "/media")


def runtime_roots() -> list[Path]:
    """What a confined run needs to read: the interpreter, the venv, the code and the caches."""
    import labs
    import microlab
    import microlab_grading

    from microlab.settings import settings

    roots = {Path(sys.prefix), Path(sys.base_prefix), settings().cache}
    roots |= {Path(m.__file__).resolve().parent.parent for m in (microlab, labs, microlab_grading)}
    return sorted(p for p in roots if p.exists())


def _needed_under_private() -> list[Path]:
    tops = {Path(t) for t in PRIVATE_TOPS}
    return [p for p in runtime_roots() if tops & set(p.resolve().parents)]


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
