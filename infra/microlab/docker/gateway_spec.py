"""Container spec for kind "gateway": Kong (official set) or the embedded
Kong-compatible gateway inside the python image (offline set), loading the same
kong.yml. Inside the lab's network the file's service names (user-service:8080) resolve
by DNS, so it needs no rewriting.
"""
from __future__ import annotations

from microlab.docker.specs import ContainerSpec, SpecContext, http_get, http_healthcheck, register
from microlab.topology import Component

CONFIG_INSIDE = "/kong/declarative/kong.yml"
ADMIN_PORT = 8001


def _ready(_c: Component):
    """A real answer from the gateway itself (as the local launcher checks): Kong stamps
    X-Kong-Request-Id on every response, routed or not."""
    from microlab.gateway.local import PROBE_PATH

    def ready(port: int) -> bool:
        response = http_get(port, PROBE_PATH)
        return response is not None and "x-kong-request-id" in response.headers

    return ready


def gateway_spec(c: Component, ctx: SpecContext) -> ContainerSpec:
    from microlab.gateway.local import config_path

    files = {str(config_path(c)): CONFIG_INSIDE}
    if ctx.image_set == "official":
        env = {"KONG_DATABASE": "off", "KONG_DECLARATIVE_CONFIG": CONFIG_INSIDE,
               "KONG_PROXY_LISTEN": f"0.0.0.0:{c.port}", "KONG_ADMIN_LISTEN": f"0.0.0.0:{ADMIN_PORT}",
               "KONG_PROXY_ACCESS_LOG": "/dev/stdout", "KONG_ADMIN_ACCESS_LOG": "/dev/stdout",
               "KONG_PROXY_ERROR_LOG": "/dev/stderr", "KONG_ADMIN_ERROR_LOG": "/dev/stderr"}
        return ContainerSpec(c.name, c.kind, "gateway", c.port, env, _ready(c), None,
                             ["CMD", "kong", "health"], tuple(c.depends_on), files=files,
                             extra_ports=(ADMIN_PORT,), detail="Kong (DB-less)")
    command = ["python", "-m", "microlab.gateway", "--config", CONFIG_INSIDE, "--host", "0.0.0.0",
               "--port", str(c.port), "--admin-port", str(ADMIN_PORT)]
    env = {"MICROLAB_IN_CONTAINER": "1", "SERVICE_NAME": c.name}
    return ContainerSpec(c.name, c.kind, "gateway", c.port, env, _ready(c), command,
                         http_healthcheck(ADMIN_PORT, "/status"), tuple(c.depends_on), files=files,
                         extra_ports=(ADMIN_PORT,), ready_timeout=30.0,
                         detail="embedded gateway (no Kong image in the offline set)")


register("gateway", gateway_spec, "gateway")
