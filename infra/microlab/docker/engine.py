"""A Docker SDK client, or a LabError that says what to do."""
from __future__ import annotations

import docker
from docker.errors import DockerException

from microlab.errors import LabError
from microlab.engine import docker_problem

_client: docker.DockerClient | None = None


def client() -> docker.DockerClient:
    """One client per process (the SDK's connection pool is thread-safe)."""
    global _client
    if _client is None:
        problem = docker_problem()
        if problem is not None:
            raise LabError(f"the Docker backend needs an engine: {problem}")
        try:
            # long timeout: image builds and `docker load` can take a minute on 2 cores
            _client = docker.from_env(timeout=600, max_pool_size=32)
        except DockerException as exc:
            raise LabError(f"cannot talk to the Docker engine: {exc}") from None
    return _client
