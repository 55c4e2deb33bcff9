"""07-operating-microservices' resilience half (re-exported by microlab.lessons.operations):
a service without a circuit breaker under concurrent load next to one with a breaker, a
bulkhead and a short timeout, and the retry storm of relays that each retry.

Every request carries an X-Request-ID made here, and the deployed services pass it on, so
user-service's own request log tells how many requests reached it."""
from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass, field

import httpx
from matplotlib.figure import Figure

from microlab import consistency, deployment, observe, plots, topology
from microlab.lessons.display import Table

NAIVE = '''
"""GET /profile/{user_id} asks user-service and waits, up to 4 s, on one of the thread
pool's 40 threads (a sync endpoint). GET /local needs nobody, but a thread too."""
import os

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

app = FastAPI()
USERS = os.environ["USER_SERVICE_URL"]
client = httpx.Client(timeout=4.0, trust_env=False)  # one per process: keep-alive connections


@app.get("/profile/{user_id}")
def profile(user_id: int, request: Request):
    rid = request.headers.get("X-Request-ID", "-")
    upstream = client.get(f"{USERS}/users/{user_id}", headers={"X-Request-ID": rid})
    return JSONResponse(upstream.json(), upstream.status_code)


@app.get("/local")
def local():
    return {"local": True}
'''

GUARDED = '''
"""The same two endpoints, but /profile never waits long on user-service: a circuit breaker
(open after 5 failures, one trial call after 10 s), a bulkhead (5 calls at a time, the 6th is
answered at once) and a 1 s timeout. When any of them says no, a degraded answer (200).
pybreaker holds its lock for the whole call, so one call at a time goes through the breaker
and the bulkhead's other 4 wait their turn: 5 slow calls open it after about 5 s."""
import os
import threading

import httpx
import pybreaker
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

app = FastAPI()
USERS = os.environ["USER_SERVICE_URL"]
client = httpx.Client(timeout=1.0, trust_env=False)
breaker = pybreaker.CircuitBreaker(fail_max=5, reset_timeout=10)
bulkhead = threading.BoundedSemaphore(5)  # at most 5 of the 40 threads wait on user-service


def fallback(user_id: int) -> dict:
    return {"id": user_id, "name": None, "degraded": True}


def fetch(user_id: int, rid: str) -> httpx.Response:
    upstream = client.get(f"{USERS}/users/{user_id}", headers={"X-Request-ID": rid})
    if upstream.status_code >= 500:  # user-service's failure counts; a 404 is an answer
        raise RuntimeError(f"user-service answered {upstream.status_code}")
    return upstream


@app.get("/profile/{user_id}")
def profile(user_id: int, request: Request):
    if not bulkhead.acquire(blocking=False):  # full: answer now instead of queueing a thread
        return fallback(user_id)
    try:
        upstream = breaker.call(fetch, user_id, request.headers.get("X-Request-ID", "-"))
    except Exception:  # open breaker, timeout, 5xx: the caller still gets an answer
        return fallback(user_id)
    finally:
        bulkhead.release()
    return JSONResponse(upstream.json(), upstream.status_code)


@app.get("/local")
def local():
    return {"local": True}
'''

PROFILES = {"profile-naive": NAIVE, "profile-guarded": GUARDED}
REQUEST_TIMEOUT_S = 15.0  # a load client's limit per request: nothing waits for ever
THINK_S = 0.5  # a client sends at most 2 requests a second: instant answers must not turn
# 40 clients into a CPU benchmark of this machine (slow answers take longer anyway)
PROBE_EVERY_S = 0.1


