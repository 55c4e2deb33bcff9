"""A warm harness: one confined interpreter per judge that forks a fresh child for each check run.

    python -I -m microlab_grading.harnessserver MODULE...   (started by checkrun.Harness)

A check run used to be a new sandbox and a new interpreter each (about 0.1 CPU-s: bubblewrap,
the interpreter, `import requests`; eleven runs per submission of 03). This server is started
once per judge under the same confinement (confine.prefix: the box, the hidden course, the
rlimits, its own pid and IPC namespaces), imports MODULE... (what the grader's `provided`
code imports; no student code has run here, nor ever will), and per job read on stdin forks
a child that runs harness.run(job), as the one-off harness did. Before the reply, everything
a run could leave for the next one is gone, so each run starts as a fresh interpreter would:
- memory: the child is a copy of this server; what a run patches or defines dies with it;
- processes: after the child ends, every other process of the namespace is killed (kill(-1)
  spares only this server and the namespace's init), and the reply waits until they are gone
  (zombies too: they count against the run's process limit);
- files: the box's home/, tmp/ and work/ are emptied; SysV IPC objects are removed;
- this server: not dumpable, so a run can neither ptrace it nor read its memory or its
  descriptors. A run can only kill or stop it; the judge then sees no reply (the run counts as
  crashed or timed out, as a run that killed its own interpreter did) and starts a new one.
Replies are JSON lines on stdout: {"ready": true} once, then {"report": <text>, "clean": bool}
per job ("clean": false when something outlived the run; this server then exits).
"""
from __future__ import annotations

import ctypes
import functools
import importlib
import json
import os
import shutil
import signal
import sys
import time
from pathlib import Path

from microlab_grading import harness

PR_SET_DUMPABLE = 4
IPC_RMID = 0
SETTLE_S = 10.0  # how long killed leftovers may take to be reaped by the namespace's init


def main() -> None:
    if os.getppid() != 1:  # kill(-1) outside a pid namespace of its own would hit far more
        sys.exit("harnessserver: its parent is not the init of a pid namespace of its own (bubblewrap's)")
    _libc().prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
    for name in sys.argv[1:]:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 (the run's own `provided` then fails, and says why)
            pass
    box = Path(os.environ["HOME"]).parent  # home/, tmp/ and work/ (sandbox.environment)
    _reply({"ready": True})
    for line in sys.stdin:
        request = json.loads(line)
        report = _run_one(request["job"], request.get("env", {}))
        clean = _settle() & _empty(box) & _remove_ipc()
        _reply({"report": report, "clean": clean})
        if not clean:
            return


def _run_one(job: dict, env: dict[str, str]) -> str:
    report = os.memfd_create("report")  # not in the box: a full tmpfs cannot cut it short
    pid = os.fork()
    if pid == 0:
        _child(job, env, report)
    os.waitpid(pid, 0)
    _kill_all()  # everything the run started, however it detached
    os.lseek(report, 0, os.SEEK_SET)
    with open(report, "rb") as f:
        return f.read().decode("utf-8", errors="replace")


def _child(job: dict, env: dict[str, str], report: int) -> None:
    """What `python -m microlab_grading.harness JOB` did, in this copy of the server."""
    try:
        _libc().prctl(PR_SET_DUMPABLE, 1, 0, 0, 0)  # as any process: only the server is not
        os.setsid()
        null = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):  # the server's pipes to the judge are out of the run's reach
            os.dup2(null, fd)
        os.environ.update(env)
        os.chdir(Path(os.environ["HOME"]).parent / "work")
        out = open(report, "w", encoding="utf-8", closefd=True)  # before any student code runs
        json.dump(harness.run(job), out)
        out.close()
    finally:
        os._exit(0)


def _settle() -> bool:
    """True once no process but init and this server is left in the namespace."""
    deadline = time.monotonic() + SETTLE_S
    while time.monotonic() < deadline:
        others = [p for p in os.listdir("/proc") if p.isdigit() and int(p) not in (1, os.getpid())]
        if not others:
            return True
        _kill_all()  # one that forked between the kill and now
        time.sleep(0.01)
    return False


def _kill_all() -> None:
    try:
        os.kill(-1, signal.SIGKILL)
    except ProcessLookupError:  # nothing left to kill
        pass


def _empty(box: Path) -> bool:
    """home/, tmp/ and work/ as a new sandbox has them: empty. A run may have made its folders
    unreadable or unwritable to itself; this server has the same user id and opens them up."""
    try:
        for sub in ("home", "tmp", "work"):
            for entry in list((box / sub).iterdir()):
                if entry.is_dir() and not entry.is_symlink():
                    _open_up(entry)
                    shutil.rmtree(entry)
                else:
                    entry.unlink()
    except OSError:
        return False
    return True


def _open_up(top: Path) -> None:
    """Every folder below `top` (its own, however deep) readable and writable again."""
    stack = [top]
    while stack:
        folder = stack.pop()
        os.chmod(folder, 0o700)
        stack += [p for p in folder.iterdir() if p.is_dir() and not p.is_symlink()]


def _remove_ipc() -> bool:
    """SysV shared memory, semaphores and message queues outlive their processes: this
    server's IPC namespace is shared by its runs, a new sandbox had an empty one."""
    libc, ok = _libc(), True
    for kind, ctl in (("shm", libc.shmctl), ("sem", libc.semctl), ("msg", libc.msgctl)):
        try:
            rows = Path(f"/proc/sysvipc/{kind}").read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            ident = int(row.split()[1])
            args = (ident, 0, IPC_RMID) if kind == "sem" else (ident, IPC_RMID, None)
            ok &= ctl(*args) == 0
    return ok


@functools.lru_cache(maxsize=1)
def _libc():
    return ctypes.CDLL(None, use_errno=True)


def _reply(message: dict) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
