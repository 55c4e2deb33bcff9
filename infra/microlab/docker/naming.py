"""Names and labels of everything a lab creates on the engine.

Labels are the lab's only state: any process (a restarted kernel, the CLI) finds a
lab's containers, network and volumes by them, so nothing is lost when the process
that created them dies.
"""
from __future__ import annotations

import re

LAB = "microlab.lab"  # the lab id; its presence marks a resource as microlab's
COMPONENT = "microlab.component"  # topology name, e.g. "order-service" or "order-db"
KIND = "microlab.kind"  # "service" | "database" | "broker" | "gateway"
IMAGE_SET = "microlab.images"  # "official" | "offline"

_VALID = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9_.-]*$")


def check_lab_id(lab_id: str) -> str:
    if not _VALID.match(lab_id):
        from microlab.backends.base import LabError

        raise LabError(f"lab name {lab_id!r} cannot name Docker resources: use letters, digits, "
                       "'_', '.' and '-', starting with a letter or digit")
    return lab_id


def network(lab_id: str) -> str:
    return f"microlab-{lab_id}"


def container(lab_id: str, name: str) -> str:
    """Unique on the engine; inside the lab's network the container answers to `name`."""
    return f"microlab-{lab_id}-{name}"


def volume(lab_id: str, name: str) -> str:
    return f"microlab-{lab_id}-{name}-data"


def labels(lab_id: str, name: str | None = None, kind: str | None = None, **extra: str) -> dict:
    out = {LAB: lab_id}
    if name:
        out[COMPONENT] = name
    if kind:
        out[KIND] = kind
    out.update(extra)
    return out


def lab_filter(lab_id: str, name: str | None = None) -> dict:
    found = [f"{LAB}={lab_id}"]
    if name:
        found.append(f"{COMPONENT}={name}")
    return {"label": found}


ANY_LAB = {"label": [LAB]}
