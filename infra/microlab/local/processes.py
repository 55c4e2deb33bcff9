"""Starting and stopping process groups, so nothing a lab starts outlives `down`."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_is_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def spawn(argv: list[str], env: dict[str, str], log: Path, cwd: Path | None = None) -> int:
    """Start argv in a new session (its own process group) with output to `log`."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "ab") as out:
        proc = subprocess.Popen(
            argv, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True,
        )
    return proc.pid


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return not _is_zombie(pid)


def start_ticks(pid: int) -> int | None:
    """When the process started (clock ticks after boot), to tell it from a later one
    that got the same pid; None when there is no such process."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat.rsplit(")", 1)[1].split()[19])


def is_ours(pid: int, ticks: int) -> bool:
    """Is `pid` still the process we started? Pids wrap around on a busy machine, and
    a lab must never signal a stranger's process."""
    now = start_ticks(pid)
    return now is None or not ticks or now == ticks


def _is_zombie(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] == "Z"


def _reap(pid: int) -> None:
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def stop_group(pgid: int, grace: float = 5.0) -> None:
    stop_groups([pgid], grace)


def stop_groups(pgids: list[int], grace: float = 5.0) -> None:
    """SIGTERM whole groups at once, then SIGKILL what is left after `grace` seconds."""
    remaining = list(pgids)
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 2.0)):
        for pgid in remaining:
            try:
                os.killpg(pgid, sig)
            except ProcessLookupError:
                _reap(pgid)
        deadline = time.monotonic() + wait
        while remaining and time.monotonic() < deadline:
            for pgid in remaining:
                _reap(pgid)
            remaining = [g for g in remaining if alive(g) or _group_has_live_members(g)]
            if remaining:
                time.sleep(0.05)
        if not remaining:
            return


def _group_has_live_members(pgid: int) -> bool:
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if os.getpgid(int(entry.name)) == pgid and not _is_zombie(int(entry.name)):
                return True
        except (ProcessLookupError, PermissionError):
            continue
    return False


def tail(path: Path, lines: int = 50) -> str:
    if not path.exists():
        return ""
    with open(path, "rb") as f:
        f.seek(0, os.SEEK_END)
        size = f.tell()
        f.seek(max(0, size - 256 * 1024))
        data = f.read().decode("utf-8", "replace")
    return "\n".join(data.splitlines()[-lines:])
