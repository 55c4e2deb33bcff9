"""The local backend's launcher for kind "gateway": the embedded gateway as a process.

Service names in the component's kong.yml are mapped to the lab's real ports with
--resolve, so the file stays exactly as it would be on Docker.
"""
from __future__ import annotations

import sys
from pathlib import Path

import httpx

from microlab.local.launchers import LaunchContext, LaunchSpec, register
from microlab.local.processes import free_port
from microlab.topology import Component

INFRA = Path(__file__).resolve().parent.parent  # component.config paths are relative to infra/
PROBE_PATH = "/.microlab/ready"


def config_path(component: Component) -> Path:
    return INFRA / (component.config or "gateway/kong.yml")


def resolve_args(ctx: LaunchContext) -> list[str]:
    args = []
    for name, port in sorted(ctx.ports.items()):
        c = ctx.components.get(name)
        if c is not None:
            args += ["--resolve", f"{c.name}=127.0.0.1:{port}"]
    return args


class GatewayLauncher:
    def spec(self, component: Component, port: int, ctx: LaunchContext) -> LaunchSpec:
        admin_port = free_port()
        config = config_path(component)
        argv = [sys.executable, "-m", "microlab.gateway", "--config", str(config),
                "--host", "127.0.0.1", "--port", str(port), "--admin-port", str(admin_port),
                *resolve_args(ctx)]
        return LaunchSpec(argv, ctx.base_env(component), ready_timeout=20.0,
                          extra={"admin_port": admin_port, "config": str(config)})

    def ready(self, component: Component, port: int) -> bool:
        """A real answer from the gateway itself: Kong stamps X-Kong-Request-Id on every
        response, routed or not (the admin listener starts first, so apply works too)."""
        try:
            r = httpx.get(f"http://127.0.0.1:{port}{PROBE_PATH}", timeout=1.0)
        except httpx.HTTPError:
            return False
        return "x-kong-request-id" in r.headers


register("gateway", GatewayLauncher())
