"""06-api-gateway's demonstrations: the course's Kong snippet, strip_path seen from both
sides, a rate-limited burst, the jwt plugin's refusals, the extra hop's latency, a strangler
fig and the two BFF gateways' surfaces.

Every request carries its own X-Request-ID, so the services' request logs tell which
requests got past the gateway, and which component answered each."""
from __future__ import annotations

import base64
import json
import time
import uuid
import warnings
from collections import Counter
from dataclasses import dataclass, field

import httpx
import jwt
from matplotlib.figure import Figure

from microlab import plots
from microlab.lessons.display import Table, Text
from microlab.lessons.routing_tour import (AREAS, DEFAULT_PROBES, NO_ROUTE, SERVICES,  # noqa: F401
                                           _by_gateway, _logged, _message, _rid, journey,
                                           strangler_config, surface)

COURSE_SNIPPET = """\
# Kong API Gateway configuration example
services:
  - name: user-service
    url: http://user-service:8080
    routes:
      - name: users-route
        paths: ["/api/v1/users"]
    plugins:
      - name: rate-limiting
        config:
          minute: 100
      - name: jwt
        config:
          secret_is_base64: false
"""
RATE_HEADERS = ("retry-after", "ratelimit-limit", "ratelimit-remaining", "ratelimit-reset")
WARM_UP = 20  # requests per path before timing: connections opened, first-call work done


def _ok(status: int) -> bool:
    return 200 <= status < 300


def both_paths(lab, path: str = "/api/v1/users/1", service: str = "user-service") -> Text:
    """What the client asked the gateway vs what `service` received (strip_path at work).
    The path is taken as given, nothing is created: a 404 from the service (no such user)
    shows the rewrite just as well; create the user first when a 200 matters."""
    rid = _rid("paths")
    response = httpx.get(lab.url("gateway") + path, headers={"X-Request-ID": rid}, timeout=10)
    lines = [f"client  -> gateway:  GET {path}  ({response.status_code} back to the client)"]
    seen = None if _by_gateway(response) else _logged(lab, [service], [rid]).get(rid)
    if seen is not None:
        lines.append(f"gateway -> {service}:  {seen.method} {seen.path}  ({seen.status}, {seen.ms:.1f} ms)")
    elif _by_gateway(response):
        lines.append(f"{service} never saw it: the gateway answered itself ({_message(response)})")
    else:
        lines.append(f"{service} has no log line for it: the route leads to another service")
    return Text("\n".join(lines + [f"request id {rid}"]))


def wait_for_fresh_minute(min_left_s: float = 20) -> float:
    """Sleep until at least `min_left_s` s are left in this clock minute (Kong's minute windows
    start at :00 UTC, not at a client's first request); the seconds slept. What this minute
    already counted stays counted, re-applying the config included (same plugin, same id)."""
    left = 60 - time.time() % 60
    if left >= min_left_s:
        return 0.0
    time.sleep(left + 0.05)  # just past :00: a whole fresh window ahead
    return left + 0.05


@dataclass(frozen=True)
class Shot:
    at: float  # seconds since the burst began, when the request was sent
    status: int
    headers: httpx.Headers
    request_id: str
    body: str = ""  # kept for refusals only


@dataclass
class Refusal:
    at: float
    status: int
    headers: dict[str, str]  # the rate-limiting headers, named as the gateway sent them
    body: str

    def __str__(self) -> str:
        lines = [f"first refusal after {self.at:.2f} s: {self.status}"]
        lines += [f"  {k}: {v}" for k, v in self.headers.items()]
        return "\n".join(lines + [f"  body: {self.body.strip()}"])

    __repr__ = __str__


@dataclass
class Burst:
    url: str
    started: float  # time.time() when the first request was sent
    shots: list[Shot] = field(default_factory=list)

    @property
    def admitted(self) -> int:
        return sum(_ok(s.status) for s in self.shots)

    @property
    def rejected(self) -> int:
        return len(self.shots) - self.admitted

    def first_refusal(self) -> Refusal | None:
        shot = next((s for s in self.shots if not _ok(s.status)), None)
        if shot is None:
            return None
        raw = ((k.decode(), v.decode()) for k, v in shot.headers.raw)  # httpx would lower-case the names
        wanted = {k: v for k, v in raw if k.lower() in RATE_HEADERS or k.lower().startswith("x-ratelimit-")}
        return Refusal(shot.at, shot.status, wanted, shot.body)

    def request_ids(self, status: int | None = None) -> list[str]:
        return [s.request_id for s in self.shots if status is None or s.status == status]

    def __str__(self) -> str:
        took = self.shots[-1].at if self.shots else 0.0
        counts = sorted(Counter(s.status for s in self.shots).items())
        return (f"{len(self.shots)} requests to {self.url} in {took:.2f} s: "
                + ", ".join(f"{n} x {code}" for code, n in counts)
                + f"\nadmitted {self.admitted}, rejected {self.rejected}")

    __repr__ = __str__


