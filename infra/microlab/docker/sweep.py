"""`microlab down --all`, Docker part: remove this user's labs from the engine, whichever
process or kernel created them, and nobody else's.

"This user's" is the owner labels every resource carries (uid and MICROLAB_HOME, see
naming.OWNER). Resources made before those labels existed are taken only when their lab
has a state file in this MICROLAB_HOME.
"""
from __future__ import annotations

from dataclasses import dataclass

from microlab import state
from microlab.docker import containers, engine, naming


@dataclass
class Removed:
    lab: str
    containers: int
    networks: int
    volumes: int

    def __str__(self) -> str:
        counts = ((self.containers, "container"), (self.networks, "network"), (self.volumes, "volume"))
        return f"removed docker lab {self.lab!r}: " + ", ".join(
            f"{n} {what}{'' if n == 1 else 's'}" for n, what in counts)


def _labels(resource) -> dict:
    """Labels of a sparse container (the list API's fields) or of a network."""
    return resource.attrs.get("Labels") or {}


def _lab_of(resource) -> str:
    return _labels(resource).get(naming.LAB, "?")


def _unowned(resource) -> bool:
    return naming.OWNER not in _labels(resource)


def my_labs(client=None) -> list[str]:
    """The ids of this user's labs that have a container or network on the engine."""
    client = client or engine.client()
    mine = naming.owner_filter()
    # sparse: no inspect per container, which fails (404) for one being removed meanwhile
    found = {_lab_of(r) for r in client.containers.list(all=True, filters=mine, sparse=True)}
    found |= {_lab_of(r) for r in client.networks.list(filters=mine)}
    known_here = set(state.lab_ids())
    legacy = [r for r in client.containers.list(all=True, filters=naming.ANY_LAB, sparse=True)
              if _unowned(r)]
    found |= {_lab_of(r) for r in legacy if _lab_of(r) in known_here}
    return sorted(found)


def sweep_mine(report=print) -> list[str]:
    """Remove every container, network and volume of this user's labs; returns the lab ids."""
    client = engine.client()
    labs = my_labs(client)
    for lab_id in labs:
        removed = Removed(lab_id, *containers.remove_lab(client, naming.lab_filter(lab_id)))
        _forget(lab_id)  # so that Lab(name) no longer picks docker for a lab that is gone
        report(str(removed))
    return labs


def _forget(lab_id: str) -> None:
    try:
        found = state.load_lab(lab_id)
    except (OSError, ValueError, KeyError):
        return
    if found is not None and found.backend == "docker":
        state.forget(lab_id)
