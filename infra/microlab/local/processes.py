"""Starting and stopping process groups, so nothing a lab starts outlives `down`."""
from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

from microlab import procfs


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
    return procfs.state(pid) != "Z"


def start_ticks(pid: int) -> int | None:
    """When the process started, to tell it from a later one that got the same pid."""
    return procfs.start_ticks(pid)


def is_ours(pid: int, ticks: int) -> bool:
    """Is `pid` still the process we started? Pids wrap around on a busy machine, and
    a lab must never signal a stranger's process."""
    now = start_ticks(pid)
    return now is None or not ticks or now == ticks


def _reap(pid: int) -> None:
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass


def stop_group(pgid: int, grace: float = 5.0) -> None:
    stop_groups([pgid], grace)


def stop_groups(pgids: list[int], grace: float = 5.0) -> None:
    """SIGTERM whole groups at once, then SIGKILL what is left after `grace` seconds. A killed
    process still frees its memory before it is gone: on a loaded machine (a CI run with a
    Docker notebook beside it) that took over 2 s once, and lab.stop returned with it alive."""
    remaining = list(pgids)
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 10.0)):
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
    for pid in procfs.pids():
        try:
            if os.getpgid(pid) == pgid and procfs.is_live(pid):
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
