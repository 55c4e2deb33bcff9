"""07-operating-microservices' demonstrations: the course text's common mistakes, live and
measured. Nanoservices (a hop's cost, availability compounding, what there is to run),
missing circuit breakers and retry storms (from resilience_demo, re-exported here), a saga
stuck behind a stopped service, reading your own writes too early, health that is not
readiness, and one request's timeline across everything it touched."""
from __future__ import annotations

import re
import time
import uuid

import httpx
from matplotlib.figure import Figure

from microlab import consistency, deployment, observe, plots, state, topology, trace
from microlab.lessons import messaging
from microlab.lessons.display import Table, Text
from microlab.lessons.resilience_demo import (GUARDED, NAIVE, RETRY, LoadResult, Sample,  # noqa: F401
                                              deploy_profiles, ensure_deployed, inside_url,
                                              percentile, plot_load, remove_profiles, retry_storm,
                                              under_load)

HOP = '''
"""A relay, one hop of a nanoservice chain: GET /relay/{user_id}?via=URL1,URL2 calls URL1's
relay with the rest of the list, or user-service when the list is empty."""
import os

import httpx
from fastapi import FastAPI, Request, Response

app = FastAPI()
USERS = os.environ["USER_SERVICE_URL"]
client = httpx.Client(timeout=10, trust_env=False)  # one per process: keep-alive connections


@app.get("/relay/{user_id}")
def relay(user_id: int, request: Request, via: str = ""):
    first, _, rest = via.partition(",")
    if first:
        url, params = f"{first}/relay/{user_id}", {"via": rest}
    else:
        url, params = f"{USERS}/users/{user_id}", {}
    headers = {"X-Request-ID": request.headers.get("X-Request-ID", "-")}  # one id end to end
    upstream = client.get(url, params=params, headers=headers)
    return Response(upstream.content, upstream.status_code, media_type="application/json")
'''
HOP_NAME = re.compile(r"^hop-\d+$")
WARM_UP = 10  # requests per chain before timing: connections opened, first-call work done
MINUTES_PER_MONTH = 30 * 24 * 60


# -- nanoservices: the cost of a hop ------------------------------------------------------

def _chain_url(lab, hops: int, user_id: int) -> str:
    if hops == 0:
        return f"{lab.url('user-service')}/users/{user_id}"
    via = ",".join(inside_url(lab, f"hop-{k}") for k in range(2, hops + 1))
    return str(httpx.URL(f"{lab.url('hop-1')}/relay/{user_id}", params={"via": via}))


def hop_chain(lab, max_hops: int = 5, n: int = 200, user_id: int | None = None) -> dict[int, list[float]]:
    """ms per GET of user `user_id` through 0..max_hops relays (0: straight to user-service),
    `n` each. Relays hop-1..hop-k are deployed once and stay (remove_hops takes them away).
    The chains take turns request by request, so a busy moment of the machine hits all alike."""
    ensure_deployed(lab, {f"hop-{k}": HOP for k in range(1, max_hops + 1)})
    user_id = user_id or consistency.new_user(lab)
    urls = {k: _chain_url(lab, k, user_id) for k in range(max_hops + 1)}
    samples: dict[int, list[float]] = {k: [] for k in urls}
    run = uuid.uuid4().hex[:6]
    with httpx.Client(timeout=10, trust_env=False) as client:
        for i in range(WARM_UP + n):
            for k, url in urls.items():
                started = time.perf_counter()
                client.get(url, headers={"X-Request-ID": f"hops{k}-{i}-{run}"}).raise_for_status()
                if i >= WARM_UP:
                    samples[k].append((time.perf_counter() - started) * 1000)
    return samples


def hop_request(lab, hops: int, user_id: int | None = None) -> str:
    """One GET through `hops` deployed relays (hop_chain deploys them); its request id, for timeline()."""
    rid = f"hop-request-{uuid.uuid4().hex[:8]}"
    url = _chain_url(lab, hops, user_id or consistency.new_user(lab))
    httpx.get(url, headers={"X-Request-ID": rid}, timeout=10, trust_env=False).raise_for_status()
    return rid


def hops_table(samples: dict[int, list[float]]) -> Table:
    rows = [{"hops": k, "p50": round(percentile(v, 0.5), 2), "p99": round(percentile(v, 0.99), 2)}
            for k, v in sorted(samples.items())]
    n = len(next(iter(samples.values()), []))
    return Table(("hops", "p50", "p99"), rows,
                 f"ms per GET, {n} requests per chain (0 hops: straight to user-service)")


def plot_hops(samples: dict[int, list[float]]) -> Figure:
    fig, ax = plots._axes(None)
    hops = sorted(samples)
    for q, marker in ((0.5, "o-"), (0.99, "s--")):
        ax.plot(hops, [percentile(samples[k], q) for k in hops], marker, label=f"p{round(q * 100)}")
    ax.set_xticks(hops)
    ax.set_xlabel("relays between the client and user-service")
    ax.set_ylabel("latency (ms)")
    ax.set_title("Every hop adds a network call, a parse and a log line")
    ax.legend()
    return fig


def remove_hops(lab) -> list[str]:
    """Undeploy every hop-N relay of this lab; the names removed."""
    names = sorted(n for n in deployment.recorded(lab.name) if HOP_NAME.match(n))
    for name in names:
        lab.undeploy(name)
    return names


