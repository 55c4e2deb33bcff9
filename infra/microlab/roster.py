"""Every lab this user has, whatever notebook, terminal or backend started it.

A notebook's `Lab(name="lab03")` and a terminal's `microlab up` are the same user's labs:
`microlab status` without --lab lists them all. Found from the state files under this
MICROLAB_HOME and, when an engine answers, the Docker resources labelled with this user.
"""
from __future__ import annotations

from microlab import state
from microlab.errors import LabError
from microlab.status import StatusReport


def labs() -> dict[str, str]:
    """lab id -> backend, sorted by id."""
    found = state.lab_backends()
    from microlab.engine import docker_problem

    if docker_problem() is None:
        from docker.errors import DockerException

        from microlab.docker.sweep import my_labs

        try:
            for lab_id in my_labs():
                found.setdefault(lab_id, "docker")
        except DockerException:  # the engine went away meanwhile: the state files still count
            pass
    return dict(sorted(found.items()))


def running() -> list[StatusReport]:
    """The status of every lab that has something running (or crashed: shown as exited)."""
    from microlab.lab import Lab

    reports = []
    for lab_id, backend in labs().items():
        try:
            report = Lab(backend=backend, name=lab_id, quiet=True).status()
        except LabError:  # a folder whose name is no lab's, an engine gone away: not listed
            continue
        if report:
            reports.append(report)
    return reports


def live() -> dict[str, str]:
    """lab id -> backend, for the labs that have a process or container right now (a state
    file left by a crash does not count)."""
    from docker.errors import DockerException

    from microlab.lab import make_backend

    found = {}
    for lab_id, backend in labs().items():
        try:
            if make_backend(backend, lab_id).owned():
                found[lab_id] = backend
        except (LabError, DockerException):  # an engine gone away: nothing of it can be stopped
            continue
    return found
