"""One small function per component kind: topology component -> container spec.

The backend and `microlab compose` both read these specs, so the containers a lab runs
and the compose file a student writes cannot drift apart. Other kinds ("broker",
"gateway") register their own function with `register`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import httpx

from microlab.topology import Component, Database

SECOND = 1_000_000_000  # the engine counts health-check times in nanoseconds


@dataclass
class ContainerSpec:
    name: str  # topology name; also the container's DNS name in the lab's network
    kind: str  # "service" | "database" | "broker" | "gateway"
    role: str  # image role, see microlab.docker.images
    port: int  # main port inside the container, published on 127.0.0.1
    env: dict[str, str]
    ready: Callable[[int], bool]  # host port -> ready? (a real protocol check, never a bare connect)
    command: list[str] | None = None
    healthcheck: list[str] | None = None  # Docker's own check, shown by status() and compose
    depends_on: tuple[str, ...] = ()
    data_path: str | None = None  # a named, labelled volume is mounted here
    files: dict[str, str] = field(default_factory=dict)  # host file -> path in container (ro)
    fixed_ports: dict[int, int] = field(default_factory=dict)  # container port -> fixed host port
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


SpecFunction = Callable[[Component, SpecContext], ContainerSpec]
SPECS: dict[str, tuple[SpecFunction, str]] = {}  # kind -> (function, image role)


def register(kind: str, function: SpecFunction, role: str) -> None:
    SPECS[kind] = (function, role)


def roles_for(components: tuple[Component, ...]) -> set[str]:
    """The image roles a set of components needs (decided before the image set is)."""
    _load_plugins()
    roles = {"postgres"} if any(c.database for c in components) else set()
    for c in components:
        _check_kind(c)
        roles.add(SPECS[c.kind][1])
    return roles


def spec_for(c: Component, ctx: SpecContext) -> ContainerSpec:
    _load_plugins()
    _check_kind(c)
    return SPECS[c.kind][0](c, ctx)


def _check_kind(c: Component) -> None:
    if c.kind not in SPECS:
        from microlab.backends.base import LabError

        raise LabError(f"the Docker backend cannot run components of kind {c.kind!r} yet")


def specs_for(components: tuple[Component, ...], ctx: SpecContext) -> list[ContainerSpec]:
    """Every container the components need: each service's own database first."""
    out = []
    for c in components:
        if c.database is not None:
            out.append(database_spec(c.database, c, ctx))
        out.append(spec_for(c, ctx))
    return out


def _load_plugins() -> None:
    import importlib

    for module in ("microlab.docker.broker_spec", "microlab.docker.gateway_spec"):
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if not module.startswith(exc.name or "?"):
                raise


# -- readiness probes -----------------------------------------------------------------
# One shared client: httpx.get() builds a client (and loads a CA bundle) per call, which
# at ten probes a second per container costs more CPU than the containers starting.
_http = httpx.Client(timeout=1.0, verify=False, trust_env=False)


def http_get(port: int, path: str) -> httpx.Response | None:
    try:
        return _http.get(f"http://127.0.0.1:{port}{path}")
    except httpx.HTTPError:
        return None  # docker-proxy accepts before the app listens, then resets


def http_ready(path: str) -> Callable[[int], bool]:
    def ready(port: int) -> bool:
        response = http_get(port, path)
        return response is not None and response.status_code == 200

    return ready


def postgres_ready(db: Database) -> Callable[[int], bool]:
    def ready(port: int) -> bool:
        import psycopg

        try:
            with psycopg.connect(host="127.0.0.1", port=port, user=db.user, password=db.password,
                                 dbname=db.db, connect_timeout=2) as conn:
                conn.execute("SELECT 1")
            return True
        except psycopg.Error:
            return False

    return ready


def http_healthcheck(port: int, path: str) -> list[str]:
    probe = (f"import urllib.request; urllib.request.urlopen('http://127.0.0.1:{port}{path}', "
             "timeout=2)")
    return ["CMD", "python", "-c", probe]


# -- the kinds this module knows ----------------------------------------------------------
def database_url(db: Database, host: str, port: int = 5432) -> str:
    return f"postgresql+psycopg://{db.user}:{db.password}@{host}:{port}/{db.db}"


def database_spec(db: Database, owner: Component, ctx: SpecContext) -> ContainerSpec:
    """The owner's own PostgreSQL: its credentials are the only ones that open it.

    Official image: data on a labelled volume. Offline image: the cluster made at image
    build time stays in the container's own layer (copying it into a volume cost more
    than a second of CPU per database), so healing restarts the container, data and all.
    """
    env = {"POSTGRES_USER": db.user, "POSTGRES_PASSWORD": db.password, "POSTGRES_DB": db.db}
    check = ["CMD", "pg_isready", "-h", "127.0.0.1", "-U", db.user, "-d", db.db]
    official = ctx.image_set == "official"
    return ContainerSpec(db.name, "database", "postgres", 5432, env, postgres_ready(db),
                         healthcheck=check, data_path="/var/lib/postgresql/data" if official else None,
                         restart_to_heal=not official, detail=f"database of {owner.name}")


def service_spec(c: Component, ctx: SpecContext) -> ContainerSpec:
    env = {**c.env, "SERVICE_NAME": c.name, "PYTHONUNBUFFERED": "1"}
    depends = tuple(c.depends_on)
    if c.database is not None:
        env["DATABASE_URL"] = database_url(c.database, c.database.name)
        depends = (c.database.name, *depends)
    command = ["python", "-m", "uvicorn", c.app, "--host", "0.0.0.0", "--port", str(c.port),
               "--no-access-log"]
    return ContainerSpec(c.name, c.kind, "service", c.port, env, http_ready(c.health_path), command,
                         http_healthcheck(c.port, c.health_path), depends)


register("service", service_spec, "service")
