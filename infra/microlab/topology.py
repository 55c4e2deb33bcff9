"""The one description of the shop that every backend reads.

Names and URLs are written the way the course text writes them, as containers see each
other (``http://user-service:8080``). Each backend resolves those names to real
addresses: the local backend to ``127.0.0.1:<free port>``, the Docker backend to the
containers on the lab's network. Nothing here is listed twice.
"""
from __future__ import annotations

from dataclasses import dataclass, field

SERVICE_PORT = 8080  # every HTTP app listens here inside its container, as in the course text


@dataclass(frozen=True)
class Database:
    """A database owned by exactly one component (database per service)."""

    name: str  # component name of the database, e.g. "order-db"
    db: str  # database name inside the server, e.g. "orders"
    user: str  # the only credentials the owning service is given
    password: str


@dataclass(frozen=True)
class Component:
    """One running thing: an HTTP app, the broker or a gateway."""

    name: str
    kind: str  # "service" | "broker" | "gateway" | "deployed" (lab.deploy)
    app: str | None = None  # ASGI import path for kind "service"
    port: int = SERVICE_PORT  # port inside the container / the name-based URL
    env: dict[str, str] = field(default_factory=dict)  # values may name other components
    depends_on: tuple[str, ...] = ()
    database: Database | None = None
    config: str | None = None  # the kong.yml a gateway loads (relative to the microlab package)
    source: str | None = None  # kind "deployed": the student's code, a file in the lab's folder

    @property
    def internal_url(self) -> str:
        """The address other components use, e.g. http://user-service:8080."""
        return internal_url(self.name, self.port)


def internal_url(name: str, port: int = SERVICE_PORT) -> str:
    """How components reach `name` by its DNS name, before (or without) its Component."""
    return f"http://{name}:{port}"


def _db(service: str, area: str) -> Database:
    return Database(name=f"{area}-db", db=f"{area}s", user=f"{area}_svc", password=f"{area}-secret")


# Apache Kafka (KRaft, single node). Services reach it as kafka:9092, as in the course text.
KAFKA = Component("kafka", "broker", port=9092)
KAFKA_BOOTSTRAP = {"KAFKA_BOOTSTRAP": f"{KAFKA.name}:{KAFKA.port}"}

USER = Component(
    "user-service", "service", app="labs.user_service.app:app", database=_db("user-service", "user")
)
INVENTORY = Component(
    "inventory-service",
    "service",
    app="labs.inventory_service.app:app",
    database=_db("inventory-service", "inventory"),
    # order.created carries no items: inventory reads the order from order-service
    env={**KAFKA_BOOTSTRAP, "ORDER_SERVICE_URL": internal_url("order-service")},
)
PAYMENT = Component(
    "payment-service",
    "service",
    app="labs.payment_service.app:app",
    database=_db("payment-service", "payment"),
    env=dict(KAFKA_BOOTSTRAP),
)
ORDER = Component(
    "order-service",
    "service",
    app="labs.order_service.app:app",
    database=_db("order-service", "order"),
    env={
        "USER_SERVICE_URL": USER.internal_url,
        "INVENTORY_SERVICE_URL": INVENTORY.internal_url,
        **KAFKA_BOOTSTRAP,
    },
    depends_on=("user-service", "inventory-service"),
)
MONOLITH = Component(
    "monolith",
    "service",
    app="labs.monolith.app:app",
    database=Database(name="monolith-db", db="shop", user="shop", password="shop-secret"),
)

SHOP = (USER, INVENTORY, PAYMENT, ORDER)  # the four services, in every service stack

KONG_PROXY_PORT = 8000  # Kong's proxy port inside its container (admin: 8001)


def _gateway(name: str, config: str, upstreams: tuple[Component, ...] = SHOP) -> Component:
    """An API gateway loading a kong.yml that routes to `upstreams`. One per client type
    gives backends-for-frontends: add another with its own file and put it in a stack."""
    return Component(name, "gateway", port=KONG_PROXY_PORT,
                     depends_on=tuple(c.name for c in upstreams), config=config)


GATEWAY = _gateway("gateway", "gateway/kong.yml")
WEB_GATEWAY = _gateway("web-gateway", "gateway/bff/web.yml")
MOBILE_GATEWAY = _gateway("mobile-gateway", "gateway/bff/mobile.yml", (ORDER, INVENTORY))

# Stacks a student can bring up.
STACKS: dict[str, tuple[Component, ...]] = {
    "monolith": (MONOLITH,),
    "services": (KAFKA, *SHOP, GATEWAY),
    "services-no-broker": (*SHOP, GATEWAY),  # synchronous calls only (03): starts in seconds, no JVM
    "bff": (KAFKA, *SHOP, WEB_GATEWAY, MOBILE_GATEWAY),
    # the shop behind all three gateways, no broker: what 06's grader probes (no JVM to start)
    "gateways": (*SHOP, GATEWAY, WEB_GATEWAY, MOBILE_GATEWAY),
}


class UnknownName(ValueError):
    """A component or stack name that does not exist; the message lists the valid ones."""


def stack(name: str) -> tuple[Component, ...]:
    try:
        return STACKS[name]
    except KeyError:
        raise UnknownName(f"unknown stack {name!r}; choose one of: {', '.join(STACKS)}") from None


def all_components() -> dict[str, Component]:
    found: dict[str, Component] = {}
    for components in STACKS.values():
        for component in components:
            found[component.name] = component
    return found


def component(name: str) -> Component:
    known = all_components()
    if name not in known:
        raise UnknownName(f"unknown component {name!r}; valid names: {', '.join(sorted(known))}")
    return known[name]


def port_names() -> list[str]:
    """Every name that gets a host port, in one fixed order (components as the stacks list
    them, each one's database right after it). With MICROLAB_PORT_BASE, the local backend
    and `microlab compose` both give `name` the port base + its index here."""
    names: list[str] = []
    for c in all_components().values():
        names += [c.name] + ([c.database.name] if c.database else [])
    return names


def fixed_port(base: int, name: str) -> int:
    try:
        return base + port_names().index(name)
    except ValueError:
        raise UnknownName(f"{name!r} gets no host port; names: {', '.join(port_names())}") from None


def start_after(components: tuple[Component, ...]) -> dict[str, tuple[str, ...]]:
    """For each component, the ones of this set that must be ready before it starts: its
    dependencies, but a gateway waits for none. Like Kong, it starts with upstreams that do
    not answer yet and routes to each as soon as it does (a 502 until then). The shop's
    services do not wait for the broker either: their outbox keeps events until it answers.

    The backends start each component as soon as its own entry here is ready (a graph, not
    waves), so the broker's JVM start overlaps everything else."""
    names = {c.name for c in components}
    return {c.name: () if c.kind == "gateway" else tuple(d for d in c.depends_on if d in names)
            for c in components}


def start_order(components: tuple[Component, ...]) -> list[list[Component]]:
    """Group components into waves: each wave depends only on earlier waves.

    Components of one wave start in parallel. Dependencies outside the given set are
    ignored (they belong to a stack that is not being started).
    """
    names = {c.name for c in components}
    remaining = list(components)
    done: set[str] = set()
    waves: list[list[Component]] = []
    while remaining:
        wave = [c for c in remaining if all(d in done or d not in names for d in c.depends_on)]
        if not wave:
            cycle = ", ".join(c.name for c in remaining)
            raise ValueError(f"dependency cycle among: {cycle}")
        waves.append(wave)
        done.update(c.name for c in wave)
        remaining = [c for c in remaining if c.name not in done]
    return waves
