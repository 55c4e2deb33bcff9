"""Reading Linux's /proc: the one place that parses it (process state, start time,
environment), for the local backend's process groups and the grader's sweep."""
from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

PROC = Path("/proc")


def pids() -> Iterator[int]:
    """Every process id on the machine except this process's own."""
    me = os.getpid()
    for entry in PROC.iterdir():
        if entry.name.isdigit() and int(entry.name) != me:
            yield int(entry.name)


def _stat_fields(pid: int) -> list[str] | None:
    """/proc/<pid>/stat after the command name (which may hold spaces and parentheses):
    field 0 is the state, field 19 the start time in clock ticks after boot."""
    try:
        return (PROC / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def state(pid: int) -> str | None:
    """"R", "S", "Z" (zombie) ...; None when there is no such process."""
    fields = _stat_fields(pid)
    return fields[0] if fields else None


def parent(pid: int) -> int | None:
    fields = _stat_fields(pid)
    return int(fields[1]) if fields else None


def start_ticks(pid: int) -> int | None:
    fields = _stat_fields(pid)
    return int(fields[19]) if fields else None


def is_live(pid: int) -> bool:
    """Exists and is not a zombie."""
    return state(pid) not in (None, "Z")


def environ(pid: int) -> list[bytes]:
    """The process's environment as b"NAME=value" entries ([] when it cannot be read)."""
    try:
        return (PROC / str(pid) / "environ").read_bytes().split(b"\0")
    except OSError:
        return []
