"""Visible checks of 02-decomposition.

The rules a split must obey are public (the notebook states them), so they are the visible
checks, and the grader runs these same functions on SERVICES as it reads it from the answer
cell. Whether SUBDOMAIN_KIND and CONWAY are right is decided by the grader alone: here only
their shape is checked.
"""
from __future__ import annotations

from typing import NamedTuple

from microlab.selfcheck import NotAnswered, check

# The monolith's schema and endpoints (the notebook compares TABLES with the live monolith).
TABLES = ("users", "inventory", "orders", "order_items", "payments")
ENDPOINTS = {  # endpoint: (tables it writes, tables whose rows it serves)
    "POST /users": ({"users"}, set()),
    "GET /users/{id}": (set(), {"users"}),
    "POST /orders": ({"orders", "order_items"}, set()),
    "GET /orders/{id}": (set(), {"orders", "order_items"}),
    "GET /users/{id}/orders": (set(), {"orders", "order_items"}),
    "GET /inventory": (set(), {"inventory"}),
    "GET /inventory/{sku}": (set(), {"inventory"}),
    "POST /inventory/reservations": ({"inventory"}, set()),
    "POST /payments": ({"payments"}, set()),
    "GET /payments/{id}": (set(), {"payments"}),
}
AGGREGATE = ("orders", "order_items")  # written in one transaction, so they need one owner
SUBDOMAINS = ("ordering", "inventory", "payments", "accounts")
KINDS = ("core", "supporting", "generic")
STATEMENTS = ("a", "b", "c", "d")
SHAPE = "a dict of services, each with a list of tables and a list of endpoints"


class Service(NamedTuple):
    tables: frozenset[str]
    endpoints: frozenset[str]


def _endpoint(text: str) -> str:
    """'post  /users' and 'POST /users' are the same endpoint."""
    method, _, path = " ".join(text.split()).partition(" ")
    return f"{method.upper()} {path}"


def _strings(value) -> bool:
    return isinstance(value, (list, tuple, set, frozenset)) and all(isinstance(v, str) for v in value)


def parse(services) -> dict[str, Service]:
    """SERVICES as {name: Service}; raises when it does not have the expected shape."""
    if not services:
        raise NotAnswered("SERVICES is empty: give it one entry per service you propose")
    if not isinstance(services, dict):
        raise AssertionError(f"SERVICES must be a dict {{name: {{'tables': [...], 'endpoints': [...]}}}}, "
                             f"got {type(services).__name__}")
    split = {}
    for name, spec in services.items():
        parts = [spec.get(key) if isinstance(spec, dict) else None for key in ("tables", "endpoints")]
        if not all(_strings(part) for part in parts):
            raise AssertionError(f"SERVICES[{name!r}] needs a 'tables' list and an 'endpoints' list of strings")
        split[str(name)] = Service(frozenset(t.strip().lower() for t in parts[0]),
                                   frozenset(_endpoint(e) for e in parts[1]))
    return split


def _holders(split: dict[str, Service], part: str) -> dict[str, list[str]]:
    """table (or endpoint) -> the services that list it."""
    found: dict[str, list[str]] = {}
    for name, service in split.items():
        for item in sorted(getattr(service, part)):
            found.setdefault(item, []).append(name)
    return found


def _expect(problems: list[str], why: str) -> None:
    if problems:
        raise AssertionError(f"{'; '.join(problems)}: {why}")


def every_table_owned(split: dict[str, Service]) -> None:
    owners = _holders(split, "tables")
    _expect([f"no service owns {t}" for t in TABLES if t not in owners], "every table needs a home")


def one_owner_per_table(split: dict[str, Service]) -> None:
    shared = [f"{t} is owned by {' and '.join(who)}" for t, who in _holders(split, "tables").items() if len(who) > 1]
    _expect(shared, "two services on one table is a shared database, the hidden coupling that "
                    "database per service removes")


def only_monolith_tables(split: dict[str, Service]) -> None:
    unknown = [t for t in _holders(split, "tables") if t not in TABLES]
    _expect([f"{t} is not a table of the monolith" for t in unknown], f"its tables are {', '.join(TABLES)}")


def every_endpoint_served(split: dict[str, Service]) -> None:
    served = _holders(split, "endpoints")
    _expect([f"no service serves {e}" for e in ENDPOINTS if e not in served], "every endpoint needs a home")


def one_service_per_endpoint(split: dict[str, Service]) -> None:
    twice = [f"{e} is in {' and '.join(who)}" for e, who in _holders(split, "endpoints").items() if len(who) > 1]
    _expect(twice, "a client must know which one service to call")


def only_shop_endpoints(split: dict[str, Service]) -> None:
    unknown = [e for e in _holders(split, "endpoints") if e not in ENDPOINTS]
    _expect([f"{e} is not an endpoint of the shop" for e in unknown], "use the endpoints listed above")


