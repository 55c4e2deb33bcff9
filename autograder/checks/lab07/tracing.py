"""Exercise 2 of 07, trace(request_id, snapshot): orders placed through the grader's gateway
with request ids of its own (one of them read back with the same id, another order beside
it with another id); the student's function runs on the grader's snapshot and is compared
with the steps the grader finds in that snapshot itself."""
from __future__ import annotations

import uuid
from collections import Counter
from datetime import datetime

import httpx
from microlab import consistency, incident
from microlab.requestlog import parse
from microlab_grading.exercise import Check, CheckFailed, Context

from .common import new_user, on_snapshot, uses_the_lab_tracer

TOPICS = incident.SAGA_TOPICS
SLACK_S = 0.005  # log lines and event timestamps are written to the millisecond
# order-service waits this long (drawn per student) before it calls anyone, for the traced order
# only: at the lab's speed a service calls the next within the slack above, and a trace sorted
# by end time instead of start time passed. With the wait, a caller starts clearly first.
HOLD_MS = (40, 90)


def expected_steps(request_id: str, snapshot: dict) -> list[tuple[float, str]]:
    """The grader's own reading of the snapshot: (start, step), oldest first."""
    steps = [(r.start.timestamp(), f"{service} {r.method} {r.path} {r.status}")
             for service, text in snapshot["logs"].items() for r in parse(text) if r.request_id == request_id]
    every = [e for rows in snapshot["events"].values() for e in rows if isinstance(e["value"], dict)]
    orders = {e["value"].get("order_id") for e in every if e["value"].get("request_id") == request_id}
    steps += [(datetime.fromisoformat(e["timestamp"]).timestamp(), f"{e['topic']} {e['value'].get('event_type')}")
              for e in every if e["value"].get("order_id") in orders]
    return sorted(steps)


def _place(ctx: Context, client: httpx.Client, user_id: int, rid: str) -> int:
    sku = ctx.rng.choice(["SKU-BOOK", "SKU-MUG", "SKU-SHIRT", "SKU-STICKER"])
    response = client.post(f"{ctx.lab.url('gateway')}/api/v1/orders", headers={"X-Request-ID": rid},
                           json={"user_id": user_id, "items": [{"sku": sku, "quantity": ctx.rng.randint(1, 3)}]})
    response.raise_for_status()
    return response.json()["id"]


def _traced(ctx: Context):
    if "traced" not in ctx.cache:
        if uses_the_lab_tracer(ctx.code(provided=False)):
            raise CheckFailed("your trace uses microlab's own tracer (lab.trace, microlab.trace): write it yourself")
        user = new_user(ctx)["id"]
        rid, other = f"grader-trace-{uuid.uuid4().hex[:10]}", f"grader-other-{uuid.uuid4().hex[:10]}"
        with httpx.Client(timeout=15) as client:
            with ctx.faulted("order-service", latency_ms=ctx.rng.randint(*HOLD_MS)):
                mine = _place(ctx, client, user, rid)
            beside = _place(ctx, client, user, other)
            for order_id in (mine, beside):
                consistency.wait_for_status(ctx.lab, order_id)
            client.get(f"{ctx.lab.url('gateway')}/api/v1/orders/{mine}", headers={"X-Request-ID": rid})
        snapshot = incident.snapshot(ctx.lab)
        got = on_snapshot(ctx, f"trace({rid!r}, _snapshot)", snapshot)
        if not isinstance(got, list) or not all(isinstance(s, str) for s in got):
            raise CheckFailed(f"trace should return a list of str; got {str(got)[:120]}")
        ctx.cache["traced"] = expected_steps(rid, snapshot), got
    return ctx.cache["traced"]


def _is_event(step: str) -> bool:
    return step.split(" ", 1)[0] in TOPICS


def _same(kind: str, events: bool):
    def check(ctx: Context) -> None:
        want, got = _traced(ctx)
        want = Counter(s for _, s in want if _is_event(s) == events)
        have = Counter(s for s in got if _is_event(s) == events)
        if want != have:
            missing, extra = list((want - have).elements()), list((have - want).elements())
            raise CheckFailed(f"{kind}: missing {missing[:4]}" + (f", not expected {extra[:4]}" if extra else ""))
    return check


def in_time_order(ctx: Context) -> None:
    want, got = _traced(ctx)
    unused = list(want)
    last = float("-inf")
    for step in got:
        at, found = next((t, s) for t, s in unused if s == step)
        unused.remove((at, found))
        if at < last - SLACK_S:
            raise CheckFailed(f"{step!r} happened before the step listed ahead of it: sort by start time "
                              "(requests: the log's time minus the duration; events: their timestamp)")
        last = max(last, at)


HTTP, EVENTS = "every request with the id, in every service", "the events of the order it created"
CHECKS = (
    Check(HTTP, 1.25, _same("requests", events=False)),
    Check(EVENTS, 1.0, _same("events", events=True)),
    Check("in time order", 0.75, in_time_order, needs=(HTTP, EVENTS)),
)
