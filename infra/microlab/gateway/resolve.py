"""Container names in kong.yml (user-service:8080) -> where that service really listens.

The same file works on Docker (names resolve on the lab network) and locally (the map,
given at start, points each name at 127.0.0.1:<port>). A local gateway also reads its lab's
state file for names started after it (the monolith brought up beside the services for a
strangler fig, a BFF added with lab.deploy), re-read only when it changed. Names found
nowhere are left to ordinary DNS.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

ENV = "MICROLAB_GATEWAY_RESOLVE"  # "user-service=127.0.0.1:5001,order-service:8080=127.0.0.1:5002"


class LabPorts:
    """The `ports` of a local lab's state file ({component: host port on 127.0.0.1})."""

    def __init__(self, path: str | Path):
        self.path, self._stamp, self._ports = Path(path), None, {}

    def get(self, name: str) -> tuple[str, int] | None:
        try:
            found = self.path.stat()
            stamp = (found.st_mtime_ns, found.st_size, found.st_ino)  # state.save replaces the file: a new inode
            if stamp != self._stamp:
                self._ports, self._stamp = json.loads(self.path.read_text()).get("ports", {}), stamp
        except (OSError, ValueError):
            pass  # mid-write or gone: keep what was read last
        port = self._ports.get(name)
        return ("127.0.0.1", int(port)) if port else None


class Resolver:
    def __init__(self, mapping: dict[str, tuple[str, int]] | None = None, lab: LabPorts | None = None):
        self.mapping = dict(mapping or {})  # "name" or "name:port" -> (host, port)
        self.lab = lab

    def __call__(self, host: str, port: int) -> tuple[str, int]:
        found = self.mapping.get(f"{host}:{port}") or self.mapping.get(host)
        if not found and self.lab is not None:
            found = self.lab.get(host)
        return found if found else (host, port)

    def __repr__(self) -> str:
        return f"Resolver({self.mapping})"


def parse_entry(text: str) -> tuple[str, tuple[str, int]]:
    """'user-service=127.0.0.1:5001' or 'user-service:8080=127.0.0.1:5001'."""
    name, sep, target = text.strip().partition("=")
    host, colon, port = target.rpartition(":")
    if not sep or not name or not colon or not host or not port.isdigit():
        raise ValueError(f"bad resolve entry {text!r}; expected NAME[:PORT]=HOST:PORT, "
                         "e.g. user-service=127.0.0.1:5001")
    return name, (host, int(port))


def from_sources(entries: list[str] | None = None, file: str | None = None,
                 env: dict | None = None, lab_state: str | None = None) -> Resolver:
    env = os.environ if env is None else env
    mapping: dict[str, tuple[str, int]] = {}
    for text in filter(None, env.get(ENV, "").split(",")):
        name, target = parse_entry(text)
        mapping[name] = target
    if file:
        for name, target in json.loads(Path(file).read_text()).items():
            mapping.update([parse_entry(f"{name}={target}")])
    for text in entries or []:
        name, target = parse_entry(text)
        mapping[name] = target
    return Resolver(mapping, LabPorts(lab_state) if lab_state else None)
