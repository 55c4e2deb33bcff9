"""`microlab compose`: the same topology as a docker-compose file.

Rendered from the very container specs the Docker backend runs (same images, network,
health checks, environment), with `depends_on: condition: service_healthy` in place of
the backend's own wait strategies, and fixed host ports on 127.0.0.1 so a student can
type them.
"""
from __future__ import annotations

import yaml

from microlab.docker import naming, specs
from microlab.kinds.spec import SECOND, SpecContext
from microlab.settings import settings
from microlab.topology import Component, all_components, fixed_port

DEFAULT_PORT_BASE = 18000


class _Dumper(yaml.SafeDumper):
    """Multi-line values (Kafka's server.properties) as readable `|` blocks."""


_Dumper.add_representer(str, lambda dumper, value: dumper.represent_scalar(
    "tag:yaml.org,2002:str", value, style="|" if "\n" in value else None))


def _duration(ns: int) -> str:
    return f"{ns // SECOND}s"


def render(components: tuple[Component, ...], stack: str, lab_id: str, refs: dict[str, str],
           image_set: str, port_base: int | None = None, built: bool = True) -> str:
    lab = f"compose-{lab_id}"  # `microlab down --all` sweeps these too; they never mix with Lab(...)
    port_base = port_base or settings().port_base or DEFAULT_PORT_BASE
    ctx = SpecContext(lab, image_set, all_components())
    network = naming.network(lab)
    services, volumes = {}, {}
    for spec in specs.specs_for(components, ctx):
        host_port = fixed_port(port_base, spec.name)  # the port the local backend gives it too
        env = {k: v.replace("{host_port}", str(host_port)) for k, v in spec.env.items()}
        service = {
            "image": refs[spec.role],
            "hostname": spec.name,
            "environment": env,
            "ports": [f"127.0.0.1:{host_port}:{spec.port}"] + [f"127.0.0.1::{p}" for p in spec.extra_ports],
            "networks": [network],
            "labels": naming.labels(lab, spec.name, spec.kind, **{naming.IMAGE_SET: image_set}),
        }
        if spec.command:
            service["command"] = list(spec.command)
        health = spec.health(interval=1.0)  # compose waits on it: check often (JVM checks less)
        if health:
            service["healthcheck"] = {"test": health["test"], "interval": _duration(health["interval"]),
                                      "timeout": _duration(health["timeout"]),
                                      "retries": health["retries"],
                                      "start_period": _duration(health["start_period"])}
        if spec.depends_on:
            service["depends_on"] = {d: {"condition": "service_healthy"} for d in spec.depends_on}
        mounts = []
        if spec.data_path:
            vol = f"{spec.name}-data"
            volumes[vol] = {"labels": naming.labels(lab, spec.name, spec.kind)}
            mounts.append(f"{vol}:{spec.data_path}")
        mounts += [f"{host}:{inside}:ro" for host, inside in spec.files.items()]
        if mounts:
            service["volumes"] = mounts
        services[spec.name] = service
    document = {"services": services,
                "networks": {network: {"name": network, "labels": naming.labels(lab)}}}
    if volumes:
        document["volumes"] = volumes
    header = (f"# The {stack!r} stack of microlab as a compose file ({image_set} image set).\n"
              + ("# Written by `microlab compose`; the images it names are on this engine already.\n"
                 if built else "# Written by `microlab compose --no-build`: run `microlab images build` "
                 "before starting it.\n") +
              f"# Start: docker-compose up -d   Stop: docker-compose down -v\n"
              f"# Host ports: 127.0.0.1:{port_base}..; inside, containers reach each other by name.\n")
    return header + yaml.dump(document, Dumper=_Dumper, sort_keys=False, width=120)
