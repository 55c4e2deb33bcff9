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

from microlab import consistency, deployment, incident, plots, topology
from microlab.lessons.display import Table
from microlab.lessons.resilience_demo import (GUARDED, NAIVE, LoadResult, Sample,  # noqa: F401
                                              deploy_profiles, ensure_deployed, inside_url,
                                              percentile, plot_load, remove_profiles, under_load)
from microlab.lessons.retry_storm import RETRY, retry_storm  # noqa: F401
from microlab.lessons.saga_watch import health_vs_readiness, read_your_writes, stuck_saga, timeline  # noqa: F401

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

def _shop_topics() -> tuple[str, ...]:
    from labs.common import events

    return (events.ORDERS, events.INVENTORY, events.PAYMENTS, events.REJECTED)


def _stack_column(name: str, docker: bool) -> dict:
    """What starting stack `name` runs, from its components in microlab.topology."""
    cs, groups = topology.STACKS[name], incident.CONSUMES  # consumer groups are named after their services
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