# -- nanoservices: availability compounds ---------------------------------------------------

def availability(per_service: float = 0.999, up_to: int = 10) -> Table:
    """A request that needs all n services answers only when every one of them does: per**n."""
    rows = []
    for n in range(1, up_to + 1):
        a = per_service ** n
        rows.append({"services": n, "availability": f"{a:.4%}",
                     "down per 30-day month": f"{(1 - a) * MINUTES_PER_MONTH:.0f} min"})
    return Table(("services", "availability", "down per 30-day month"), rows,
                 f"each service up {per_service:.2%} of the time, independently")


def plot_availability(per_service=(0.999, 0.995, 0.99), up_to: int = 20) -> Figure:
    fig, ax = plots._axes(None)
    ns = list(range(1, up_to + 1))
    for p in per_service:
        ax.plot(ns, [100 * p ** n for n in ns], "o-", markersize=3,
                label=f"{p:.1%} each: {(1 - p ** up_to) * MINUTES_PER_MONTH / 60:.1f} h/month down at {up_to}")
    ax.set_xticks(range(0, up_to + 1, max(1, up_to // 10)))
    ax.set_xlabel("services a request needs")
    ax.set_ylabel("availability (%)")
    ax.set_title("Availability of a chain: per-service availability ** n")
    ax.legend(fontsize="small")
    return fig


# -- nanoservices: what there is to run -----------------------------------------------------

def _consumer_groups() -> dict[str, tuple[str, tuple[str, ...]]]:
    """service -> (its consumer group, its topics), from the shop's own code."""
    from labs.inventory_service import eventflow as inventory
    from labs.order_service import eventflow as order
    from labs.payment_service import eventflow as payment

    return {m.messaging.service: (m.messaging.group, m.messaging.topics) for m in (order, inventory, payment)}


def _shop_topics() -> tuple[str, ...]:
    from labs.common import events

    return (events.ORDERS, events.INVENTORY, events.PAYMENTS, events.REJECTED)


def _stack_column(name: str, docker: bool) -> dict:
    """What starting stack `name` runs, from its components in microlab.topology."""
    cs, groups = topology.STACKS[name], _consumer_groups()
    dbs = sum(c.database is not None for c in cs)
    broker = any(c.kind == "broker" for c in cs)
    configs = [c.config for c in cs if c.config]
    return {"processes": len(cs) + (dbs if docker else 0),  # on Docker each database is a container
            "HTTP services": sum(c.kind == "service" for c in cs),
            "host ports": len(cs) + sum(c.kind == "gateway" for c in cs),  # + each gateway's admin API
            "databases": dbs, "Kafka topics": len(_shop_topics()) if broker else 0,
            "consumer groups": sum(c.name in groups for c in cs) if broker else 0,
            "config files": f"{len(configs)} {', '.join(configs)}".strip(), "log streams": len(cs)}


def _running_column(lab) -> dict:
    """The same, counted in the running lab (lab.status, the broker): deployed code included."""
    rows = [r for r in lab.status() if r.state not in ("stopped", "exited")]
    kinds = [r.kind for r in rows]
    broker = "kafka" in [r.name for r in rows]
    configs = [topology.component(r.name).config for r in rows if r.kind == "gateway"]
    try:
        groups = _committed_groups(lab) if broker else []
    except Exception:  # the broker just went away: show what the status shows
        groups = []
    apps = kinds.count("service") + kinds.count("deployed")
    return {"processes": len(rows), "HTTP services": apps,
            "host ports": sum(r.url is not None for r in rows) + kinds.count("gateway"),
            # locally a database is a SQLite file of its app; on Docker a container of its own
            "databases": apps if lab.backend_name == "local" else kinds.count("database"),
            "Kafka topics": len(lab.topics()) if broker else 0, "consumer groups": len(groups),
            "config files": f"{len(configs)} {', '.join(configs)}".strip(), "log streams": len(rows)}


def _committed_groups(lab) -> list[str]:
    from microlab.broker import offsets

    return sorted(offsets.committed_offsets(lab.kafka_bootstrap))


def what_to_run(lab) -> Table:
    """The monolith and the services side by side, counted from microlab.topology, and what
    this lab runs right now (your deployed components included)."""
    docker = lab.backend_name == "docker"
    columns = {"monolith": _stack_column("monolith", docker), "services": _stack_column("services", docker),
               f"lab {lab.name} now": _running_column(lab)}
    unit = "containers" if docker else "processes"
    rows = [{"what": unit if what == "processes" else what, **{c: v[what] for c, v in columns.items()}}
            for what in columns["monolith"]]
    title = (f"What there is to run on the {lab.backend_name} backend (start-up times: "
             ".venv/bin/python bench/startup.py measures each stack)")
    return Table(("what", *columns), rows, title)


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


def _lag(lab, group: str, topics) -> int | None:
    try:
        return sum(lab.lag(group, t).total for t in topics)
    except Exception:  # no broker (services-no-broker), or it is restarting
        return None


def health_vs_readiness(lab) -> Table:
    """/health of each shop service next to its consumer group's lag: /health checks the
    process and its database, not whether the events it must handle are handled."""
    groups, rows = _consumer_groups(), []
    for name in [r.name for r in lab.status() if r.kind == "service"]:  # a stopped one shows as down
        health, (group, topics) = _health(lab, name), groups.get(name, (None, ()))
        lag = _lag(lab, group, topics) if group else None
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
