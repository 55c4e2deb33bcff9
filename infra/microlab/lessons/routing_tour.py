"""06's routing lessons: requests through a gateway, and which component answered each (from
the request logs, by request id); a strangler fig's config and a client that only knows the
gateway; the route surface of the BFF gateways side by side. gateway_tour re-exports them."""
from __future__ import annotations

import time
import uuid

import httpx

from microlab import observe
from microlab.lessons.display import Table

NO_ROUTE = "no Route matched with those values"  # the gateway's own 404, in Kong's words
SERVICES = ("monolith", "user-service", "order-service", "inventory-service", "payment-service")
AREAS = {"users": "user-service", "inventory": "inventory-service", "orders": "order-service"}
DEFAULT_PROBES = (("GET", "/api/v1/users/1"), ("GET", "/api/v1/orders/1"), ("GET", "/api/v1/inventory"),
                  ("GET", "/api/v1/payments/1"), ("POST", "/api/v1/orders"),
                  ("GET", "/m/inventory"), ("GET", "/m/orders/1"), ("DELETE", "/m/orders/1"))


def _rid(tag: str) -> str:
    return f"{tag}-{uuid.uuid4().hex[:8]}"


def _by_gateway(response: httpx.Response) -> bool:
    """Kong marks the answers it makes itself (no route, 401, 429) with X-Kong-Response-Latency."""
    return "X-Kong-Response-Latency" in response.headers and "X-Kong-Upstream-Latency" not in response.headers


def _logged(lab, services, ids, expect=None, timeout: float = 5.0) -> dict:
    """{request id: requestlog.Request} of `ids` in the services' logs, polled until every id
    of `expect` (default: all of `ids`) is there: a service logs just after it answered."""
    wanted, tail = set(ids), observe.LOG_TAIL + 2 * len(ids)
    expect = wanted if expect is None else set(expect)
    found, deadline = {}, time.monotonic() + timeout
    while True:
        for service in services:
            logged = observe.requests_of(lab, service, tail)
            found.update({r.request_id: r for r in logged if r.request_id in wanted})
        if expect <= found.keys() or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


def _message(response: httpx.Response) -> str:
    """The gateway's words: its JSON `message`, or its field errors ({"exp": "token expired"})."""
    try:
        body = response.json()
    except ValueError:
        return response.text[:80]
    if isinstance(body, dict) and "message" in body:
        return str(body["message"])
    if response.is_success or not isinstance(body, dict):
        return "-"
    return "; ".join(f"{k}: {v}" for k, v in body.items())


def journey(lab, gateway: str = "gateway") -> Table:
    """A client that knows only the gateway: create a user, read it, list stock, read one item.
    Which component answered each step comes from the request logs (its request id)."""
    base, tag, steps = lab.url(gateway), uuid.uuid4().hex[:8], []
    with httpx.Client(base_url=base, timeout=10) as client:
        def step(name: str, method: str, path: str, **kwargs) -> dict | list:
            rid = f"journey-{len(steps)}-{tag}"
            r = client.request(method, path, headers={"X-Request-ID": rid}, **kwargs)
            steps.append((name, f"{method} {path}", rid, r))
            return r.json() if r.is_success else {}

        user = step("create user", "POST", "/api/v1/users",
                    json={"name": "Grace", "email": f"grace-{tag}@example.org"})
        step("read user", "GET", f"/api/v1/users/{user.get('id', 'none')}")
        items = step("list inventory", "GET", "/api/v1/inventory")
        step("read item", "GET", f"/api/v1/inventory/{items[0]['sku'] if items else 'none'}")
    states = {row.name: row.state for row in lab.status()}  # read only the logs of what runs
    running = [s for s in SERVICES if states.get(s) not in (None, "stopped", "exited")]
    found = _logged(lab, running, [rid for _, _, rid, r in steps if not _by_gateway(r)])
    rows = [{"step": name, "request": request, "status": r.status_code,
             "answered by": found[rid].service if rid in found else gateway if _by_gateway(r) else "?"}
            for name, request, rid, r in steps]
    return Table(("step", "request", "status", "answered by"), rows, f"through {gateway} at {base}")


def strangler_config(moved=("inventory",)) -> str:
    """Kong YAML: the monolith takes everything under /api/v1 except the `moved` areas, whose
    longer prefixes (/api/v1/users ...) win over /api/v1 in Kong's router."""
    unknown = [a for a in moved if a not in AREAS]
    if unknown:
        raise ValueError(f"unknown area(s) {unknown}; choose from {', '.join(AREAS)}")
    text = (f"# Strangler fig: moved out of the monolith so far: {', '.join(moved) or 'nothing'}\n"
            '_format_version: "3.0"\n\nservices:\n  - name: monolith\n    url: http://monolith:8080\n'
            '    routes:\n      - name: monolith-route\n        paths: ["/api/v1"]\n')
    for area in moved:
        text += (f"  - name: {AREAS[area]}\n    url: http://{AREAS[area]}:8080/{area}\n    routes:\n"
                 f'      - name: {area}-route\n        paths: ["/api/v1/{area}"]\n')
    return text


def _probe(client: httpx.Client, url: str, method: str) -> str:
    body = {"json": {}} if method in ("POST", "PUT", "PATCH") else {}
    r = client.request(method, url, headers={"X-Request-ID": _rid("surface")}, **body)
    no_route = r.status_code == 404 and _message(r) == NO_ROUTE
    return f"{r.status_code} no route" if no_route else str(r.status_code)


def surface(lab, gateways=("web-gateway", "mobile-gateway"), probes=DEFAULT_PROBES) -> Table:
    """The status each gateway answers to each probe; "no route" when the gateway had no
    route for it, so no service ever saw the request."""
    rows = []
    with httpx.Client(timeout=10) as client:
        for method, path in probes:
            answers = {gw: _probe(client, lab.url(gw) + path, method) for gw in gateways}
            rows.append({"probe": f"{method} {path}", **answers})
    return Table(("probe", *gateways), rows, "status per gateway (POST bodies: {})")
