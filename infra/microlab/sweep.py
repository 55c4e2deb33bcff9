"""`microlab down --all`: stop every lab this user has, whatever backend started it, and
say which (or that nothing was running).

This user's labs: the state files under this MICROLAB_HOME (local processes), and the
Docker resources labelled with this uid and MICROLAB_HOME (docker.sweep).
"""
from __future__ import annotations

from microlab import state
from microlab.engine import docker_problem


def describe(owned) -> str:
    """"1 process: monolith", "10 containers: gateway, kafka, ..." for what a lab owned."""
    plural = {"process": "processes", "container": "containers"}
    counts = [(kind, sum(o.kind == kind for o in owned)) for kind in sorted({o.kind for o in owned})]
    what = ", ".join(f"{n} {kind if n == 1 else plural.get(kind, kind + 's')}" for kind, n in counts)
    return f"{what}: {', '.join(sorted({o.component for o in owned}))}"


def stop_local(lab_id: str, report=print) -> bool:
    """Stop a local lab; True when it still had processes running."""
    from microlab.lab import make_backend

    backend = make_backend("local", lab_id)
    running = backend.owned()
    backend.down()  # also forgets a stale state file
    if running:
        report(f"stopped local lab {lab_id!r} ({describe(running)})")
    return bool(running)


def sweep_all(report=print) -> list[str]:
    """Returns the ids of the labs that were stopped."""
    stopped = []
    for lab_id in state.lab_ids():
        found = state.load_lab(lab_id)
        if (found is None or found.backend == "local") and stop_local(lab_id, report):
            stopped.append(lab_id)
    if docker_problem() is None:  # no engine: nothing of microlab's can be on one
        from microlab.docker.sweep import sweep_mine

        stopped += sweep_mine(report)
    if not stopped:
        report(f"nothing was running (labs under {state.labs_root()})")
    return stopped
