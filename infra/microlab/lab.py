"""`Lab`: the one small API the notebooks, the CLI and the graders use."""
from __future__ import annotations

import re
import time

import httpx

from microlab import state, topology
from microlab.backends.base import Backend, ComponentStatus
from microlab.errors import LabError
from microlab.settings import BACKENDS, settings
from microlab.status import StatusReport

# A lab's name names its folder, its Docker network and containers: letters, digits, _ . -
LAB_NAME = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$")


def check_lab_name(name: str) -> str:
    if not isinstance(name, str) or not LAB_NAME.match(name):
        raise LabError(f"lab name {name!r} cannot be used: use up to 63 letters, digits, '_', '.' "
                       "and '-', starting with a letter or digit (e.g. Lab(name=\"lab03\"))")
    return name


def choose_backend(requested: str, lab_id: str) -> str:
    """Explicit choice, else MICROLAB_BACKEND, else the backend already running this lab,
    else docker when an engine answers, else local."""
    if requested not in BACKENDS:
        raise LabError(f"unknown backend {requested!r}; choose one of: {', '.join(BACKENDS)}")
    if requested == "auto":
        requested = settings().backend
    if requested != "auto":
        return requested
    existing = state.load_lab(lab_id)
    if existing is not None:
        return existing.backend
    from microlab.engine import docker_problem

    return "docker" if docker_problem() is None else "local"


def make_backend(name: str, lab_id: str) -> Backend:
    if name == "docker":
        from microlab.docker.backend import DockerBackend

        return DockerBackend(lab_id)
    from microlab.local.backend import LocalBackend

    return LocalBackend(lab_id)


class Lab:
    """A running copy of the shop. `with Lab() as lab:` tears it down on exit."""

    def __init__(self, backend: str = "auto", name: str = "default", quiet: bool = False):
        self.name = check_lab_name(name)
        self.backend_name = choose_backend(backend, name)
        self.backend = make_backend(self.backend_name, name)
        self._report = (lambda _msg: None) if quiet else print

    def __repr__(self) -> str:
        return f"Lab(backend={self.backend_name!r}, name={self.name!r})"

    def __enter__(self) -> "Lab":
        return self

    def __exit__(self, *exc) -> None:
        self.down()

    def up(self, stack: str = "services") -> "Lab":
        components = topology.stack(stack)
        started = time.monotonic()
        self._report(f"Starting {stack!r} on the {self.backend_name} backend (lab {self.name!r})...")
        self.backend.up(components, stack, report=self._report)
        self._report(f"All {len(components)} components ready in {time.monotonic() - started:.1f} s.")
        return self

    @property
    def gateway(self):
        """The API gateway: .validate(kong.yml), .apply(kong.yml), .url; lab.gateway("web-gateway")."""
        from microlab.gateway.api import Gateway

        return Gateway(self)

    def url(self, name: str) -> str:
        host, port = self.backend.address(name)
        return f"http://{host}:{port}"

    @property
    def kafka_bootstrap(self) -> str:
        """Where the host reaches Kafka, e.g. "127.0.0.1:40123" (services inside use kafka:9092)."""
        host, port = self.backend.address("kafka")
        return f"{host}:{port}"

    def topics(self) -> list[str]:
        """The Kafka topics that exist (internal ones such as __consumer_offsets left out)."""
        from microlab.broker import client

        return client.topics(self.kafka_bootstrap)

    def events(self, topic: str, limit: int = 20):
        """The newest `limit` events on `topic` (offset, partition, key, value, timestamp and
        why a consumer rejected it, if one did); shows as a table in a notebook."""
        from microlab.broker import client

        return client.recent_events(self.kafka_bootstrap, topic, limit=limit)

    def database_url(self, service: str) -> str:
        """The SQLAlchemy URL of `service`'s own database, as the host reaches it."""
        return self.backend.database_url(service)

    def status(self) -> StatusReport:
        return StatusReport(self.backend.status(), self.backend_name, self.name)

    def logs(self, name: str, tail: int = 50) -> str:
        return self.backend.logs(name, tail)

    def fault(self, name: str, latency_ms: int = 0, error_rate: float = 0.0) -> dict:
        """Inject added latency and a share of 500s into a running service (0, 0 clears)."""
        if not 0.0 <= error_rate <= 1.0:
            raise LabError(f"error_rate must be between 0 and 1, got {error_rate}")
        if latency_ms < 0:
            raise LabError(f"latency_ms must be >= 0, got {latency_ms}")
        if topology.component(name).kind != "service":
            raise LabError(f"{name} is not an HTTP service; faults apply to services only")
        body = {"latency_ms": latency_ms, "error_rate": error_rate}
        resp = httpx.put(f"{self.url(name)}/admin/faults", json=body, timeout=5)
        resp.raise_for_status()
        return resp.json()

    def stop(self, name: str) -> None:
        """Take one component down, as an outage would; `lab.up(...)` brings it back."""
        self.backend.stop(name)
        self._report(f"{name} stopped (lab.up() starts it again on the same address).")

    def down(self) -> None:
        self.backend.down()
        self._report(f"Lab {self.name!r} is down: every process it started is stopped.")


__all__ = ["Lab", "LabError", "ComponentStatus"]
