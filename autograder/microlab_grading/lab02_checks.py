"""Checks for 02-decomposition: rules a good split obeys, not one memorised answer.

Service names are free. A split passes when every table has exactly one owner, every
endpoint lives in one service, no service needs another service's table for its writes
(or for the data it serves), it is neither the monolith again nor one service per table,
and the subdomains are classified as the shop's story implies.

This module imports nothing from microlab_grading, so a hidden test can load a fresh copy
of it from its file and a submission that patches the package cannot change its verdict.
"""
from __future__ import annotations

# The monolith's schema and endpoints (notebook 02 reads them from the live monolith and
# asserts they match this list).
TABLES = ("users", "inventory", "orders", "order_items", "payments")
ENDPOINTS = {
    # endpoint: (tables it writes, tables whose rows it serves)
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
SUBDOMAINS = ("ordering", "inventory", "payments", "accounts")
KINDS = ("core", "supporting", "generic")
# Which kinds the shop's story allows for each subdomain (see the notebook's "the shop" box).
ALLOWED_KINDS = {
    "ordering": {"core"},
    "inventory": {"supporting"},
    "payments": {"generic"},
    "accounts": {"generic", "supporting"},
}
CONWAY_ANSWER = "c"


class RuleBroken(AssertionError):
    """A decomposition rule the answer breaks; the message names the rule and explains it."""


def _fail(grade_id: str, problems: list[str]) -> None:
    if problems:
        raise RuleBroken(f"[{grade_id}] " + " | ".join(problems))


def _shape(services) -> list[str]:
    if not isinstance(services, dict) or not services:
        return ["rule 'shape': SERVICES must be a non-empty dict {service name: {'tables': [...], 'endpoints': [...]}}"]
    problems = []
    for name, spec in services.items():
        if not isinstance(spec, dict) or not isinstance(spec.get("tables"), (list, tuple, set)) \
                or not isinstance(spec.get("endpoints"), (list, tuple, set)):
            problems.append(f"rule 'shape': SERVICES[{name!r}] needs a 'tables' list and an 'endpoints' list")
    return problems


def owners(services, key: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for name, spec in services.items():
        for item in spec[key]:
            found.setdefault(item, []).append(name)
    return found


def check_tables(services) -> None:
    """lab02_tables: ownership of the monolith's tables."""
    problems = _shape(services)
    _fail("lab02_tables", problems)
    table_owners = owners(services, "tables")
    for table in TABLES:
        who = table_owners.get(table, [])
        if not who:
            problems.append(f"rule 'every table has an owner': no service owns {table!r}")
        elif len(who) > 1:
            problems.append(f"rule 'exactly one owner per table': {table!r} is owned by {', '.join(who)}; "
                            "two services on one table is a shared database, the hidden coupling "
                            "database-per-service exists to remove")
    unknown = sorted(set(table_owners) - set(TABLES))
    if unknown:
        problems.append(f"rule 'only real tables': {', '.join(unknown)} not in the monolith's schema {TABLES}")
    _fail("lab02_tables", problems)


def check_split(services) -> None:
    """lab02_split: neither the monolith again nor nanoservices."""
    problems = _shape(services)
    _fail("lab02_split", problems)
    owning = {name: set(spec["tables"]) for name, spec in services.items()}
    if len(services) < 3:
        problems.append(f"rule 'not the monolith again': {len(services)} service(s) keep users, "
                        "ordering, stock and payments deployed and scaled together")
    if len(services) >= len(TABLES) or any(owning[n] == {"order_items"} for n in owning):
        problems.append("rule 'no nanoservices': a service per table splits what changes together; "
                        "an order and its order_items are written in one transaction (one aggregate), "
                        "so splitting them turns every order into a distributed transaction and "
                        "multiplies what there is to run")
    idle = [n for n, spec in services.items() if spec["tables"] and not spec["endpoints"]]
    if idle:
        problems.append(f"rule 'no remote tables': {', '.join(idle)} own(s) tables but serve(s) no "
                        "endpoint; a service is a capability with an API, not a table behind a network")
    _fail("lab02_split", problems)


def check_endpoints(services) -> None:
    """lab02_endpoints: each endpoint in one service that owns the data it writes and serves."""
    problems = _shape(services)
    _fail("lab02_endpoints", problems)
    endpoint_owners = owners(services, "endpoints")
    table_owners = owners(services, "tables")
    for endpoint, (writes, serves) in ENDPOINTS.items():
        who = endpoint_owners.get(endpoint, [])
        if len(who) != 1:
            problems.append(f"rule 'one home per endpoint': {endpoint!r} is served by "
                            f"{', '.join(who) if who else 'no service'}")
            continue
        home = who[0]
        for table in sorted(writes):
            if table_owners.get(table, [None])[0] != home or len(table_owners.get(table, [])) != 1:
                problems.append(f"rule 'writes stay local': {endpoint} in {home} writes {table!r}, which "
                                f"{home} does not own alone; no service may need another's table for its writes")
        for table in sorted(serves):
            if home not in table_owners.get(table, []):
                problems.append(f"rule 'serve your own data': {endpoint} in {home} serves rows of {table!r}, "
                                f"owned by {', '.join(table_owners.get(table, [])) or 'nobody'}; it would "
                                "have to read another service's database")
    unknown = sorted(set(endpoint_owners) - set(ENDPOINTS))
    if unknown:
        problems.append(f"rule 'only real endpoints': unknown {', '.join(unknown)}")
    _fail("lab02_endpoints", problems)


def check_subdomains(kinds) -> None:
    """lab02_subdomains: core / supporting / generic, as the shop's story implies."""
    if not isinstance(kinds, dict):
        _fail("lab02_subdomains", ["rule 'shape': SUBDOMAIN_KIND must be a dict {subdomain: kind}"])
    problems = []
    for sub in SUBDOMAINS:
        kind = kinds.get(sub)
        if kind not in KINDS:
            problems.append(f"rule 'classify each subdomain': {sub!r} is {kind!r}, expected one of {KINDS}")
        elif kind not in ALLOWED_KINDS[sub]:
            problems.append(f"rule 'story': {sub!r} classified as {kind!r}; " + WHY[sub])
    _fail("lab02_subdomains", problems)


WHY = {
    "ordering": "the shop competes on how it takes and handles orders: that is its core",
    "inventory": "stock counting is needed and specific to the shop but wins no customer: supporting",
    "payments": "card payments are a commodity bought from a provider: generic",
    "accounts": "sign-up with email is commodity (generic) or at most supporting, never core",
}


def check_conway(answer) -> None:
    if str(answer).strip().lower() != CONWAY_ANSWER:
        _fail("lab02_conway", [f"rule 'Conway's law': answer {answer!r} is not the one that follows from "
                               "\"systems mirror the communication structure of the teams that build them\""])


def visible(grade_id: str, check, value) -> None:
    """Self-check used by the visible test cells: runs the check and records the outcome."""
    from microlab_grading import selfcheck

    selfcheck.run(grade_id, check, value)


# -- shape checks: what the visible test cells run before you submit -------------------------
def check_shape(services) -> None:
    _fail("shape", _shape(services))


def check_endpoints_listed(services) -> None:
    check_shape(services)
    listed = owners(services, "endpoints")
    missing = [e for e in ENDPOINTS if e not in listed]
    _fail("shape", [f"endpoints not assigned yet: {', '.join(missing)}"] if missing else [])


def check_kinds_shape(kinds) -> None:
    if not isinstance(kinds, dict) or set(kinds) != set(SUBDOMAINS) or not set(kinds.values()) <= set(KINDS):
        _fail("shape", [f"SUBDOMAIN_KIND must map each of {SUBDOMAINS} to one of {KINDS}"])


def check_choice(answer) -> None:
    if str(answer).strip().lower() not in ("a", "b", "c", "d"):
        _fail("shape", [f"answer with one letter: 'a', 'b', 'c' or 'd' (got {answer!r})"])