def _not_local(split: dict[str, Service], uses: int) -> list[str]:
    """Endpoints whose service does not own a table the endpoint writes (uses=0) or serves (1)."""
    owners = _holders(split, "tables")
    return [f"{e} in {home} {('writes', 'serves')[uses]} {t}, owned by {' and '.join(owners.get(t, [])) or 'nobody'}"
            for e, home_list in _holders(split, "endpoints").items() if e in ENDPOINTS
            for home in home_list for t in sorted(ENDPOINTS[e][uses]) if home not in owners.get(t, [])]


def writes_stay_local(split: dict[str, Service]) -> None:
    _expect(_not_local(split, 0), "a service writes only its own tables; it asks the owner for anything else")


def reads_stay_local(split: dict[str, Service]) -> None:
    _expect(_not_local(split, 1), "a service serves only its own data, never another service's database")


def not_the_monolith_again(split: dict[str, Service]) -> None:
    real = [n for n, s in split.items() if s.tables and s.endpoints]
    if len(real) < 3:
        raise AssertionError(f"{len(real)} service(s) ({', '.join(real) or 'none'}) own a table and serve an "
                             "endpoint: fewer than 3 keeps users, ordering, stock and payments deployed and "
                             "scaled together")


def no_nanoservices(split: dict[str, Service]) -> None:
    owners = _holders(split, "tables")
    holders = [set(owners.get(t, [])) for t in AGGREGATE]
    if all(holders) and holders[0] != holders[1]:
        raise AssertionError("orders and order_items are written in one transaction (one aggregate) but are "
                             "owned apart: every order would become a distributed transaction")


def no_empty_services(split: dict[str, Service]) -> None:
    empty = [n for n, s in split.items() if not s.tables and not s.endpoints]
    _expect([f"{n} owns no table and serves no endpoint" for n in empty], "that is not a service")


def no_table_behind_a_network(split: dict[str, Service]) -> None:
    idle = [n for n, s in split.items() if s.tables and not s.endpoints]
    _expect([f"{n} owns tables but serves no endpoint" for n in idle],
            "a service is a capability with an API, not a table behind the network")


RULES = {  # grade id -> its named rules, in the order they are reported
    "lab02_tables": (("every table has an owner", every_table_owned),
                     ("one owner per table", one_owner_per_table),
                     ("only the monolith's tables", only_monolith_tables)),
    "lab02_endpoints": (("every endpoint has a service", every_endpoint_served),
                        ("one service per endpoint", one_service_per_endpoint),
                        ("only the shop's endpoints", only_shop_endpoints),
                        ("writes stay local", writes_stay_local),
                        ("reads stay local", reads_stay_local)),
    "lab02_split": (("not the monolith again", not_the_monolith_again),
                    ("no nanoservices", no_nanoservices),
                    ("no empty services", no_empty_services),
                    ("no table behind a network", no_table_behind_a_network)),
}


def _rules(grade_id: str, services) -> bool:
    try:
        split = parse(services)
    except AssertionError:
        return check(grade_id, (SHAPE, lambda: parse(services)))
    return check(grade_id, *((name, lambda rule=rule: rule(split)) for name, rule in RULES[grade_id]))


def tables(services) -> bool:
    return _rules("lab02_tables", services)


def endpoints(services) -> bool:
    return _rules("lab02_endpoints", services)


def split(services) -> bool:
    return _rules("lab02_split", services)


def _kinds_shape(kinds) -> None:
    if not isinstance(kinds, dict) or set(kinds) != set(SUBDOMAINS):
        raise AssertionError(f"SUBDOMAIN_KIND must be a dict with the keys {', '.join(map(repr, SUBDOMAINS))}")
    if all(kind is None for kind in kinds.values()):
        raise NotAnswered("SUBDOMAIN_KIND has no kinds yet")
    bad = [s for s, kind in kinds.items() if str(kind).strip().lower() not in KINDS]
    if bad:
        raise AssertionError(f"{', '.join(bad)}: give one of {', '.join(map(repr, KINDS))}")


def subdomains(kinds) -> bool:
    return check("lab02_subdomains", ("one kind per subdomain", lambda: _kinds_shape(kinds)))


def _statements_shape(statements) -> None:
    if not isinstance(statements, dict) or set(statements) != set(STATEMENTS):
        raise AssertionError('CONWAY must be a dict with the keys "a", "b", "c" and "d"')
    if all(v is None for v in statements.values()):
        raise NotAnswered("CONWAY has no answers yet")
    bad = [s for s, v in sorted(statements.items()) if not isinstance(v, bool)]
    if bad:
        raise AssertionError(f"{', '.join(bad)}: answer True or False")


def conway(statements) -> bool:
    return check("lab02_conway", ("True or False for each statement", lambda: _statements_shape(statements)))
