"""07's consistency and observability lessons: a saga stuck behind a stopped service, a read
right after a write, health vs readiness, and one request's timeline. operations re-exports them."""
from __future__ import annotations

import time

import httpx

from microlab import consistency, incident, observe, state, trace
from microlab.lessons import messaging
from microlab.lessons.display import Table, Text

# -- consistency ---------------------------------------------------------------------------------

def _stack_of(lab) -> str:
    st = state.load_lab(lab.name)
    return st.stack if st and st.stack else "services"


def _saga_line(lab, order_ids) -> dict[int, str]:
    """order id -> its events so far, oldest first, e.g. "order.created -> inventory.reserved"."""
    found = {oid: [] for oid in order_ids}
    for row in messaging.saga_events(lab, order_ids):
        found[row["value"]["order_id"]].append(row["value"].get("event_type", "?"))
    return {oid: " -> ".join(kinds) or "no event yet" for oid, kinds in found.items()}


def stuck_saga(lab, orders: int = 3, wait_s: float = 3.0) -> Text:
    """Stop payment-service, place `orders` orders, look after `wait_s`: the saga waits where
    payment-service would take over. Then start it again and time how long they were stuck."""
    user = consistency.new_user(lab)
    lab.stop("payment-service")
    try:
        placed = time.monotonic()
        ids = [consistency.place_order(lab, user)["id"] for _ in range(orders)]
        time.sleep(wait_s)
        seen = {oid: messaging.status_of(lab, oid) for oid in ids}
        saga, lag = _saga_line(lab, ids), lab.lag("payment-service", "inventory").total
    finally:
        restarted = time.monotonic()
        lab.up(_stack_of(lab))  # the outage ends here, whatever happened above
    final = messaging.wait_final(lab, ids, timeout=60)
    settled = time.monotonic()
    lines = [f"payment-service stopped; {orders} orders placed: {', '.join(map(str, ids))}",
             f"{wait_s:g} s later:"]
    lines += [f"  order {oid}: {seen[oid]:<9} events: {saga[oid]}" for oid in ids]
    lines += [f"payment-service's group has {lag} event(s) waiting on 'inventory' (its lag): "
              "the saga stops there",
              f"payment-service started again: all settled {settled - restarted:.1f} s later, "
              f"{settled - placed:.1f} s after the orders were placed"]
    lines += [f"  order {oid}: {final[oid]}" for oid in ids]
    return Text("\n".join(lines))


def _ms(t0: float) -> float:
    return (time.perf_counter() - t0) * 1000


def _read(http: httpx.Client, inventory: str, orders: str, oid: int, t0: float) -> tuple[float, str, str]:
    """(ms since t0, reservation, order status): the reservation first, the saga's first step."""
    found = http.get(f"{inventory}/reservations/{oid}").status_code == 200
    status = http.get(f"{orders}/orders/{oid}").json()["status"]
    return _ms(t0), "found" if found else "not there yet (404)", status


def _settled(read: tuple[float, str, str]) -> bool:
    return read[1] == "found" and read[2] in messaging.FINAL


def read_your_writes(lab, timeout: float = 15.0) -> Text:
    """POST /orders, then read its reservation and its status at once and again until both
    moved: the first read sees the state from before the saga's events were handled."""
    user, inventory, orders = consistency.new_user(lab), lab.url("inventory-service"), lab.url("order-service")
    # one keep-alive client: a fresh one per call costs more than the saga's first step
    with httpx.Client(timeout=10, trust_env=False) as http:
        t0 = time.perf_counter()
        body = {"user_id": user, "items": [{"sku": "SKU-MUG", "quantity": 1}]}
        created = http.post(f"{orders}/orders", json=body)
        created.raise_for_status()
        oid, took = created.json()["id"], _ms(t0)
        reads = [_read(http, inventory, orders, oid, t0)]
        while not _settled(reads[-1]) and _ms(t0) < timeout * 1000:
            time.sleep(0.005)
            reads.append(_read(http, inventory, orders, oid, t0))
    say = lambda r: f"+{r[0]:.0f} ms: reservation {r[1]}, order {r[2]!r}"  # noqa: E731
    lines = [f"POST /orders -> order {oid}, answered after {took:.0f} ms", f"read at once {say(reads[0])}"]
    lines += [f"then         {say(r)}" for prev, r in zip(reads, reads[1:]) if r[1:] != prev[1:]]
    lines.append(f"converged {reads[-1][0]:.0f} ms after the POST was sent ({len(reads)} reads)"
                 if _settled(reads[-1]) else f"not settled after {timeout:g} s")
    return Text("\n".join(lines))


# -- observability ---------------------------------------------------------------------------------

def _health(lab, name: str) -> str:
    try:
        return str(httpx.get(f"{lab.url(name)}/health", timeout=3).status_code)
    except Exception:  # no answer, or stopped (lab.url raises then)
        return "no answer"


def health_vs_readiness(lab) -> Table:
    """/health of each shop service next to its consumer group's lag: /health checks the
    process and its database, not whether the events it must handle are handled."""
    rows = []
    for name in [r.name for r in lab.status() if r.kind == "service"]:  # a stopped one shows as down
        # each consumer group is named after its service (incident.CONSUMES)
        health, group = _health(lab, name), name if name in incident.CONSUMES else None
        lag = incident.lag(lab, name) if group else None
        if health != "200":
            verdict = "down"
        elif group and lag is None:
            verdict = "healthy, readiness unknown (no broker)"
        elif lag:
            verdict = f"healthy but not ready ({lag} behind)"
        else:
            verdict = "healthy and ready"
        rows.append({"service": name, "/health": health, "consumer group": group or "-",
                     "lag": "-" if lag is None else lag, "verdict": verdict})
    return Table(("service", "/health", "consumer group", "lag", "verdict"), rows,
                 "health vs readiness: lag = events on its topics it has not handled yet")


def timeline(lab, request_id: str) -> Text:
    """lab.trace (gateway, the shop's services, the saga's events) plus the request log lines
    of your deployed components (relays, profiles), merged into one time-ordered list."""
    followed = lab.trace(request_id)
    deployed = [r.name for r in lab.status() if r.kind == "deployed" and r.state == "healthy"]
    extra = [r for name in deployed for r in observe.requests_of(lab, name)]
    merged = trace.Trace(request_id, list(followed) + trace.http_steps(request_id, extra), followed.notes)
    return Text(str(merged))
