"""Exercise 1 of 05, the missing compensation: the student's COMPENSATOR deployed with
lab.deploy into the grader's lab as a consumer of `payments`. The grader places orders over
the card limit and one that pays, and judges from inventory-service's own database (stock
back, reservation released) and its request log (released through its API: a compensator
that writes into a database it does not own earns nothing). Then it replays a payment.failed
(stock restored once), stops the compensator while an order fails and starts it again, and
produces failures of its own: for an order inventory never reserved, and for another reason."""
from __future__ import annotations

import json
import time
import uuid
from datetime import datetime, timezone

import httpx
from kafka import KafkaProducer
from microlab_grading.exercise import Check, CheckFailed, Context, NotAnswered

from .common import (over_limit_items, place, run, reservation_status, settled, shop, sql, stock)

NAME, TOPIC = "compensator", "payments"
THROUGH_API = "each failed order released through inventory-service's API"
REASONS = ("card declined by the issuer", "insufficient funds", "fraud check failed", "3-D Secure not completed")


def _deployed(ctx: Context) -> str:
    if "group" not in ctx.cache:
        code = run(ctx, "result = globals().get('COMPENSATOR')")  # the answer cell, run with the lab's URLs
        if not isinstance(code, str) or "def handle" not in code:
            raise NotAnswered("COMPENSATOR must be the source of your consumer (a string defining handle(event))")
        shop(ctx)
        group = f"compensator-{ctx.rng.randint(1000, 9999)}"
        try:
            ctx.lab.deploy(NAME, code, topic=TOPIC, group=group)
        except Exception as exc:  # the student's code did not start: their log says why
            raise CheckFailed(f"your compensator did not start: {str(exc)[-300:]}") from None
        ctx.cache["group"] = group
    return ctx.cache["group"]


def _caught_up(ctx: Context, timeout: float = 40) -> None:
    """The compensator's group has consumed every payments event (its handle returned or gave up)."""
    group, deadline = _deployed(ctx), time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ctx.lab.lag(group, TOPIC).total == 0:
            time.sleep(0.5)  # its DELETE reached inventory-service before the commit; its log line follows
            return
        time.sleep(0.3)
    raise CheckFailed(f"your compensator did not consume the payments events within {timeout:.0f} s")


def _produce(ctx: Context, order_id: int, event: dict | None = None, **fields) -> None:
    """A payment.failed of the grader's own on `payments` (or `event` itself, replayed)."""
    event = event or {"event_type": "payment.failed", "event_id": uuid.uuid4().hex, "order_id": order_id, **fields,
                      "timestamp": datetime.now(timezone.utc).replace(tzinfo=None).isoformat()}
    producer = KafkaProducer(bootstrap_servers=ctx.lab.kafka_bootstrap)
    try:
        producer.send(TOPIC, json.dumps(event).encode(), key=str(order_id).encode())
        producer.flush(timeout=10)
    finally:
        producer.close(timeout=2)


def _saga(ctx: Context) -> dict:
    """Orders over the limit and one that pays, with the stock before them."""
    if "saga" not in ctx.cache:
        _deployed(ctx)
        # a new group starts at the earliest offset: failures from the grader's other exercises
        # are compensated now, not into the stock compared below (it once came back 197 high)
        _caught_up(ctx)
        before = stock(ctx)
        failed = [place(ctx, over_limit_items(ctx)) for _ in range(ctx.rng.randint(2, 3))]
        # the paid order's product is never in an order over the limit: its stock stays taken
        paid = place(ctx, [{"sku": "SKU-STICKER", "quantity": ctx.rng.randint(1, 9)}])
        status = settled(ctx, [*failed, paid])
        if {status[i] for i in failed} != {"payment_failed"} or status[paid] != "paid":
            raise RuntimeError(f"the grader's orders did not end as planned: {status}")
        _caught_up(ctx)
        ctx.cache["saga"] = {"failed": failed, "paid": paid, "before": before}
    return ctx.cache["saga"]


def _lines(ctx: Context, order_id: int) -> list[str]:
    return [line for line in ctx.lab.logs("inventory-service", tail=5000).splitlines()
            if f" DELETE /reservations/{order_id} -> " in line]


def _released_through_api(ctx: Context, order_id: int, situation: str) -> None:
    if not _lines(ctx, order_id):
        raise CheckFailed(f"{situation}: inventory-service never answered DELETE /reservations/{order_id}: "
                          "release the reservation through its API")


