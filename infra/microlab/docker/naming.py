"""Names and labels of everything a lab creates on the engine.

Any process (a restarted kernel, the CLI) finds a lab's containers, network and volumes
by their labels, so nothing is lost when the process that created them dies. Lab names are
checked once, by `Lab`, for every backend.
"""
from __future__ import annotations

LAB = "microlab.lab"  # the lab id; its presence marks a resource as microlab's
COMPONENT = "microlab.component"  # topology name, e.g. "order-service" or "order-db"
KIND = "microlab.kind"  # "service" | "database" | "broker" | "gateway"
IMAGE_SET = "microlab.images"  # "official" | "offline"

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
