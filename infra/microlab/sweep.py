"""`microlab down --all`: stop every lab this user has, whatever backend started it."""
from __future__ import annotations

from microlab.backends.base import microlab_home
from microlab.local import state


def local_lab_ids() -> list[str]:
    root = microlab_home() / "labs"
    return sorted(p.parent.name for p in root.glob("*/state.json")) if root.exists() else []


def sweep_all(report=print) -> None:
    from microlab.lab import make_backend

    for lab_id in local_lab_ids():
        st = state.load(microlab_home() / "labs" / lab_id / "state.json")
        backend = st.backend if st else "local"
        if backend == "local":
            make_backend("local", lab_id).down()
            report(f"stopped local lab {lab_id!r}")
    _sweep_docker(report)


def _sweep_docker(report) -> None:
    from microlab.engine import docker_problem

    if docker_problem() is not None:
        return
    try:
        from microlab.docker.sweep import sweep_labelled
    except ModuleNotFoundError:
        return
    sweep_labelled(report)
