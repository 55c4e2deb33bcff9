"""A warm interpreter per lab that starts the lab's Python components by forking.

Every service is `python -m uvicorn <app>`, and about 1.3 s of its start is importing
FastAPI, SQLAlchemy, pydantic and uvicorn, paid again by each service of each lab (four at
once on two cores: most of `up`'s time). The fork server imports them once when the lab
starts and forks each component from there, so a service answers in a fraction of that,
and the pages of those imports stay shared between the services (copy-on-write): the
stack's proportional memory (PSS) falls too.

A forked child is what `processes.spawn` makes: its own session (so `stop_group` ends it
and everything it starts), output to its log, stdin from /dev/null, its own environment
and working directory, and `python -m module args...` run as __main__. Only that form of
command is forked (`forkable`); anything else (the JVM, confined student code) is spawned.

    python -m microlab.local.forkserver SOCKET     (the lab starts it: processes.spawn)
"""
from __future__ import annotations

import gc
import hashlib
import json
import os
import runpy
import shutil
import signal
import socket
import sys
import tempfile
import time
from pathlib import Path

from microlab.local import processes

# Imported once, before any fork: what the shop's services, the gateway and hosted student
# code all import. A missing one is a broken install, and must fail loudly here.
WARM_IMPORTS = ("fastapi", "fastapi.routing", "pydantic", "sqlalchemy", "sqlalchemy.orm", "httpx",
                "requests", "uvicorn", "uvicorn.main", "uvicorn.config", "uvicorn.server",
                "uvicorn.lifespan.on", "uvicorn.protocols.http.h11_impl", "uvicorn.loops.asyncio",
                "confluent_kafka", "confluent_kafka.admin", "labs.common.app", "labs.common.db",
                "labs.common.consumer")
READY_TIMEOUT = 30.0  # seconds for the imports on a loaded machine
ANSWER_TIMEOUT = 5.0  # a fork takes milliseconds; a server this slow to answer is hung


def forkable(argv: list[str]) -> bool:
    """`<this python> -m module ...`: what a fork of this interpreter can run the same way."""
    return len(argv) >= 3 and argv[0] == sys.executable and argv[1] == "-m" and not argv[2].startswith("-")


# -- the lab's side --------------------------------------------------------------------
class ForkServerError(RuntimeError):
    """The fork server did not answer; the caller spawns the component instead."""


class LabForkServer:
    """One lab's fork server: started on first use, found again by any process that opens
    the lab (its pid and socket are in the lab's folder), stopped by `down`."""

    def __init__(self, lab_dir: Path):
        self.dir = lab_dir
        self.record = lab_dir / "forkserver.json"
        self.broken = ""  # why it failed once: the rest of this `up` spawns instead of waiting again

    def socket_path(self) -> Path:
        """In the lab's folder, unless that path is too long for a Unix socket (108 bytes):
        then a private folder in the temp dir (never an abstract socket: any process in the
        network namespace could reach one, and ask it to run anything)."""
        path = self.dir / "fork.sock"
        if len(str(path)) < 100:
            return path
        key = hashlib.sha1(str(self.dir).encode()).hexdigest()[:16]
        folder = Path(tempfile.gettempdir()) / f"microlab-fork-{os.getuid()}-{key}"
        folder.mkdir(mode=0o700, exist_ok=True)
        return folder / "s"

    def _found(self) -> dict:
        try:
            return json.loads(self.record.read_text())
        except (OSError, ValueError):
            return {}

    def _running(self) -> dict | None:
        """The record of this lab's server if it is alive (and is the process we started)."""
        found = self._found()
        pid, ticks = found.get("pid", 0), found.get("ticks", 0)
        return found if pid and processes.alive(pid) and processes.is_ours(pid, ticks) else None

    def _start(self, env: dict[str, str]) -> dict:
        sock = self.socket_path()
        sock.unlink(missing_ok=True)
        argv = [sys.executable, "-m", "microlab.local.forkserver", str(sock)]
        pid = processes.spawn(argv, env, self.dir / "logs" / "forkserver.log")
        found = {"pid": pid, "ticks": processes.start_ticks(pid) or 0, "started": time.time()}
        self.record.write_text(json.dumps(found))
        return found

    def pid(self) -> int | None:
        return (self._running() or {}).get("pid")

    def fork(self, argv: list[str], env: dict[str, str], log: Path, cwd: Path | None) -> int:
        """`argv` forked from this lab's server, which starts (with `env`) if none is running:
        the first component of a lab waits for its imports, about a second."""
        if self.broken:
            raise ForkServerError(self.broken)
        found = self._running() or self._start(env)
        log.parent.mkdir(parents=True, exist_ok=True)
        # a server still importing gets the rest of its start-up time; one that should have
        # been ready long ago gets a second, so a missing socket costs little
        left = READY_TIMEOUT - (time.time() - found.get("started", 0))
        try:
            return request(self.socket_path(), argv, env, log, cwd, wait=max(1.0, left))
        except ForkServerError as exc:
            self.broken = str(exc)
            raise

    def stop(self) -> None:
        pid = self.pid()
        if pid is not None:
            processes.stop_group(pid, grace=2.0)
        self.record.unlink(missing_ok=True)
        sock = self.socket_path()
        sock.unlink(missing_ok=True)
        if sock.parent != self.dir:  # the private temp folder of a long lab path
            shutil.rmtree(sock.parent, ignore_errors=True)


