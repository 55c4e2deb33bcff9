"""Kind "gateway": an API gateway loading a kong.yml.

Local backend: the embedded Kong-compatible gateway as a process; the service names in the
file are mapped to the lab's real ports with --resolve, so the file stays exactly as it
would be on Docker. Docker backend: Kong (official set) or the embedded gateway inside the
python image (offline set); inside the lab's network the file's service names
(user-service:8080) resolve by DNS, so it needs no rewriting.
"""
from __future__ import annotations

import sys
from pathlib import Path

from microlab import state
from microlab.kinds.spec import (ContainerSpec, LaunchContext, LaunchSpec, Ready, SpecContext,
                                 http_get, http_healthcheck)
from microlab.ports import free_port
from microlab.topology import Component

IMAGE_ROLE = "gateway"
PACKAGE = Path(__file__).resolve().parent.parent  # component.config is relative to the package
PROBE_PATH = "/.microlab/ready"  # routed nowhere: any answer comes from the gateway itself
ADMIN_PORT = 8001  # Kong's admin listener inside a container
CONFIG_INSIDE = "/kong/declarative/kong.yml"
READY_TIMEOUT = 20.0


def config_path(c: Component) -> Path:
    return PACKAGE / c.config


def ready(c: Component) -> Ready:
    """A real answer from the gateway itself: Kong stamps X-Kong-Request-Id on every
    response, routed or not (the admin listener starts first, so apply works too)."""
    def check(port: int) -> bool:
        response = http_get(port, PROBE_PATH)
        return response is not None and "x-kong-request-id" in response.headers

    return check


# -- local process --------------------------------------------------------------------
def _resolve_args(ctx: LaunchContext) -> list[str]:
    args = []
    for name, port in sorted(ctx.ports.items()):
        c = ctx.components.get(name)
        if c is not None:
            args += ["--resolve", f"{c.name}=127.0.0.1:{port}"]
    return args


def launch(c: Component, port: int, ctx: LaunchContext) -> LaunchSpec:
    admin_port = free_port(avoid=ctx.ports.values())
    config = config_path(c)
    argv = [sys.executable, "-m", "microlab.gateway", "--config", str(config),
            "--host", "127.0.0.1", "--port", str(port), "--admin-port", str(admin_port),
            *_resolve_args(ctx), "--lab-state", str(state.state_path(ctx.lab_dir.name))]
    return LaunchSpec(argv, ctx.base_env(c), ready_timeout=READY_TIMEOUT,
                      extra={"admin_port": admin_port, "config": str(config)})


# -- container ------------------------------------------------------------------------
def container(c: Component, ctx: SpecContext) -> ContainerSpec:
    files = {str(config_path(c)): CONFIG_INSIDE}
    common = dict(name=c.name, kind=c.kind, role=IMAGE_ROLE, port=c.port, ready=ready(c),
                  depends_on=tuple(c.depends_on), files=files, extra_ports=(ADMIN_PORT,))
    if ctx.image_set == "official":
        env = {"KONG_DATABASE": "off", "KONG_DECLARATIVE_CONFIG": CONFIG_INSIDE,
               "KONG_PROXY_LISTEN": f"0.0.0.0:{c.port}", "KONG_ADMIN_LISTEN": f"0.0.0.0:{ADMIN_PORT}",
               "KONG_PROXY_ACCESS_LOG": "/dev/stdout", "KONG_ADMIN_ACCESS_LOG": "/dev/stdout",
               "KONG_PROXY_ERROR_LOG": "/dev/stderr", "KONG_ADMIN_ERROR_LOG": "/dev/stderr"}
        return ContainerSpec(env=env, healthcheck=["CMD", "kong", "health"],
                             detail="Kong (DB-less)", **common)
    command = ["python", "-m", "microlab.gateway", "--config", CONFIG_INSIDE, "--host", "0.0.0.0",
               "--port", str(c.port), "--admin-port", str(ADMIN_PORT)]
    env = {"MICROLAB_IN_CONTAINER": "1", "SERVICE_NAME": c.name, **ctx.admin_env()}
    return ContainerSpec(env=env, command=command, healthcheck=http_healthcheck(ADMIN_PORT, "/status"),
                         ready_timeout=30.0, detail="embedded gateway (no Kong image in the offline set)",
                         **common)