def percentile(values: list[float], q: float) -> float:
    """Nearest rank: p99 of 300 values is the 297th smallest; nan for no values."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


def inside_url(lab, name: str) -> str:
    """Where a deployed component reaches `name`: the host's address on the local backend,
    the name on the Docker network (deployed code runs there beside the shop)."""
    return lab.url(name) if lab.backend_name == "local" else topology.internal_url(name)


def ensure_deployed(lab, names_and_code: dict[str, str]) -> None:
    """Deploy what this lab does not have yet (a deploy costs seconds: reuse the running ones)."""
    have = deployment.recorded(lab.name)
    for name, code in names_and_code.items():
        if name not in have:
            lab.deploy(name, code)


def count_logged(lab, service: str, prefix: str, expect: int | None = None, settle_s: float = 1.0,
                 timeout: float = 10.0) -> int:
    """How many requests with an id starting with `prefix` `service` logged: polled until
    `expect` is reached, or the count held still for `settle_s` (a service logs a request
    when it answers it, which for a slow one is after its caller gave up)."""
    deadline, last, still_since = time.monotonic() + timeout, -1, time.monotonic()
    while True:
        logged = observe.requests_of(lab, service, observe.LOG_TAIL * 4)
        found = sum(r.request_id.startswith(prefix) for r in logged)
        if found != last:
            last, still_since = found, time.monotonic()
        done = (expect is not None and found >= expect) or time.monotonic() - still_since >= settle_s
        if done or time.monotonic() > deadline:
            return found
        time.sleep(0.2)


# -- missing circuit breakers under concurrency -------------------------------------------

def deploy_profiles(lab) -> None:
    """Deploy NAIVE as profile-naive and GUARDED as profile-guarded; they stay deployed for
    under_load (remove_profiles takes them away)."""
    ensure_deployed(lab, PROFILES)


def remove_profiles(lab) -> None:
    for name in PROFILES:
        if name in deployment.recorded(lab.name):
            lab.undeploy(name)


@dataclass(frozen=True)
class Sample:
    at: float  # seconds since the load began, when the request was sent
    ms: float
    status: int  # 0: no answer (timeout, connection refused)
    degraded: bool = False  # GUARDED's fallback answer


@dataclass
class LoadResult:
    service: str
    clients: int
    slow_ms: int
    profile: list[Sample] = field(default_factory=list)
    local: list[Sample] = field(default_factory=list)
    reached_user_service: int = 0  # /profile requests user-service logged (by request id)
    paths: tuple[str, str] = ("/profile/{id}", "/local")  # what the clients and the probe asked

    def p(self, endpoint: str, q: float) -> float:
        """Latency quantile (ms) of "profile" or "local"."""
        return percentile([s.ms for s in getattr(self, endpoint)], q)

    def table(self) -> Table:
        rows = []
        for label, samples in ((self.paths[0], self.profile), (self.paths[1], self.local)):
            ms, n = [s.ms for s in samples], max(len(samples), 1)
            rows.append({"endpoint": label, "requests": len(samples),
                         **{f"p{q}": f"{percentile(ms, q / 100):.0f} ms" for q in (50, 95, 99)},
                         "errors": f"{sum(s.status == 0 or s.status >= 500 for s in samples) / n:.0%}",
                         "degraded": f"{sum(s.degraded for s in samples) / n:.0%}"})
        title = (f"{self.service}: {self.clients} clients on {self.paths[0]} while user-service takes "
                 f"{self.slow_ms} ms more")
        return Table(("endpoint", "requests", "p50", "p95", "p99", "errors", "degraded"), rows, title)

    def reached(self) -> str:
        return f"user-service saw {self.reached_user_service} of the {len(self.profile)} {self.paths[0]} requests"

    def __str__(self) -> str:
        return f"{self.table()}\n{self.reached()}"

    __repr__ = __str__

    def _repr_html_(self) -> str:
        return self.table()._repr_html_() + f"<p>{self.reached()}</p>"


def _get(client: httpx.Client, url: str, rid: str, t0: float, out: list) -> None:
    """One GET, appended to `out` as a Sample (status 0: no answer within the timeout)."""
    sent = time.monotonic()
    try:
        r = client.get(url, headers={"X-Request-ID": rid})
        status, degraded = r.status_code, r.is_success and r.json().get("degraded") is True
    except httpx.HTTPError:
        status, degraded = 0, False
    out.append(Sample(sent - t0, (time.monotonic() - sent) * 1000, status, degraded))


def _client_loop(client: httpx.Client, url: str, prefix: str, t0: float, deadline: float, out: list) -> None:
    """One client: GET `url` again as soon as it answers, from `t0` until `deadline`, at most
    one per THINK_S (so at most (deadline - t0) / THINK_S requests)."""
    for i in range(int((deadline - t0) / THINK_S)):
        time.sleep(max(0.0, t0 + i * THINK_S - time.monotonic()))
        if time.monotonic() >= deadline:
            return
        _get(client, url, f"{prefix}{i}", t0, out)


def _probe_loop(client: httpx.Client, url: str, prefix: str, t0: float, count: int, out: list) -> None:
    """GET `url` `count` times, every PROBE_EVERY_S on a fixed schedule, each call in a thread
    of its own: a probe that waited for a slow answer before sending the next would take the
    fewest samples exactly while the endpoint is slow."""
    sent = []
    for i in range(count):
        time.sleep(max(0.0, t0 + i * PROBE_EVERY_S - time.monotonic()))
        sent.append(threading.Thread(target=_get, args=(client, url, f"{prefix}{i}", t0, out), daemon=True))
        sent[-1].start()
    for t in sent:
        t.join(timeout=REQUEST_TIMEOUT_S + 1)


def _run_load(base: str, paths: tuple[str, str], clients: int, duration_s: float, run: str) -> tuple[list, list]:
    # One httpx.Client shared by every thread (it is thread-safe; its pool keeps a connection
    # per thread): a client per thread took a second to set up, and the clients set off apart.
    limits = httpx.Limits(max_connections=None, max_keepalive_connections=clients + 10)
    with httpx.Client(timeout=REQUEST_TIMEOUT_S, limits=limits, trust_env=False) as client:
        # Everyone starts at t0, as a crowd arriving at once does: the 40 clients then hold
        # the 40 threads in step, all waiting on user-service at the same time.
        t0 = time.monotonic() + 0.3
        deadline, per_client, probe = t0 + duration_s, [[] for _ in range(clients)], []
        threads = [threading.Thread(target=_client_loop, daemon=True, args=(
            client, f"{base}{paths[0]}", f"{run}-c{k}-", t0, deadline, per_client[k]))
            for k in range(clients)]
        threads.append(threading.Thread(target=_probe_loop, daemon=True, args=(
            client, f"{base}{paths[1]}", f"probe-{run}-", t0, round(duration_s / PROBE_EVERY_S), probe)))
        for t in threads:
            t.start()
        for t in threads:  # each ends by the deadline plus one request's timeout at the latest
            t.join(timeout=max(0.0, deadline - time.monotonic()) + 2 * REQUEST_TIMEOUT_S + 1)
    by_time = lambda samples: sorted(samples, key=lambda s: s.at)  # noqa: E731
    return by_time(s for samples in per_client for s in samples), by_time(probe)


def under_load(lab, service_name: str, clients: int = 40, duration_s: float = 10, slow_ms: int = 3000,
               user_id: int | None = None, paths: tuple[str, str] = ("/profile/{id}", "/local")) -> LoadResult:
    """`clients` threads GET the first of `paths` (the one that calls user-service) of
    `service_name` for `duration_s` (all starting together, each at most 2 a second) while
    user-service is `slow_ms` slower, and a probe GETs the second (one that calls nobody) every
    100 ms. 40 clients are as many as the service has threads. Fault cleared after. In the
    paths, {id} is the user's id and {order} an order of theirs (order-service's
    ("/users/{id}/orders", "/orders/{order}") are the shop's own pair)."""
    base, run = lab.url(service_name), f"load-{uuid.uuid4().hex[:6]}"
    user_id = user_id or consistency.new_user(lab)
    order = consistency.place_order(lab, user_id)["id"] if "{order}" in "".join(paths) else None
    paths = tuple(p.format(id=user_id, order=order) for p in paths)
    httpx.get(f"{base}{paths[0]}", timeout=10)  # warm: connections open before timing
    lab.fault("user-service", latency_ms=slow_ms)
    try:
        profile, probe = _run_load(base, paths, clients, duration_s, run)
    finally:
        lab.fault("user-service")
    reached = count_logged(lab, "user-service", f"{run}-", settle_s=1.5, timeout=slow_ms / 1000 + 10)
    return LoadResult(service_name, clients, slow_ms, profile, probe, reached, paths)


def plot_load(before: LoadResult, after: LoadResult) -> Figure:
    """/local's latency over time in both runs (log scale: milliseconds next to seconds)."""
    fig, ax = plots._axes(None)
    for result, style in ((before, "o-"), (after, "s-")):
        ax.plot([s.at for s in result.local], [max(s.ms, 0.1) for s in result.local], style,
                markersize=3, label=f"{result.service} {result.paths[1]} (p95 {result.p('local', 0.95):.0f} ms)")
    ax.set_yscale("log")
    ax.set_xlabel("seconds since the load began")
    ax.set_ylabel("latency of the call that needs no user-service (ms)")
    ax.set_title(f"/local while {before.clients} clients wait on a slow user-service")
    fig.legend(loc="outside lower center", ncol=2)  # below the axes: the points fill them
    return fig
