"""`microlab doctor`: what this machine can run, and what to do about what it cannot."""
from __future__ import annotations

import platform
import shutil
import sys

from microlab.docker import doctor as docker_doctor
from microlab.engine import docker_problem
from microlab.lab import choose_backend
from microlab.ports import can_listen
from microlab.settings import SettingsError

COMMON_PORTS = (8000, 8001, 8080, 9092, 5432)


def checks() -> list[tuple[str, bool, str]]:
    """(what, ok, detail) rows; `ok` False means the user should act on `detail`."""
    rows = []
    py_ok = sys.version_info >= (3, 11)
    rows.append(("python", py_ok, f"{platform.python_version()} ({sys.executable})"
                 + ("" if py_ok else ": microlab needs Python 3.11 or newer")))
    problem = docker_problem()
    rows.append(("docker engine", problem is None, "reachable" if problem is None else problem))
    taken = [p for p in COMMON_PORTS if not can_listen(p)]
    rows.append(("ports", True, "free: " + ", ".join(map(str, COMMON_PORTS)) if not taken else
                 f"in use: {', '.join(map(str, taken))} (fine: microlab picks free ports unless "
                 "MICROLAB_PORT_BASE is set)"))
    java = shutil.which("java")
    rows.append(("java", True, java or "not on PATH (the Kafka set-up brings a JDK when needed)"))
    try:
        rows.append(("backend for 'auto'", True, choose_backend("auto", "default")))
    except SettingsError as exc:  # one bad MICROLAB_* value: say which, and still show the rest
        rows.append(("settings", False, str(exc)))
    rows.extend(docker_doctor.checks())  # images, registry, ports held by containers
    return rows


def run(_args=None) -> int:
    rows = checks()
    for what, ok, detail in rows:
        print(f"  {'ok ' if ok else 'FIX'}  {what:<20} {detail}")
    # Only Python and valid settings are required: without Docker the local backend runs everything.
    return 0 if all(ok for what, ok, _ in rows if what in ("python", "settings")) else 1
