"""Finding and stopping every process one grading run started, however it was started.

Each isolated run exports MICROLAB_GRADING_RUN=<token>; every process below it (nbgrader,
the kernel, the services a notebook starts, anything a hostile submission spawns with
setsid or double forks) inherits it. Reading /proc/<pid>/environ finds them all, even those
re-parented to init, which process-group kills would miss.
"""
from __future__ import annotations

import os
import signal
import time
from pathlib import Path

MARKER = "MICROLAB_GRADING_RUN"


def marked(token: str) -> list[int]:
    needle = f"{MARKER}={token}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            environ = (entry / "environ").read_bytes()
        except OSError:
            continue
        if needle in environ.split(b"\0"):
            found.append(int(entry.name))
    return found


def _live(pids: list[int]) -> list[int]:
    alive = []
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            alive.append(pid)
    return alive


def stop_marked(token: str, grace: float = 3.0) -> list[int]:
    """SIGTERM, then SIGKILL, every process carrying the token; returns those found."""
    found = marked(token)
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 2.0)):
        for pid in _live(marked(token)):
            try:
                os.kill(pid, sig)
            except (ProcessLookupError, PermissionError):
                pass
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline and _live(marked(token)):
            time.sleep(0.05)
    return found


def survivors(token: str) -> list[int]:
    return _live(marked(token))
