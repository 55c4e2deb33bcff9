"""How the local backend starts each kind of component and knows it is ready.

A launcher turns a topology component into a command line and an environment, and
answers "ready?" with a real protocol check (an HTTP 200, a Kafka metadata fetch), never
an open port. Other parts of microlab register launchers for their kinds ("broker",
"gateway") with `register`.
"""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import httpx

from microlab.topology import Component


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
        env.update({"SERVICE_NAME": component.name, "PYTHONUNBUFFERED": "1"})
        return env


@dataclass
class LaunchSpec:
    argv: list[str]
    env: dict[str, str]
    cwd: Path | None = None
    ready_timeout: float = 30.0
    extra: dict = field(default_factory=dict)  # recorded in the state file


class Launcher(Protocol):
    def spec(self, component: Component, port: int, ctx: LaunchContext) -> LaunchSpec: ...

    def ready(self, component: Component, port: int) -> bool: ...


def http_ok(port: int, path: str, timeout: float = 1.0) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}{path}", timeout=timeout).status_code == 200
    except httpx.HTTPError:
        return False


class ServiceLauncher:
    """A FastAPI app under uvicorn, with its own SQLite file (database per service)."""

    def spec(self, component: Component, port: int, ctx: LaunchContext) -> LaunchSpec:
        env = ctx.base_env(component)
        db_file = ctx.data_dir(component.name) / f"{component.database.db}.sqlite3"
        env["DATABASE_URL"] = f"sqlite:///{db_file}"
        argv = [sys.executable, "-m", "uvicorn", component.app,
                "--host", "127.0.0.1", "--port", str(port), "--no-access-log"]
        return LaunchSpec(argv, env)

    def ready(self, component: Component, port: int) -> bool:
        return http_ok(port, component.health_path)


LAUNCHERS: dict[str, Launcher] = {"service": ServiceLauncher()}


def register(kind: str, launcher: Launcher) -> None:
    LAUNCHERS[kind] = launcher


def launcher_for(component: Component) -> Launcher:
    _load_plugins()
    try:
        return LAUNCHERS[component.kind]
    except KeyError:
        raise ValueError(f"the local backend cannot run components of kind {component.kind!r}")


def _load_plugins() -> None:
    """Import the modules that register launchers for the broker and the gateway."""
    import importlib

    for module in ("microlab.broker.local", "microlab.gateway.local"):
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if not module.startswith(exc.name or "?"):
                raise
