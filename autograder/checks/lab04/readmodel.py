"""Exercise 2 of 04, the orders-per-user read model: the student's file deployed as a consumer
in the grader's own lab, on a topic and group of the grader's, fed events the grader writes
(other types among them, and a redelivery), restarted between two batches; judged from the
consumer's own database and the group's committed offsets on the broker."""
from __future__ import annotations

import uuid

from sqlalchemy import create_engine, inspect, text

from microlab import LabError
from microlab.lessons import messaging as shop
from microlab_grading.exercise import Check, CheckFailed, Context

from .common import cached, caught_up

NAME, TABLE = "orders-per-user", "orders_per_user"


def _created(ctx: Context, user: int) -> dict:
    return {"event_type": "order.created", "event_id": uuid.uuid4().hex, "order_id": ctx.rng.randint(1, 10**6),
            "user_id": user, "total": round(ctx.rng.uniform(5, 250), 2), "timestamp": "2026-12-02T10:00:00+00:00"}


def _noise(ctx: Context, user: int) -> list[dict]:
    """Events about the same user that are not orders being created (they carry user_id and total)."""
    return [dict(_created(ctx, user), event_type=kind, event_id=uuid.uuid4().hex)
            for kind in ("inventory.reserved", "payment.completed")]


def _table(ctx: Context) -> dict[int, tuple[int, float]]:
    with create_engine(ctx.lab.database_url(NAME)).connect() as db:
        if not inspect(db).has_table(TABLE):
            raise CheckFailed(f"the consumer's database has no table {TABLE}")
        return {int(u): (int(n), float(t)) for u, n, t in db.execute(text(f"SELECT user_id, orders, total FROM {TABLE}"))}


def _feed(ctx: Context, topic: str, group: str, events: list[dict]) -> None:
    for event in events:
        shop.produce(ctx.lab, topic, event, key=str(event["order_id"]))
    if not caught_up(ctx, group, topic, timeout=40):
        raise CheckFailed(f"your consumer did not consume all {len(events)} events within 40 s "
                          f"(its log: {ctx.lab.logs(NAME, tail=3)[-300:]!r})")


def _graded(ctx: Context) -> dict:
    token = uuid.uuid4().hex[:8]
    topic, group = f"orders-{token}", f"read-model-{token}"
    a, b, c, d = ctx.rng.sample(range(1000, 99999), 4)
    plain = [_created(ctx, a) for _ in range(ctx.rng.randint(2, 4))]
    mixed = [_created(ctx, b) for _ in range(ctx.rng.randint(1, 3))]
    twice = [_created(ctx, c) for _ in range(ctx.rng.randint(2, 3))]
    first = [_created(ctx, d) for _ in range(ctx.rng.randint(1, 2))]
    second = [_created(ctx, d) for _ in range(ctx.rng.randint(1, 3))]
    try:
        ctx.lab.deploy(NAME, ctx.code(provided=False), topic=topic, group=group)
    except LabError as exc:
        raise CheckFailed(f"your consumer did not start: {str(exc)[-400:]}") from None
    _feed(ctx, topic, group, plain + mixed + _noise(ctx, b) + twice + [twice[0]] + first)
    ctx.lab.stop(NAME)
    ctx.lab.up("services")
    _feed(ctx, topic, group, second)
    lag = ctx.lab.lag(group, topic)
    return {"table": _table(ctx), "lag": lag, "users": {"plain": (a, plain), "mixed": (b, mixed),
            "twice": (c, twice), "restarted": (d, first + second)}}


def _row(ctx: Context, which: str) -> tuple[int, tuple[int, float], list[dict]]:
    seen = cached(ctx, "graded", _graded)
    user, events = seen["users"][which]
    return user, seen["table"].get(user, (0, 0.0)), events


def _orders(ctx: Context, which: str, situation: str) -> None:
    user, (count, _), events = _row(ctx, which)
    if count != len(events):
        raise CheckFailed(f"user {user} {situation}: {len(events)} orders, the table says {count}")


def counts_orders(ctx: Context) -> None:
    _orders(ctx, "plain", "placed")


def sums_totals(ctx: Context) -> None:
    user, (_, total), events = _row(ctx, "plain")
    expected = round(sum(e["total"] for e in events), 2)
    if abs(total - expected) > 0.005:
        raise CheckFailed(f"user {user}'s orders total {expected}, the table says {total}")


def ignores_other_events(ctx: Context) -> None:
    _orders(ctx, "mixed", "placed (inventory.reserved and payment.completed about them count nothing)")


def redelivery_counted_once(ctx: Context) -> None:
    _orders(ctx, "twice", "placed (one order.created was delivered twice, same event_id)")


def resumes_after_restart(ctx: Context) -> None:
    _orders(ctx, "restarted", "placed, before and after the consumer restarted")


def consumed_to_the_end(ctx: Context) -> None:
    lag = cached(ctx, "graded", _graded)["lag"]
    behind = [f"partition {r['partition']}: committed {r['committed']}, end {r['end']}" for r in lag if r["lag"]]
    if behind:
        raise CheckFailed("the group's committed offsets do not reach the end: " + "; ".join(behind))


CHECKS = (
    Check("counts a user's orders", 1.0, counts_orders),
    Check("sums a user's totals", 1.0, sums_totals),
    Check("counts only order.created", 1.0, ignores_other_events),
    Check("a redelivered event counts once", 1.0, redelivery_counted_once),
    Check("resumes after a restart, nothing lost or counted twice", 1.0, resumes_after_restart),
    Check("committed to the end of the topic", 1.0, consumed_to_the_end, needs=("counts a user's orders",)),
)