def burst(url: str, n: int = 120, headers: dict | None = None, tag: str = "burst") -> Burst:
    """`n` GETs one after the other over one keep-alive connection (one busy client, not a crowd).
    2xx counts as admitted, anything else as rejected: point it at something that exists."""
    run, result = uuid.uuid4().hex[:6], Burst(url, time.time())
    t0 = time.perf_counter()
    with httpx.Client(timeout=10, headers=headers) as client:
        for i in range(n):
            rid, sent = f"{tag}-{i}-{run}", time.perf_counter() - t0
            r = client.get(url, headers={"X-Request-ID": rid})
            result.shots.append(Shot(sent, r.status_code, r.headers, rid, "" if r.is_success else r.text))
    return result


def plot_admissions(burst: Burst) -> Figure:
    fig, ax = plots._axes(None)
    xs, admitted, rejected = [], [0], [0]
    for s in burst.shots:
        xs.append(s.at)
        admitted.append(admitted[-1] + _ok(s.status))
        rejected.append(rejected[-1] + (not _ok(s.status)))
    ax.step(xs, admitted[1:], where="post", color=plots.STATUS_COLOURS["2xx"], label="admitted (2xx)")
    ax.step(xs, rejected[1:], where="post", color=plots.STATUS_COLOURS["4xx"], label="rejected")
    ax.set_xlabel("seconds since the first request")
    ax.set_ylabel("requests so far")
    ax.set_title(f"{burst.admitted} admitted, {burst.rejected} rejected of {len(burst.shots)}")
    ax.legend()
    return fig


def reached(lab, service: str, burst: Burst) -> dict:
    """How many of the burst's admitted and rejected requests `service` logged."""
    ok = {s.request_id for s in burst.shots if _ok(s.status)}
    refused = set(burst.request_ids()) - ok
    found = _logged(lab, [service], ok | refused, expect=ok)  # waiting for refused ones would be in vain
    return {"admitted": len(ok & found.keys()), "rejected": len(refused & found.keys())}


def token(key: str, secret: str, ttl_s: int = 300, alg: str = "HS256", **claims) -> str:
    """A signed JWT whose `iss` names the consumer's credential; a negative ttl: already expired."""
    payload = {"iss": key, "exp": int(time.time()) + ttl_s, **claims}
    with warnings.catch_warnings():  # the course's classroom secret is short: PyJWT warns, Kong does not
        warnings.filterwarnings("ignore", message="The HMAC key is")
        return jwt.encode(payload, secret, algorithm=alg)


def alg_none_token(key: str) -> str:
    """An unsigned token (`alg: none`, empty signature), built by hand: PyJWT refuses to."""
    parts = ({"alg": "none", "typ": "JWT"}, {"iss": key, "exp": int(time.time()) + 300})
    return ".".join(base64.urlsafe_b64encode(json.dumps(p).encode()).rstrip(b"=").decode() for p in parts) + "."


def jwt_cases(url: str, key: str, secret: str) -> Table:
    """GET `url` (a route with the jwt plugin) with a good token, none, and four bad ones."""
    cases = {"valid token": token(key, secret), "no token": None,
             "wrong secret": token(key, secret + "-not-it"), "expired": token(key, secret, ttl_s=-60),
             "alg: none": alg_none_token(key), "unknown iss": token(f"nobody-{uuid.uuid4().hex[:6]}", secret)}
    rows = []
    for case, text in cases.items():
        headers = {"X-Request-ID": _rid("jwt"), **({"Authorization": f"Bearer {text}"} if text else {})}
        r = httpx.get(url, headers=headers, timeout=10)
        rows.append({"case": case, "status": r.status_code, "message": _message(r)})
    return Table(("case", "status", "message"), rows, f"GET {url}")


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)  # nearest rank: p99 of 300 is the 297th
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


def hop_latency(lab, n: int = 300, path: str = "/users/1") -> dict[str, list[float]]:
    """ms per GET straight to user-service and through the gateway, one keep-alive client each.
    The two alternate request by request, so a busy moment of the machine hits both alike."""
    targets = {"direct": lab.url("user-service") + path, "via gateway": lab.url("gateway") + "/api/v1" + path}
    samples: dict[str, list[float]] = {label: [] for label in targets}
    run = uuid.uuid4().hex[:6]
    with httpx.Client(timeout=10) as direct, httpx.Client(timeout=10) as via:
        clients = {"direct": direct, "via gateway": via}
        for i in range(WARM_UP + n):
            for label, url in targets.items():
                started = time.perf_counter()
                clients[label].get(url, headers={"X-Request-ID": f"hop-{label[:3]}-{i}-{run}"})
                if i >= WARM_UP:
                    samples[label].append((time.perf_counter() - started) * 1000)
    return samples


def hop_summary(samples: dict[str, list[float]]) -> Text:
    lines = [f"{'':<12}{'p50':>9}{'p99':>9}"]
    lines += [f"{label:<12}{_pct(v, 0.5):>6.2f} ms{_pct(v, 0.99):>6.2f} ms" for label, v in samples.items()]
    direct, via = samples.get("direct"), samples.get("via gateway")
    if direct and via:
        added = _pct(via, 0.5) - _pct(direct, 0.5)
        lines.append(f"the gateway adds {added:.2f} ms at p50 ({len(direct)} requests each)")
    return Text("\n".join(lines))


def plot_hops(samples: dict[str, list[float]]) -> Figure:
    fig = plots.latency(samples)
    fig.axes[0].set_title("One more hop: straight to user-service vs through the gateway")
    return fig
