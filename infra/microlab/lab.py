"""`Lab`: the one small API the notebooks, the CLI and the graders use."""
from __future__ import annotations

import re
import time

from microlab import deployment, localhttp, state, topology
from microlab.backends.base import Backend, ComponentStatus
from microlab.errors import LabError
from microlab.settings import BACKENDS, settings
from microlab.status import StatusReport, components as components_text

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
        # the lab's deployed components come back with it (lab.stop + lab.up restarts them too)
        components = topology.stack(stack) + tuple(deployment.recorded(self.name).values())
        started = time.monotonic()
        self._report(f"Starting {stack!r} on the {self.backend_name} backend (lab {self.name!r})...")
        self.backend.up(components, stack, report=self._report)
        ready = "All " + components_text(len(components)) if len(components) > 1 else components_text(1)
        self._report(f"{ready} ready in {time.monotonic() - started:.1f} s.")
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

    def lag(self, group: str, topic: str | None = None):
        """How far consumer group `group` is behind: per partition, its committed offset, the
        end offset and the lag between them (all partitions of `topic`, else those the group
        has committed on). Shows as a table; `.total` is the sum."""
        from microlab.broker import lag

        return lag.group_lag(self.kafka_bootstrap, group, topic)

    def deploy(self, name: str, source, topic=None, group: str | None = None) -> "Lab":
        """Run your own code as a component of this lab: a .py file or a string of code that
        defines a FastAPI `app` (a service), or `handle(event)` (a consumer of `topic`, in
        consumer group `group`). It gets its own database (DATABASE_URL), shows in status()
        and logs(), survives the kernel, and lab.down() stops it. Deploying again under the
        same name replaces the code (its database and its group's offsets stay)."""
        c = deployment.prepare(self.name, name, source, topic, group)
        if c.name in deployment.recorded(self.name):
            try:
                self.backend.stop(c.name)  # the new code must not find the old one healthy
            except LabError:
                pass  # it was not running
        self.backend.record_deployed(c)
        started = time.monotonic()
        self.backend.up((c,), self._stack(), report=self._report)
        self._report(f"Deployed {name} ({deployment.describe(c)}) in {time.monotonic() - started:.1f} s; "
                     f"lab.logs({name!r}) shows what it does.")
        return self

    def undeploy(self, name: str) -> None:
        """Stop a component you deployed and remove it, with its database."""
        if name not in deployment.recorded(self.name):
            raise LabError(f"{name} was not deployed with lab.deploy() in lab {self.name!r}")
        self.backend.remove(name)
        (state.lab_dir(self.name) / "deployed" / f"{name}.py").unlink(missing_ok=True)
        self._report(f"{name} removed, with its database.")

    def _stack(self) -> str:
        st = state.load_lab(self.name)
        return st.stack if st and st.stack else "services"

    def dashboard(self, every_s: float = 3.0):
        """A live panel of this lab: health, start/stop buttons, fault sliders, recent requests,
        request rate, Kafka offsets and lag. Refreshes by itself until the lab is down."""
        from microlab.dashboard import Dashboard

        return Dashboard(self, every_s=every_s)

    def trace(self, request=None):
        """One request followed across gateway, services and events: a table, `.plot()` for a
        swimlane. Takes a request id, a response, or nothing (the last microlab.calls call)."""
        from microlab import trace

        return trace.follow(self, request)

    def database_url(self, service: str) -> str:
        """The SQLAlchemy URL of `service`'s own database, as the host reaches it."""
        return self.backend.database_url(service)

    def status(self) -> StatusReport:
        return StatusReport(self.backend.status(), self.backend_name, self.name)

    def logs(self, name: str, tail: int = 50, everything: bool = False) -> str:
        """The last `tail` lines of a component's log. Health checks (`GET /health`) and
        Kafka metadata refreshes are left out unless `everything=True`."""
        from microlab import logfilter

        text = self.backend.logs(name, logfilter.lines_to_read(tail, everything))
        return logfilter.keep(text, tail, everything)[0]

    def fault(self, name: str, latency_ms: int = 0, error_rate: float = 0.0, edge: str | None = None,
              consumer_paused: bool = False) -> dict:
        """Inject added latency and a share of 500s into a running service (0, 0 clears);
        with `edge="user-service"`, only into its own calls to user-service; with
        `consumer_paused=True`, its Kafka consumer stops taking events (HTTP still answers)."""
        if not 0.0 <= error_rate <= 1.0:
            raise LabError(f"error_rate must be between 0 and 1, got {error_rate}")
        if latency_ms < 0:
            raise LabError(f"latency_ms must be >= 0, got {latency_ms}")
        # a deployed component is hosted like the shop's services, faults included
        if self.backend.component(name).kind not in ("service", "deployed"):
            raise LabError(f"{name} is not an HTTP service; faults apply to services only")
        body = {"latency_ms": latency_ms, "error_rate": error_rate, "consumer_paused": bool(consumer_paused)}
        if edge is not None:
            if topology.component(edge).kind != "service":
                raise LabError(f"edge {edge!r} is not an HTTP service {name} calls")
            body["edge"] = edge
        resp = localhttp.put(f"{self.url(name)}/admin/faults", json=body, timeout=5, headers=self._admin_headers(name))
        if resp.status_code in (401, 403):
            raise LabError(f"{name} refused the fault: {resp.json().get('error', resp.text)[:300]}")
        resp.raise_for_status()
        return resp.json()

    def _admin_headers(self, name: str) -> dict[str, str]:
        """The lab's admin token, which its services ask for on /admin/* (admintoken.py)."""
        from microlab import admintoken

        return admintoken.headers(self.backend, name)

    def stop(self, name: str) -> None:
        """Take one component down, as an outage would; `lab.up(...)` brings it back."""
        self.backend.stop(name)
        self._report(f"{name} stopped (lab.up() starts it again on the same address).")

    def down(self) -> None:
        self.backend.down()
        deployment.forget(self.name)
        what = ("its containers, network and volumes are removed" if self.backend_name == "docker"
                else "every process it started is stopped")
        self._report(f"Lab {self.name!r} is down: {what}.")


__all__ = ["Lab", "LabError", "ComponentStatus"]
