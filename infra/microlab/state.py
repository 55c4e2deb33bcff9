"""The lab's state file: which backend runs it and, for the local backend, what is running,
where, under which process group.

Written atomically so a crash mid-write never leaves a half file, and read by any process
(the CLI, a restarted kernel) that needs to see or stop the lab.
"""
from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

from microlab.settings import settings


@dataclass
class ProcessRecord:
    name: str
    kind: str
    pid: int
    port: int
    log: str
    started_at: float
    extra: dict = field(default_factory=dict)
    start_ticks: int = 0  # tells our process from a later one with the same pid
    stopped: bool = False  # stopped on purpose with lab.stop(name)


@dataclass
class LabState:
    backend: str
    stack: str = ""
    processes: dict[str, ProcessRecord] = field(default_factory=dict)
    ports: dict[str, int] = field(default_factory=dict)  # reserved host port per component
    admin_token: str = ""  # the lab's own secret for its components' admin APIs (admintoken.py)
    deployed: dict[str, dict] = field(default_factory=dict)  # lab.deploy()ed components (deployment.py)


def lab_dir(lab_id: str) -> Path:
    """A lab's folder under MICROLAB_HOME: its state file, logs and (local backend) data."""
    return settings().home / "labs" / lab_id


def state_path(lab_id: str) -> Path:
    return lab_dir(lab_id) / "state.json"


def labs_root() -> Path:
    """Where this user's labs keep their folders (MICROLAB_HOME/labs)."""
    return settings().home / "labs"


def lab_ids() -> list[str]:
    """Every lab with a state file, whatever backend started it."""
    root = labs_root()
    return sorted(p.parent.name for p in root.glob("*/state.json")) if root.exists() else []


def lab_backends() -> dict[str, str]:
    """lab id -> the backend its state file names, for every lab with a readable one."""
    found = {}
    for lab_id in lab_ids():
        try:
            loaded = load_lab(lab_id)
        except (OSError, ValueError, KeyError, TypeError):  # a damaged file names no backend
            continue
        if loaded is not None:
            found[lab_id] = loaded.backend
    return found


def load_lab(lab_id: str) -> LabState | None:
    return load(state_path(lab_id))


def save_lab(lab_id: str, state: LabState) -> None:
    save(state_path(lab_id), state)


def forget(lab_id: str) -> None:
    state_path(lab_id).unlink(missing_ok=True)


def load(path: Path) -> LabState | None:
    if not path.exists():
        return None
    raw = json.loads(path.read_text())
    processes = {k: ProcessRecord(**v) for k, v in raw.get("processes", {}).items()}
    return LabState(raw["backend"], raw.get("stack", ""), processes, raw.get("ports", {}),
                    raw.get("admin_token", ""), raw.get("deployed", {}))


def save(path: Path, state: LabState) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = asdict(state)
    if not data["admin_token"]:  # a writer that never read the token must not drop it
        old = load(path)
        data["admin_token"] = old.admin_token if old else ""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".state-")
    with os.fdopen(fd, "w") as out:
        json.dump(data, out, indent=2)
    os.replace(tmp, path)
