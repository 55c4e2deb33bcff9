"""Container names in kong.yml (user-service:8080) -> where that service really listens.

The same file works on Docker (names resolve on the lab network) and locally (the map,
given at start, points each name at 127.0.0.1:<port>). Names not in the map are left to
ordinary DNS.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

ENV = "MICROLAB_GATEWAY_RESOLVE"  # "user-service=127.0.0.1:5001,order-service:8080=127.0.0.1:5002"


class Resolver:
    def __init__(self, mapping: dict[str, tuple[str, int]] | None = None):
        self.mapping = dict(mapping or {})  # "name" or "name:port" -> (host, port)

    def __call__(self, host: str, port: int) -> tuple[str, int]:
        found = self.mapping.get(f"{host}:{port}") or self.mapping.get(host)
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
                 env: dict | None = None) -> Resolver:
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
    return Resolver(mapping)
