"""Kind "service": one of the shop's FastAPI apps under uvicorn, with its own database
(a SQLite file on the local backend, its own PostgreSQL container on Docker)."""
from __future__ import annotations

import sys

from microlab.kinds import database
from microlab.kinds.spec import (ContainerSpec, LaunchContext, LaunchSpec, Ready, SpecContext,
                                 http_healthcheck, http_ready)
from microlab.topology import Component

IMAGE_ROLE = "service"
HEALTH_PATH = "/health"  # every app in labs/ answers 200 here once its database is open
UVICORN = ["-m", "uvicorn", "--no-access-log"]


def ready(c: Component) -> Ready:
    return http_ready(HEALTH_PATH)


def launch(c: Component, port: int, ctx: LaunchContext) -> LaunchSpec:
    env = ctx.base_env(c)
    db_file = ctx.data_dir(c.name) / f"{c.database.db}.sqlite3"
    env["DATABASE_URL"] = f"sqlite:///{db_file}"
    argv = [sys.executable, *UVICORN, c.app, "--host", "127.0.0.1", "--port", str(port)]
    return LaunchSpec(argv, env)


def container(c: Component, ctx: SpecContext) -> ContainerSpec:
    env = {**c.env, "SERVICE_NAME": c.name, "PYTHONUNBUFFERED": "1", **ctx.admin_env()}
    depends = tuple(c.depends_on)
    if c.database is not None:
        env["DATABASE_URL"] = database.url(c.database, c.database.name)
        depends = (c.database.name, *depends)
    command = ["python", *UVICORN, c.app, "--host", "0.0.0.0", "--port", str(c.port)]
    return ContainerSpec(c.name, c.kind, IMAGE_ROLE, c.port, env, ready(c), command,
                         http_healthcheck(c.port, HEALTH_PATH), depends)
