"""`microlab doctor`: what this machine can run, and what to do about what it cannot."""
from __future__ import annotations

import platform
import shutil
import sys

from microlab.engine import docker_problem
from microlab.lab import choose_backend
from microlab.local.processes import port_is_free

COMMON_PORTS = (8000, 8001, 8080, 9092, 5432)


def checks() -> list[tuple[str, bool, str]]:
    """(what, ok, detail) rows; `ok` False means the user should act on `detail`."""
    rows = []
    py_ok = sys.version_info >= (3, 11)
    rows.append(("python", py_ok, f"{platform.python_version()} ({sys.executable})"
                 + ("" if py_ok else ": microlab needs Python 3.11 or newer")))
    problem = docker_problem()
    rows.append(("docker engine", problem is None, "reachable" if problem is None else problem))
    taken = [p for p in COMMON_PORTS if not port_is_free(p)]
    rows.append(("ports", True, "free: " + ", ".join(map(str, COMMON_PORTS)) if not taken else
                 f"in use: {', '.join(map(str, taken))} (fine: microlab picks free ports unless "
                 "MICROLAB_PORT_BASE is set)"))
    java = shutil.which("java")
    rows.append(("java", True, java or "not on PATH (the Kafka set-up brings a JDK when needed)"))
    rows.append(("backend for 'auto'", True, choose_backend("auto", "default")))
    rows.extend(_extra_checks())
    return rows


def _extra_checks() -> list[tuple[str, bool, str]]:
    """Checks contributed by other parts (Docker images, Kafka jars), when present."""
    rows = []
    for module in ("microlab.docker.doctor", "microlab.broker.doctor"):
        try:
            rows.extend(__import__(module, fromlist=["checks"]).checks())
        except ModuleNotFoundError as exc:
            if not module.startswith(exc.name or "?"):
                raise
    return rows


def run(_args=None) -> int:
    rows = checks()
    for what, ok, detail in rows:
        print(f"  {'ok ' if ok else 'FIX'}  {what:<20} {detail}")
    # Only Python is required: without Docker the local backend runs everything.
    return 0 if rows[0][1] else 1
