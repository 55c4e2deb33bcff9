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

from microlab import procfs

MARKER = "MICROLAB_GRADING_RUN"


def marked(token: str) -> list[int]:
    needle = f"{MARKER}={token}".encode()
    return [pid for pid in procfs.pids() if needle in procfs.environ(pid)]


def _live(pids: list[int]) -> list[int]:
    return [pid for pid in pids if procfs.is_live(pid)]


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
