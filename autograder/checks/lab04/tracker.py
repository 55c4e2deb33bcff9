"""Exercise 3 of 04, OrderTracker: the student's class fed the grader's own histories in fresh
interpreters, one tracker per scenario; compared with the grader's model of the saga: a status
only moves forward, an event id counts once, each paid order's amount counts once."""
from __future__ import annotations

import json
import uuid

from microlab_grading.exercise import Check, CheckFailed, Context

from .common import cached

RANK = {"pending": 0, "reserved": 1, "paid": 2, "payment_failed": 2, "rejected": 2}
STATUS = {"order.created": "pending", "inventory.reserved": "reserved", "inventory.rejected": "rejected",
          "payment.completed": "paid", "payment.failed": "payment_failed"}
FATES = {"paid": ("order.created", "inventory.reserved", "payment.completed"),
         "payment_failed": ("order.created", "inventory.reserved", "payment.failed"),
         "rejected": ("order.created", "inventory.rejected")}
# The locked cell before the answer, as the grader's own source.
PROVIDED = f"STATUS = {STATUS!r}\nRANK = {RANK!r}\n"
REPLAY = '''
def _grader_replay(scenarios):
    out = {}
    for name, (orders, events) in scenarios.items():
        tracker = OrderTracker()
        for event in events:
            tracker.handle(dict(event))
        out[name] = {"status": {str(o): tracker.status(o) for o in orders}, "revenue": tracker.revenue()}
    return out
'''


def _event(kind: str, order: int, amount: float) -> dict:
    event = {"event_type": kind, "event_id": uuid.uuid4().hex, "order_id": order}
    return event | ({"amount": amount} if kind == "payment.completed" else {})


def _history(ctx: Context, fate: str, order: int) -> list[dict]:
    amount = round(ctx.rng.uniform(5, 300), 2)
    return [_event(kind, order, amount) for kind in FATES[fate]]


def expected(orders: list[int], events: list[dict]) -> dict:
    """The grader's own tracker: what the student's must end with."""
    statuses, paid, seen = {}, {}, set()
    for e in events:
        if e["event_id"] in seen:
            continue
        seen.add(e["event_id"])
        new = STATUS[e["event_type"]]
        if e["order_id"] not in statuses or RANK[new] > RANK[statuses[e["order_id"]]]:
            statuses[e["order_id"]] = new
        if new == "paid":
            paid[e["order_id"]] = e["amount"]
    return {"status": {str(o): statuses.get(o, "unknown") for o in orders}, "revenue": round(sum(paid.values()), 2)}


def _scenarios(ctx: Context) -> dict[str, tuple[list[int], list[dict]]]:
    out = {}
    for name in ("in order", "duplicates", "payment first", "late created", "retried payment"):
        orders = ctx.rng.sample(range(1, 10**6), ctx.rng.randint(4, 8))
        # one order is paid in every scenario, so a doubled or retried payment always shows in revenue
        fates = ["paid"] + [ctx.rng.choice(list(FATES)) for _ in orders[1:]]
        histories = [_history(ctx, fate, o) for fate, o in zip(fates, orders)]
        if name == "duplicates":  # each order's outcome again (a payment.completed among them), and one more
            histories = [h + [dict(h[-1]), dict(ctx.rng.choice(h))] for h in histories]
        elif name == "payment first":  # the payment's result before the reservation it followed
            histories = [[h[0], h[2], h[1]] if len(h) == 3 else h for h in histories]
        elif name == "late created":
            histories = [h[1:] + h[:1] for h in histories]
        elif name == "retried payment":  # payment-service sent its result again, as a new event
            histories = [h + [dict(h[-1], event_id=uuid.uuid4().hex)] for h in histories]
        events = [e for h in histories for e in h]
        out[name] = (orders + [ctx.rng.randint(10**6, 2 * 10**6)], events)  # + an order never seen
    return out


def _replayed(ctx: Context) -> dict:
    scenarios = _scenarios(ctx)
    call = f"result = _grader_replay(json.loads({json.dumps(scenarios)!r}))"
    got = ctx.result("import json\n" + REPLAY + call)
    if not isinstance(got, dict):
        raise CheckFailed("the tracker could not be replayed")
    return {"scenarios": scenarios, "got": got}


def _compare(ctx: Context, name: str) -> None:
    seen = cached(ctx, "replayed", _replayed)
    orders, events = seen["scenarios"][name]
    want, got = expected(orders, events), seen["got"].get(name) or {}
    wrong = {o: (s, want["status"][o]) for o, s in (got.get("status") or {}).items() if s != want["status"].get(o)}
    if wrong:
        shown = ", ".join(f"order {o}: {g!r}, expected {w!r}" for o, (g, w) in list(wrong.items())[:3])
        raise CheckFailed(f"{name}: {shown}")
    revenue = got.get("revenue")
    if not isinstance(revenue, (int, float)) or abs(revenue - want["revenue"]) > 0.005:
        raise CheckFailed(f"{name}: revenue() gave {revenue!r}, expected {want['revenue']}")


CHECKS = tuple(Check(title, 1.0, lambda ctx, n=name: _compare(ctx, n)) for title, name in (
    ("events in order", "in order"),
    ("a duplicate changes nothing", "duplicates"),
    ("a payment before its reservation ends paid", "payment first"),
    ("a late order.created does not reset the status", "late created"),
    ("a retried payment counts once in revenue", "retried payment"),
))
