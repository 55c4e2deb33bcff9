"""Exercise 1 of 04, publish_order_created: called in a fresh interpreter with orders of the
grader's own lab (placed and settled first, so their own events are out of the way); then the
grader reads what each call added to its broker, and inventory-service's own database for
the events it processed."""
from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import create_engine, text

from labs.common.events import dedup_key
from microlab.broker import reading
from microlab.lessons import messaging as shop
from microlab_grading.exercise import Check, CheckFailed, Context

from .common import cached, caught_up, run

TOPIC, CONSUMER = "orders", "inventory-service"
CALLS = '''
for order in json.loads({orders!r}):
    publish_order_created(order)
result = True
'''


def _published(ctx: Context) -> dict:
    lab = ctx.lab
    user = shop.new_customer(lab, "Grader")
    orders = [shop.place_order(lab, user_id=user, quantity=ctx.rng.randint(1, 3))
              for _ in range(ctx.rng.randint(2, 3))]
    shop.wait_final(lab, [o["id"] for o in orders], timeout=30)
    if not caught_up(ctx, CONSUMER, TOPIC):
        raise RuntimeError("the grader's inventory-service did not catch up with its own orders")
    before = reading.positions(lab.kafka_bootstrap)
    run(ctx, "import json\n" + CALLS.format(orders=json.dumps(orders)))
    added = [r for r in reading.records_after(lab.kafka_bootstrap, before) if r["topic"] != "events.rejected"]
    caught_up(ctx, CONSUMER, TOPIC, timeout=15)
    with create_engine(lab.database_url(CONSUMER)).connect() as db:
        processed = dict(db.execute(text("SELECT key, outcome FROM processed_events")).all())
    return {"orders": orders, "added": added, "processed": processed}


def _seen(ctx: Context) -> dict:
    return cached(ctx, "published", _published)


def _on_topic(ctx: Context) -> list[dict]:
    return [r for r in _seen(ctx)["added"] if r["topic"] == TOPIC]


def _by_order(ctx: Context) -> dict[int, dict]:
    """Each of the grader's orders -> the one record about it (wherever it landed)."""
    seen = _seen(ctx)
    found = {}
    for order in seen["orders"]:
        mine = [r for r in seen["added"] if isinstance(r["value"], dict) and r["value"].get("order_id") == order["id"]]
        if len(mine) != 1:
            raise CheckFailed(f"order {order['id']}: {len(mine)} records carry its order_id, expected 1")
        found[order["id"]] = mine[0]
    return found


def one_record_per_call(ctx: Context) -> None:
    seen, on_topic = _seen(ctx), _on_topic(ctx)
    elsewhere = sorted({r["topic"] for r in seen["added"] if r["topic"] != TOPIC})
    if len(on_topic) != len(seen["orders"]) or elsewhere:
        raise CheckFailed(f"{len(seen['orders'])} calls added {len(on_topic)} records on {TOPIC!r}"
                          + (f" and records on {elsewhere}" if elsewhere else ""))


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def fields_and_types(ctx: Context) -> None:
    orders = {o["id"]: o for o in _seen(ctx)["orders"]}
    for oid, record in _by_order(ctx).items():
        event, order = record["value"], orders[oid]
        problems = [f"{name}={event.get(name)!r}" for name, ok in (
            ("event_type", event.get("event_type") == "order.created"),
            ("order_id", type(event.get("order_id")) is int),
            ("user_id", type(event.get("user_id")) is int and event.get("user_id") == order["user_id"]),
            ("total", _is_number(event.get("total")) and abs(event["total"] - order["total"]) < 0.005),
            ("timestamp", _timestamp(event.get("timestamp")) is not None)) if not ok]
        if problems:
            raise CheckFailed(f"order {oid} (user {order['user_id']}, total {order['total']}): " + ", ".join(problems))


def _timestamp(value) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def timezone_aware(ctx: Context) -> None:
    for oid, record in _by_order(ctx).items():
        stamp = _timestamp(record["value"].get("timestamp"))
        if stamp is None or stamp.utcoffset() is None:
            raise CheckFailed(f"order {oid}: timestamp {record['value'].get('timestamp')!r} has no timezone")


def unique_event_id(ctx: Context) -> None:
    ids = [r["value"].get("event_id") for r in _by_order(ctx).values()]
    if not all(isinstance(i, str) and i for i in ids) or len(set(ids)) != len(ids):
        raise CheckFailed(f"event ids {ids}: each event needs its own (a new one per call)")


def keyed_by_order(ctx: Context) -> None:
    for oid, record in _by_order(ctx).items():
        if record["key"] != str(oid):
            raise CheckFailed(f"order {oid}'s record has key {record['key']!r}, expected {str(oid)!r}")


def accepted_by_inventory(ctx: Context) -> None:
    on_topic, processed = _on_topic(ctx), _seen(ctx)["processed"]
    if not on_topic:
        raise CheckFailed(f"nothing reached {TOPIC!r}, so inventory-service had nothing to process")
    for record in on_topic:
        event = record["value"]
        key = dedup_key(event) if isinstance(event, dict) and event.get("event_type") else None
        if key is None or processed.get(key) != "done":
            raise CheckFailed(f"inventory-service did not process the record at offset {record['offset']} "
                              f"({'rejected it' if processed.get(key) == 'rejected' else 'no trace in its database'})")


CHECKS = (
    Check("one record per call, on 'orders'", 1.5, one_record_per_call),
    Check("the course text's fields, with their types", 1.0, fields_and_types),
    Check("a timezone-aware timestamp", 0.5, timezone_aware),
    Check("a new event_id per event", 0.5, unique_event_id),
    Check("keyed by the order id", 0.5, keyed_by_order),
    Check("processed by inventory-service", 1.0, accepted_by_inventory),
)
