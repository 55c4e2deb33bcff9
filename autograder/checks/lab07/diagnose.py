"""Exercise 1 of 07, diagnose(snapshot): two incidents of the grader's in its own lab (the
service and the kind drawn per student), each with ordinary traffic, a snapshot from the
incident's start, the student's function run on it, and its evidence looked up in the
faulty service's real log."""
from __future__ import annotations

import time

from microlab import incident
from microlab.requestlog import parse
from microlab_grading.exercise import Check, CheckFailed, Context

from .common import on_snapshot

ROUNDS = 4  # at 80% errors, a service asked 4 times shows no 500 once in 600 incidents


def _draw(ctx: Context) -> list[tuple[str, str]]:
    """A slow or failing service, then a stopped consumer in another one (so every answer
    meets both kinds of symptom: the logs', and the events' and lag's)."""
    first = ctx.rng.choice(incident.SERVICES)
    # a consumer that stalls the saga downstream of order-service, where its orders wait
    second = ctx.rng.choice([s for s in ("inventory-service", "payment-service") if s != first])
    return [(first, ctx.rng.choice(["latency", "errors"])), (second, "consumer")]


def _caught_up(ctx: Context, timeout: float = 40) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if all(incident.lag(ctx.lab, service) == 0 for service in incident.CONSUMES):
            return
        time.sleep(0.5)
    raise RuntimeError(f"the grader's lab did not catch up within {timeout:.0f} s after an incident")


def _one(ctx: Context, service: str, kind: str, index: int) -> dict:
    found = incident.inject(ctx.lab, service, kind, ctx.rng)
    try:
        sent = incident.traffic(ctx.lab, ROUNDS, tag=f"grader-traffic-{index}")
        if kind == "consumer":
            time.sleep(1.5)  # what the paused consumer would have taken by now shows as lag
        snapshot = incident.snapshot(ctx.lab, since=found)
        got = on_snapshot(ctx, "diagnose(_snapshot)", snapshot)
    finally:
        found.clear()
    _caught_up(ctx)
    logs = {s: parse(ctx.lab.logs(s, tail=3000)) for s in incident.SERVICES}
    return {"service": service, "kind": kind, "sent": sent, "got": got, "logs": logs}


def _cases(ctx: Context) -> list[dict]:
    if "cases" not in ctx.cache:
        ctx.cache["cases"] = [_one(ctx, s, k, i) for i, (s, k) in enumerate(_draw(ctx))]
    return ctx.cache["cases"]


def _answer(case: dict) -> dict:
    got = case["got"]
    if not isinstance(got, dict):
        raise CheckFailed(f"diagnose should return a dict with service, fault and evidence; got {str(got)[:120]}")
    return got


def _shows(case: dict, rid) -> bool:
    """The faulty service's own log holds `rid` with the symptom (for a stopped consumer: an
    order the grader placed during the incident, which order-service accepted)."""
    mine = [r for r in case["logs"][case["service"]] if r.request_id == rid]
    if case["kind"] == "latency":
        return any(r.ms >= 1000 for r in mine)
    if case["kind"] == "errors":
        return any(r.status == 500 for r in mine)
    placed = [r for r in case["logs"]["order-service"] if r.request_id == rid and r.method == "POST"
              and r.path == "/orders" and r.status == 201]
    return rid in case["sent"] and bool(placed)


def _names_service(n: int):
    def check(ctx: Context) -> None:
        case = _cases(ctx)[n]
        if _answer(case).get("service") != case["service"]:
            named = _answer(case).get("service")
            raise CheckFailed(f"the cause was in {case['service']}; your diagnosis named {named!r}")
    return check


def _names_kind(n: int):
    def check(ctx: Context) -> None:
        case = _cases(ctx)[n]
        if _answer(case).get("fault") != case["kind"]:
            said = _answer(case).get("fault")
            raise CheckFailed(f"{case['service']} had {case['kind']!r}; your diagnosis said {said!r}")
    return check


def _cites(n: int):
    def check(ctx: Context) -> None:
        case = _cases(ctx)[n]
        rid = _answer(case).get("evidence")
        if not _shows(case, rid):
            raise CheckFailed(f"request id {rid!r} is not a request that shows {case['kind']!r} in the logs"
                              + (" (an order placed during the incident)" if case["kind"] == "consumer" else ""))
    return check


def _incident(n: int, what: str) -> tuple[Check, ...]:
    service = f"incident {n + 1} ({what}): names the service"
    return (Check(service, 0.5, _names_service(n)),
            Check(f"incident {n + 1}: names the kind of fault", 0.25, _names_kind(n), needs=(service,)),
            Check(f"incident {n + 1}: cites a request id that shows it", 0.75, _cites(n), needs=(service,)))


CHECKS = (*_incident(0, "slow or failing"), *_incident(1, "a stopped consumer"))
