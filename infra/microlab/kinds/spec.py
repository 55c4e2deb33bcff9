"""What a component kind tells each backend: how to launch it as a local process
(LaunchSpec), how to run it as a container (ContainerSpec), and how to know it is ready.

Readiness is always a real protocol check (an HTTP 200, a Kafka metadata fetch), never an
open port, and the same check serves both backends: it takes the host port on 127.0.0.1.
"""
from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from microlab import admintoken
from microlab.topology import Component

BOOTSTRAP = "KAFKA_BOOTSTRAP"
SECOND = 1_000_000_000  # the engine counts health-check times in nanoseconds
Ready = Callable[[int], bool]  # host port on 127.0.0.1 -> ready?


# -- local processes ------------------------------------------------------------------
@dataclass
class LaunchContext:
    lab_dir: Path
    components: dict[str, Component]  # every component the lab knows about
    ports: dict[str, int]  # host port of each component on 127.0.0.1

    def resolve(self, text: str) -> str:
        """Rewrite container-style addresses (user-service:8080) to 127.0.0.1:<port>."""
        for name, port in self.ports.items():
            c = self.components.get(name)
            if c is not None:
                text = text.replace(f"{c.name}:{c.port}", f"127.0.0.1:{port}")
        return text

    def data_dir(self, name: str) -> Path:
        path = self.lab_dir / "data" / name
        path.mkdir(parents=True, exist_ok=True)
        return path

    def base_env(self, component: Component) -> dict[str, str]:
        env = dict(os.environ)
        env.update({k: self.resolve(v) for k, v in component.env.items()})
        if BOOTSTRAP in env and env[BOOTSTRAP] == component.env.get(BOOTSTRAP):
            # A broker this lab does not run (03's stack): a service without a bootstrap keeps
            # its events in the outbox, instead of asking a name nothing answers, many times
            # a second, until it is stopped.
            del env[BOOTSTRAP]
        env.update({"SERVICE_NAME": component.name, "PYTHONUNBUFFERED": "1"})
        env[admintoken.ENV] = admintoken.for_lab(self.lab_dir.name, "local")  # lab_dir is labs/<lab id>
        return env


@dataclass
class LaunchSpec:
    argv: list[str]
    env: dict[str, str]
    cwd: Path | None = None
    ready_timeout: float = 30.0
    extra: dict = field(default_factory=dict)  # recorded in the state file (admin_port, ...)
    fork: bool = True  # from the lab's warm interpreter (local/forkserver.py) where argv allows


# -- containers -----------------------------------------------------------------------
@dataclass
class ContainerSpec:
    name: str  # topology name; also the container's DNS name in the lab's network
    kind: str  # "service" | "database" | "broker" | "gateway"
    role: str  # image role, see microlab.docker.images
    port: int  # main port inside the container, published on 127.0.0.1
    env: dict[str, str]
    ready: Ready
    command: list[str] | None = None
    healthcheck: list[str] | None = None  # Docker's own check, shown by status() and compose
    depends_on: tuple[str, ...] = ()
    data_path: str | None = None  # a named, labelled volume is mounted here
    files: dict[str, str] = field(default_factory=dict)  # host file -> path in container (ro)
    extra_ports: tuple[int, ...] = ()  # also published, on random 127.0.0.1 ports (admin APIs)
    # "{host_port}" in env values becomes the host port `port` is published on (picked
    # when the container is made; Kafka advertises it to the host's clients)
    restart_to_heal: bool = False  # True: a stopped container is started again (its data is in it)
    ready_timeout: float = 60.0
    health_interval: float | None = None  # set for costly checks (a JVM): used everywhere
    detail: str = ""  # shown in status(), e.g. "embedded gateway (no Kong image)"

    def health(self, interval: float | None = None) -> dict | None:
        if not self.healthcheck:
            return None
        interval = self.health_interval or interval or 5.0
        return {"test": self.healthcheck, "interval": int(interval * SECOND), "timeout": 5 * SECOND,
                "retries": 3, "start_period": int(self.ready_timeout * SECOND)}


@dataclass(frozen=True)
class SpecContext:
    lab_id: str
    image_set: str  # "official" | "offline"
    components: dict[str, Component]

    def admin_env(self) -> dict[str, str]:
        """The lab's admin token, in the environment of the containers that have an admin API.
        A compose file (lab "compose-...", see docker/compose.py) is no Lab: it gets a token
        of its own, kept nowhere but in the file, so no state file appears for it."""
        if self.lab_id.startswith("compose-"):
            return {admintoken.ENV: secrets.token_urlsafe(24)}
        return {admintoken.ENV: admintoken.for_lab(self.lab_id, "docker")}


# -- readiness probes -----------------------------------------------------------------
# One shared client: httpx.get() builds a client (and loads a CA bundle) per call, which
# at ten probes a second per container costs more CPU than the containers starting.
_http = httpx.Client(timeout=1.0, verify=False, trust_env=False)


def http_get(port: int, path: str) -> httpx.Response | None:
    try:
        return _http.get(f"http://127.0.0.1:{port}{path}")
    except httpx.HTTPError:
        return None  # docker-proxy accepts before the app listens, then resets


def http_ready(path: str) -> Ready:
    def ready(port: int) -> bool:
        response = http_get(port, path)
        return response is not None and response.status_code == 200

    return ready


def http_healthcheck(port: int, path: str) -> list[str]:
    """Docker's own check inside a python-based container (no curl in slim images)."""
    probe = (f"import urllib.request; urllib.request.urlopen('http://127.0.0.1:{port}{path}', "
             "timeout=2)")
    return ["CMD", "python", "-c", probe]
