"""07's incidents: what an operator can see of a lab at one moment (a snapshot), and a fault
hidden in one of its services to practise finding it.

    incident = mystery_fault(lab)       # one service is now slow, failing, or not consuming
    seen = snapshot(lab)                # request logs, health, consumer lag, recent events
    incident.reveal()                   # what it was; incident.clear() ends it

A snapshot is plain JSON (dicts, lists, strings, numbers), so it can be saved, handed to a
function, or compared; the grader builds its own with the same function.
"""
from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone

import httpx

from microlab import localhttp
from microlab.topology import SHOP

SERVICES = tuple(c.name for c in SHOP)
# Each consuming service's consumer group and what it reads (labs/*/eventflow.py; a unit test
# keeps them equal).
CONSUMES = {"order-service": ("inventory", "payments"), "inventory-service": ("orders",),
            "payment-service": ("inventory",)}
SAGA_TOPICS = ("orders", "inventory", "payments")
KINDS = ("latency", "errors", "consumer")


def _health(url: str) -> dict:
    try:
        response = localhttp.get(f"{url}/health", timeout=3)
    except httpx.HTTPError as exc:
        return {"status": None, "body": f"no answer: {type(exc).__name__}"}
    try:
        body = response.json()
    except ValueError:
        body = response.text[:200]
    return {"status": response.status_code, "body": body}


def lag(lab, service: str) -> int | None:
    """Its group's lag on every topic it reads (a partition it never committed on counts too)."""
    try:
        return sum(lab.lag(service, topic).total for topic in CONSUMES[service])
    except Exception:  # the broker is down: no lag can be read, which is itself a symptom
        return None


def _events(lab, topic: str, limit: int) -> list[dict]:
    try:
        rows = lab.events(topic, limit=limit)
    except Exception:
        return []
    return [{k: r[k] for k in ("topic", "partition", "offset", "timestamp", "key", "value")} for r in rows]


def snapshot(lab, since: "Incident | None" = None, tail: int = 400, events: int = 60) -> dict:
    """{"logs": {service: its log's last lines}, "health": {service: {"status", "body"}},
    "lag": {service: its consumer group's total lag}, "events": {topic: newest events}};
    with `since`, only the log lines and events from that incident's start on."""
    logs = {s: lab.logs(s, tail=tail) for s in SERVICES}
    if since is not None:
        logs = {s: _after(text, since.marker) for s, text in logs.items()}
    found = {t: _events(lab, t, events) for t in SAGA_TOPICS}
    if since is not None:
        found = {t: [e for e in rows if e["timestamp"] >= since.started] for t, rows in found.items()}
    return {"logs": logs, "health": {s: _health(lab.url(s)) for s in SERVICES},
            "lag": {s: lag(lab, s) for s in CONSUMES}, "events": found}


def _after(text: str, marker: str) -> str:
    lines = text.splitlines()
    start = max((i for i, line in enumerate(lines) if marker in line), default=-1)
    return "\n".join(lines[start + 1:])


def mark(lab) -> tuple[str, str]:
    """A request of its own to every service (the point in their logs where an incident
    starts) and the time, as event timestamps write it."""
    marker = f"incident-{uuid.uuid4().hex[:10]}"
    for s in SERVICES:
        try:
            localhttp.get(f"{lab.url(s)}/incident-marker", headers={"X-Request-ID": marker}, timeout=5)
        except httpx.HTTPError:
            pass  # a service that is down has no log to cut
    return marker, datetime.now(timezone.utc).isoformat(timespec="milliseconds")


@dataclass
class Incident:
    lab: object
    service: str
    kind: str
    setting: dict
    marker: str = ""
    started: str = ""

    def __repr__(self) -> str:
        return (f"an incident is under way in lab {self.lab.name!r}: find it with snapshot(lab) "
                "(incident.reveal() tells, incident.clear() ends it)")

    def reveal(self) -> str:
        return f"{self.service}: {self.kind} ({self.setting})"

    def clear(self) -> None:
        self.lab.fault(self.service)


def inject(lab, service: str, kind: str, rng: random.Random) -> Incident:
    if kind == "consumer" and service not in CONSUMES:
        raise ValueError(f"{service} consumes no events: a consumer fault needs one of {sorted(CONSUMES)}")
    setting = {"latency": {"latency_ms": rng.randint(1500, 3000)},
               "errors": {"error_rate": rng.choice((0.8, 1.0))},
               "consumer": {"consumer_paused": True}}[kind]
    lab.fault(service, **setting)
    marker, started = mark(lab)  # after the fault: the lab's own PUT /admin/faults stays before the cut
    return Incident(lab, service, kind, setting, marker, started)


def mystery_fault(lab, seed: int | None = None, rounds: int = 3) -> Incident:
    """A random fault in one of the shop's services, then some ordinary traffic (so the logs
    and events show its symptoms)."""
    rng = random.Random(seed)
    service = rng.choice(SERVICES)
    kind = rng.choice([k for k in KINDS if k != "consumer" or service in CONSUMES])
    incident = inject(lab, service, kind, rng)
    traffic(lab, rounds)
    return incident


def traffic(lab, rounds: int = 3, tag: str = "traffic") -> list[str]:
    """What customers do, `rounds` times: sign up, browse, order, check the payment and the
    order. Failures are part of the picture, not errors here. Returns the request ids."""
    sent = []
    with httpx.Client(timeout=5) as client:
        for _ in range(rounds):
            rid = f"{tag}-{uuid.uuid4().hex[:10]}"
            sent.append(rid)
            headers = {"X-Request-ID": rid}
            user = _call(client, "POST", f"{lab.url('user-service')}/users", headers,
                         {"name": "Customer", "email": f"{rid}@example.org"})
            _call(client, "GET", f"{lab.url('inventory-service')}/inventory", headers)
            user_id = user.get("id", 1) if isinstance(user, dict) else 1
            order = _call(client, "POST", f"{lab.url('order-service')}/orders", headers,
                          {"user_id": user_id, "items": [{"sku": "SKU-MUG", "quantity": 1}]})
            order_id = order.get("id", 1) if isinstance(order, dict) else 1
            _call(client, "GET", f"{lab.url('payment-service')}/payments", headers, params={"order_id": order_id})
            _call(client, "GET", f"{lab.url('order-service')}/orders/{order_id}", headers)
    return sent


def _call(client: httpx.Client, method: str, url: str, headers: dict, body=None, params=None):
    try:
        response = client.request(method, url, headers=headers, json=body, params=params)
        return response.json() if response.status_code < 400 else None
    except (httpx.HTTPError, ValueError):
        return None
