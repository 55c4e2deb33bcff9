"""Is a Docker engine reachable, and if not, why (in words a student can act on)."""
from __future__ import annotations

import os


def docker_problem(timeout: float = 2.0) -> str | None:
    """None when an engine answers; otherwise a sentence saying what is wrong."""
    try:
        import docker
        from docker.errors import DockerException
    except ImportError:
        return "the `docker` Python package is not installed (pip install docker)"
    try:
        client = docker.from_env(timeout=timeout)
        client.ping()
        client.close()
        return None
    except DockerException as exc:
        return _explain(str(exc))


def _explain(message: str) -> str:
    sock = os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock")
    if "Permission denied" in message:
        return (f"permission denied on {sock}: add yourself to the `docker` group "
                "(sudo usermod -aG docker $USER, then log in again) or run as root")
    if "No such file" in message or "FileNotFoundError" in message or "Connection refused" in message:
        return (f"no Docker engine is running at {sock}: start Docker Desktop or "
                "`sudo systemctl start docker`; the local backend works without it")
    return f"the Docker engine at {sock} did not answer: {message}"
