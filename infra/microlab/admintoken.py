"""Each lab's own admin token: its services' `/admin/*` routes and its gateways' admin API
answer only calls that carry it, so one lab's client cannot change another lab's faults or
gateway config on 127.0.0.1.

The token is made once per lab, kept in the lab's state file (private to its owner),
given to each component in its environment (MICROLAB_ADMIN_TOKEN; on Docker it is in the
container's environment, which is where `Lab` reads it back) and sent by the `Lab` API in
the X-Microlab-Admin-Token header.
"""
from __future__ import annotations

import secrets

from microlab import state

ENV = "MICROLAB_ADMIN_TOKEN"
HEADER = "X-Microlab-Admin-Token"


def for_lab(lab_id: str, backend: str) -> str:
    """The lab's token, made (and saved in its state) on first use."""
    found = state.load_lab(lab_id)
    if found is not None and found.admin_token:
        return found.admin_token
    found = found or state.LabState(backend=backend)
    found.admin_token = secrets.token_urlsafe(24)
    state.save_lab(lab_id, found)
    return found.admin_token


def of_component(backend, name: str) -> str:
    """The token `name` was started with: its container's environment on Docker (the truth
    even when the state file was lost), else the lab's state."""
    if backend.name == "docker":
        from microlab.docker import containers

        container = containers.find(backend.client, backend.lab_id, name)
        for item in (container.attrs["Config"].get("Env") or []) if container else []:
            key, _, value = item.partition("=")
            if key == ENV:
                return value
    found = state.load_lab(backend.lab_id)
    return found.admin_token if found else ""


def headers(backend, name: str) -> dict[str, str]:
    token = of_component(backend, name)
    return {HEADER: token} if token else {}