def request(sock_path: Path, argv: list[str], env: dict[str, str], log: Path, cwd: Path | None,
            wait: float = READY_TIMEOUT) -> int:
    """Fork `argv` from the server at `sock_path` (waiting up to `wait` s for it to be ready);
    the child's pid."""
    message = json.dumps({"argv": argv, "env": env, "log": str(log), "cwd": str(cwd) if cwd else None,
                          "deadline": time.time() + ANSWER_TIMEOUT - 1})
    deadline = time.monotonic() + wait
    while True:
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
                conn.settimeout(ANSWER_TIMEOUT)
                conn.connect(str(sock_path))
                conn.sendall(message.encode() + b"\n")
                answer = json.loads(conn.makefile().readline() or "{}")
            break
        except (FileNotFoundError, ConnectionRefusedError):
            if time.monotonic() > deadline:
                raise ForkServerError(f"the fork server at {sock_path} is not answering") from None
            time.sleep(0.05)
        except (OSError, ValueError) as exc:
            raise ForkServerError(f"the fork server failed: {exc}") from None
    if "pid" not in answer:
        raise ForkServerError(answer.get("error", "the fork server gave no pid"))
    return int(answer["pid"])


# -- the server ------------------------------------------------------------------------
def serve(sock_path: Path) -> None:
    for name in WARM_IMPORTS:
        __import__(name)
    gc.collect()
    gc.freeze()  # the collector must not touch (and so copy) the shared pages in every child
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the kernel reaps exited children
    sock_path.unlink(missing_ok=True)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    umask = os.umask(0o077)  # only this user may connect: whoever can, can run anything as us
    listener.bind(str(sock_path))
    os.umask(umask)
    listener.listen(16)
    print(f"fork server ready on {sock_path} (pid {os.getpid()})", flush=True)
    while True:
        conn, _ = listener.accept()
        with conn:
            _answer(conn, listener)


def _answer(conn: socket.socket, listener: socket.socket) -> None:
    """Fork one job, unless its caller has given up on it: a child nobody waits for would
    run on with no lab to stop it (a server held up, then answering a backlog)."""
    try:
        job = json.loads(conn.makefile().readline())
        if time.time() > job.get("deadline", float("inf")):
            raise TimeoutError("the caller stopped waiting before this request was read")
        pid = os.fork()
        if pid == 0:
            listener.close()
            conn.close()
            _become(job)  # never returns
    except Exception as exc:  # a bad request must not end the server for the others
        _send(conn, {"error": f"{type(exc).__name__}: {exc}"})
        return
    if not _send(conn, {"pid": pid}):  # the caller is gone: nobody knows this child
        if _own_group(pid):  # it has its session already: whatever it started goes too
            os.killpg(pid, signal.SIGKILL)
        else:
            os.kill(pid, signal.SIGKILL)


def _own_group(pid: int) -> bool:
    try:
        return os.getpgid(pid) == pid
    except ProcessLookupError:
        return False


def _send(conn: socket.socket, answer: dict) -> bool:
    try:
        conn.sendall(json.dumps(answer).encode() + b"\n")
        return True
    except OSError:
        return False


def _become(job: dict) -> None:
    """In the child: the process `spawn` would have started, then its module as __main__."""
    code = 1
    try:
        os.setsid()
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        log = os.open(job["log"], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(log, 1)
        os.dup2(log, 2)
        os.close(log)
        os.close(null)
        if job.get("cwd"):
            os.chdir(job["cwd"])
        os.environ.clear()
        os.environ.update(job["env"])
        extra = [p for p in job["env"].get("PYTHONPATH", "").split(os.pathsep) if p]
        sys.path[:0] = [p for p in extra if p not in sys.path]
        module, args = job["argv"][2], job["argv"][3:]
        sys.argv = [module, *args]
        gc.unfreeze()
        runpy.run_module(module, run_name="__main__", alter_sys=True)
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


if __name__ == "__main__":
    serve(Path(sys.argv[1]))