def _restored(ctx: Context, order_id: int, before: dict, situation: str) -> None:
    status, now = reservation_status(ctx, order_id), stock(ctx)
    if status != "released":
        raise CheckFailed(f"{situation}: order {order_id}'s reservation is {status!r} in inventory-service's "
                          "database, expected 'released'")
    lines = sql(ctx, "inventory-service", "SELECT sku FROM reservation_lines WHERE order_id = :o", o=order_id)
    off = {sku: (before[sku], now[sku]) for (sku,) in lines if now[sku] != before[sku]}
    if off:
        raise CheckFailed(f"{situation}: stock (before, now) {off}: expected it back as it was")


def through_api(ctx: Context) -> None:
    for order_id in _saga(ctx)["failed"]:
        _released_through_api(ctx, order_id, f"order {order_id} failed to pay")


def stock_restored(ctx: Context) -> None:
    saga = _saga(ctx)
    for order_id in saga["failed"]:
        _restored(ctx, order_id, saga["before"], f"order {order_id} failed to pay")


def paid_keeps(ctx: Context) -> None:
    paid = _saga(ctx)["paid"]
    if reservation_status(ctx, paid) != "reserved":
        raise CheckFailed(f"order {paid} was paid, yet its reservation is {reservation_status(ctx, paid)!r}: "
                          "only a payment.failed is compensated")


def replay(ctx: Context) -> None:
    saga = _saga(ctx)
    order_id = ctx.rng.choice(saga["failed"])
    sent = [r["value"] for r in ctx.lab.events(TOPIC, limit=500) if isinstance(r.get("value"), dict)
            and r["value"].get("order_id") == order_id and r["value"].get("event_type") == "payment.failed"]
    if not sent:
        raise RuntimeError(f"payment-service's payment.failed for order {order_id} is not on {TOPIC}")
    before = stock(ctx)
    _produce(ctx, order_id, sent[-1])  # the very same event, event_id included: delivered twice
    _caught_up(ctx)
    after = stock(ctx)
    changed = {sku: (before[sku], after[sku]) for sku in before if before[sku] != after[sku]}
    if changed or reservation_status(ctx, order_id) != "released":
        raise CheckFailed(f"the same payment.failed for order {order_id} again changed stock (before, after) "
                          f"{changed}: restore it once")


def after_restart(ctx: Context) -> None:
    _saga(ctx)
    ctx.lab.stop(NAME)
    try:
        before = stock(ctx)
        order_id = place(ctx, over_limit_items(ctx))
        settled(ctx, [order_id])
    finally:
        ctx.lab.up("services")  # the compensator comes back with the lab
    _caught_up(ctx)
    _released_through_api(ctx, order_id, f"order {order_id} failed while the compensator was stopped")
    _restored(ctx, order_id, before, f"order {order_id} failed while the compensator was stopped")


def unknown_order(ctx: Context) -> None:
    _saga(ctx)
    order_id = 10**7 + ctx.rng.randint(0, 10**6)
    mark = len(ctx.lab.logs(NAME, tail=5000).splitlines())
    _produce(ctx, order_id, reason="card limit exceeded")
    _caught_up(ctx)
    lines = ctx.lab.logs(NAME, tail=5000).splitlines()[mark:]
    failed = [line for line in lines if "handle() raised" in line]
    if failed:
        raise CheckFailed(f"a payment.failed for order {order_id}, which inventory never reserved (404), made your "
                          f"handle fail: {failed[0][-160:]}; there is nothing to give back, so just return")


def other_reason(ctx: Context) -> None:
    _saga(ctx)
    order_id = 2 * 10**7 + ctx.rng.randint(0, 10**6)
    line = over_limit_items(ctx)[0]
    before = stock(ctx)
    httpx.post(f"{ctx.lab.url('inventory-service')}/reservations", timeout=10,
               json={"order_id": order_id, "items": [line]}).raise_for_status()
    reason = ctx.rng.choice(REASONS)
    _produce(ctx, order_id, reason=reason)
    _caught_up(ctx)
    _released_through_api(ctx, order_id, f"a payment.failed ({reason!r})")
    _restored(ctx, order_id, before, f"a payment.failed ({reason!r})")


CHECKS = (
    Check(THROUGH_API, 1.5, through_api),
    Check("stock restored and reservation released in inventory-service's database", 1.5, stock_restored,
          needs=(THROUGH_API,)),
    Check("a paid order keeps its reservation", 0.75, paid_keeps, needs=(THROUGH_API,)),
    Check("a replayed payment.failed restores stock once", 0.75, replay, needs=(THROUGH_API,)),
    Check("failures while it was stopped are compensated after a restart", 0.5, after_restart, needs=(THROUGH_API,)),
    Check("a failure for an order never reserved is skipped", 0.5, unknown_order, needs=(THROUGH_API,)),
    Check("a failure for another reason is compensated too", 0.5, other_reason, needs=(THROUGH_API,)),
)
