"""`microlab down --all`, Docker part: remove every microlab-labelled container, network
and volume on the engine, whichever process or kernel created them."""
from __future__ import annotations

from collections import Counter

from microlab.docker import containers, engine, naming


def labelled_labs() -> list[str]:
    client = engine.client()
    found = Counter()
    for c in client.containers.list(all=True, filters=naming.ANY_LAB):
        found[c.labels.get(naming.LAB, "?")] += 1
    for n in client.networks.list(filters=naming.ANY_LAB):
        found[n.attrs.get("Labels", {}).get(naming.LAB, "?")] += 0
    return sorted(found)


def sweep_labelled(report=print) -> None:
    labs = labelled_labs()
    removed = containers.remove_lab(engine.client(), naming.ANY_LAB)
    for lab_id in labs:  # so that Lab(name) no longer picks docker for a lab that is gone
        _forget(lab_id)
    if any(removed):
        report(f"removed docker labs {', '.join(labs) or '(unnamed)'}: {removed[0]} containers, "
               f"{removed[1]} networks, {removed[2]} volumes")


def _forget(lab_id: str) -> None:
    from microlab import state

    try:
        found = state.load_lab(lab_id)
    except (OSError, ValueError, KeyError):
        return
    if found is not None and found.backend == "docker":
        state.forget(lab_id)
