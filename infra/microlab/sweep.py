"""`microlab down --all`: stop every lab this user has, whatever backend started it."""
from __future__ import annotations

from microlab import state
from microlab.engine import docker_problem


def sweep_all(report=print) -> None:
    from microlab.docker.sweep import sweep_labelled
    from microlab.lab import make_backend

    for lab_id in state.lab_ids():
        found = state.load_lab(lab_id)
        if found is None or found.backend == "local":
            make_backend("local", lab_id).down()
            report(f"stopped local lab {lab_id!r}")
    if docker_problem() is None:  # no engine: nothing of microlab's can be on one
        sweep_labelled(report)
