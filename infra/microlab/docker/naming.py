"""Names and labels of everything a lab creates on the engine.

Any process (a restarted kernel, the CLI) finds a lab's containers, network and volumes
by their labels, so nothing is lost when the process that created them dies. Lab names are
checked once, by `Lab`, for every backend.
"""
from __future__ import annotations

import os

LAB = "microlab.lab"  # the lab id; its presence marks a resource as microlab's
COMPONENT = "microlab.component"  # topology name, e.g. "order-service" or "order-db"
KIND = "microlab.kind"  # "service" | "database" | "broker" | "gateway"
IMAGE_SET = "microlab.images"  # "official" | "offline"
# Whose lab it is: the uid and MICROLAB_HOME of the user who started it. `microlab down --all`
# and `microlab status` touch only the resources of the same user and home (on a shared
# engine, other users' labs, and a test run's or grading run's own home, are left alone).
OWNER = "microlab.owner"
HOME = "microlab.home"

def network(lab_id: str) -> str:
    return f"microlab-{lab_id}"


def container(lab_id: str, name: str) -> str:
    """Unique on the engine; inside the lab's network the container answers to `name`."""
    return f"microlab-{lab_id}-{name}"


def volume(lab_id: str, name: str) -> str:
    return f"microlab-{lab_id}-{name}-data"


def labels(lab_id: str, name: str | None = None, kind: str | None = None, **extra: str) -> dict:
    out = {LAB: lab_id, **owner_labels()}
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


def owner_labels() -> dict[str, str]:
    from microlab.settings import settings

    return {OWNER: str(os.getuid()), HOME: str(settings().home.expanduser().resolve())}


def owner_filter() -> dict:
    """Every resource of this user's labs (this uid, this MICROLAB_HOME)."""
    return {"label": [LAB] + [f"{k}={v}" for k, v in owner_labels().items()]}
