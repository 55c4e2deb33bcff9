"""Kind "deployed": a student's own code run as a lab component (`lab.deploy`), hosted by
labs/common/host.py exactly like the shop's services: its request log, /health, faults and a
database of its own (a SQLite file locally, its own PostgreSQL container on Docker).

The code is a file in the lab's folder; on Docker it is mounted read-only into a container of
the service image on the lab's network, where the shop's names (kafka:9092,
http://order-service:8080) resolve as they do for the shop's own services.
"""
from __future__ import annotations

import sys

from microlab.kinds import service
from microlab.settings import settings
from microlab.kinds.spec import (ContainerSpec, LaunchContext, LaunchSpec, Ready, SpecContext,
                                 http_healthcheck, http_ready)
from microlab.topology import Component

IMAGE_ROLE = service.IMAGE_ROLE  # the shop's image: Python, the labs package and its libraries
READY_PATH = "/deployed/ready"  # labs.common.host.READY_PATH (a unit test keeps them equal)
HOST = ["-m", "labs.common.host"]
CODE_INSIDE = "/deployed"
READY_TIMEOUT = 40.0  # a consumer is ready once its group gave it partitions


def ready(c: Component) -> Ready:
    return http_ready(READY_PATH)


def launch(c: Component, port: int, ctx: LaunchContext) -> LaunchSpec:
    spec = service.launch(c, port, ctx)
    # the grader's lab runs a student's code confined (MICROLAB_DEPLOY_CONFINE); a student's own lab does not
    data = ctx.data_dir(c.name)
    places = {"data": str(data), "code": c.source}
    confine = [part.format(**places) for part in settings().deploy_confine]
    if confine:
        data.chmod(0o777)  # confined code runs under a user id of its own: its database is here
    spec.argv = [*confine, sys.executable, *HOST, c.source, "--host", "127.0.0.1", "--port", str(port)]
    spec.ready_timeout = READY_TIMEOUT
    return spec


def container(c: Component, ctx: SpecContext) -> ContainerSpec:
    spec = service.container(c, ctx)
    inside = f"{CODE_INSIDE}/{c.name}.py"
    spec.role = IMAGE_ROLE
    spec.command = ["python", *HOST, inside, "--host", "0.0.0.0", "--port", str(c.port)]
    spec.healthcheck = http_healthcheck(c.port, READY_PATH)
    spec.ready = ready(c)
    spec.files = {c.source: inside}
    spec.ready_timeout = READY_TIMEOUT
    spec.detail = "deployed with lab.deploy()"
    return spec
