"""The runtime form of a validated kong.yml: flat tables, a router and plugin instances.

A `Runtime` is immutable once built; a hot apply builds a new one and swaps the
reference, so a request in flight finishes on the config it started with.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from types import SimpleNamespace

from microlab.gateway.plugins import PLUGINS
from microlab.gateway.router import Router
from microlab.gateway.validation import Report

HTTP = {"http", "https"}


@dataclass(frozen=True)
class Service:
    id: str
    name: str | None
    protocol: str
    host: str
    port: int
    path: str | None
    retries: int
    connect_timeout: int
    write_timeout: int
    read_timeout: int

    @property
    def host_header(self) -> str:
        default = {"http": 80, "https": 443}.get(self.protocol)
        return self.host if self.port == default else f"{self.host}:{self.port}"


@dataclass(frozen=True)
class Route:
    id: str
    name: str | None
    protocols: tuple
    methods: tuple | None
    hosts: tuple | None
    paths: tuple | None
    headers: dict | None
    strip_path: bool
    preserve_host: bool
    regex_priority: int
    service: Service | None


@dataclass(frozen=True)
class Consumer:
    id: str
    username: str | None
    custom_id: str | None


@dataclass(frozen=True)
class Credential:
    id: str
    consumer_id: str
    key: str
    identifier: str  # what X-Credential-Identifier carries (jwt: key, key-auth: id)
    secret: str | None = None
    algorithm: str | None = None
    rsa_public_key: str | None = None


@dataclass
class PluginInstance:
    name: str
    priority: int
    route_id: str | None
    service_id: str | None
    consumer_id: str | None
    handler: object

    def in_scope(self, route: "Route") -> bool:
        """Could apply to requests on `route` (the consumer is known only later)."""
        service = route.service
        return ((self.route_id is None or self.route_id == route.id) and
                (self.service_id is None or (service is not None and self.service_id == service.id)))

    def for_consumer(self, consumer) -> bool:
        return self.consumer_id is None or (consumer is not None and consumer.id == self.consumer_id)

    @property
    def rank(self) -> int:
        """Kong's precedence: consumer+route+service is most specific, global least."""
        c, r, s = self.consumer_id is not None, self.route_id is not None, self.service_id is not None
        return [(0, 0, 0), (0, 0, 1), (0, 1, 0), (1, 0, 0), (0, 1, 1), (1, 0, 1), (1, 1, 0),
                (1, 1, 1)].index((c, r, s))


@dataclass
class Runtime:
    services: dict[str, Service] = field(default_factory=dict)
    routes: list[Route] = field(default_factory=list)
    consumers_by_id: dict[str, Consumer] = field(default_factory=dict)
    consumers_by_username: dict[str, Consumer] = field(default_factory=dict)
    jwt_secrets: dict[str, Credential] = field(default_factory=dict)  # by key
    keyauth_credentials: dict[str, Credential] = field(default_factory=dict)  # by key
    plugins: list[PluginInstance] = field(default_factory=list)
    router: Router | None = None
    text: str = ""  # the config as applied, for GET /config
    _chains: dict = field(default_factory=dict)

    def chain(self, route: Route) -> list[tuple[str, list[PluginInstance]]]:
        """The plugins that may run on `route`, by name in priority order (cached)."""
        found = self._chains.get(route.id)
        if found is None:
            by_name: dict[str, list[PluginInstance]] = {}
            for p in self.plugins:
                if p.in_scope(route):
                    by_name.setdefault(p.name, []).append(p)
            found = sorted(((n, sorted(ps, key=lambda p: -p.rank)) for n, ps in by_name.items()),
                           key=lambda item: -PLUGINS[item[0]].PRIORITY)
            self._chains[route.id] = found
        return found


def build(report: Report, counters, text: str = "") -> Runtime:
    if not report.ok or report.tables is None:
        raise ValueError("cannot build a gateway from an invalid config:\n" + str(report))
    tables = {k: [e.record for e in v] for k, v in report.tables.items()}
    rt = Runtime(text=text)
    for s in tables["services"]:
        if s["enabled"]:
            rt.services[s["id"]] = Service(s["id"], s.get("name"), s["protocol"], s["host"], s["port"],
                                           s.get("path"), s["retries"], s["connect_timeout"],
                                           s["write_timeout"], s["read_timeout"])
    for r in tables["routes"]:
        service = rt.services.get(r.get("service")) if r.get("service") else None
        if r.get("service") and service is None:
            continue  # its service is disabled: Kong leaves the route out of the router
        if not HTTP & set(r["protocols"]):
            continue
        rt.routes.append(Route(r["id"], r.get("name"), tuple(r["protocols"]), _t(r.get("methods")),
                               _t(r.get("hosts")), _t(r.get("paths")), r.get("headers"),
                               r["strip_path"], r["preserve_host"], r["regex_priority"], service))
    for c in tables["consumers"]:
        consumer = Consumer(c["id"], c.get("username"), c.get("custom_id"))
        rt.consumers_by_id[c["id"]] = consumer
        if consumer.username:
            rt.consumers_by_username[consumer.username] = consumer
    for j in tables["jwt_secrets"]:
        key = j.get("key") or secrets.token_hex(16)  # Kong generates missing key/secret
        rt.jwt_secrets[key] = Credential(j["id"], j["consumer"], key, key, j.get("secret") or
                                         secrets.token_hex(16), j["algorithm"], j.get("rsa_public_key"))
    for k in tables["keyauth_credentials"]:
        key = k.get("key") or secrets.token_hex(16)
        rt.keyauth_credentials[key] = Credential(k["id"], k["consumer"], key, k["id"])
    shared = SimpleNamespace(config=rt, counters=counters)
    for p in tables["plugins"]:
        if not p["enabled"] or not HTTP & set(p["protocols"]):
            continue
        module = PLUGINS[p["name"]]
        handler = module.Handler(p["config"], p["id"], shared)
        rt.plugins.append(PluginInstance(p["name"], module.PRIORITY, p.get("route"), p.get("service"),
                                         p.get("consumer"), handler))
    rt.router = Router(rt.routes)
    return rt


def _t(value):
    return tuple(value) if value else None
