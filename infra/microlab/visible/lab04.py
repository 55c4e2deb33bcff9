"""Visible checks of 04-async-messaging: a few public behaviours, against your own lab.
The grader runs many more in a lab of its own, with its own orders, topics and histories."""
from __future__ import annotations

import time
from datetime import datetime

from sqlalchemy import create_engine, inspect, text

from microlab.broker import reading
from microlab.lessons import messaging as demo
from microlab.selfcheck import NotAnswered, check


def _published_once(publish_order_created, lab) -> list:
    order = demo.place_order(lab)
    demo.wait_final(lab, [order["id"]], timeout=20)
    before = reading.positions(lab.kafka_bootstrap)
    publish_order_created(order)
    new = [r for r in reading.records_after(lab.kafka_bootstrap, before) if r["topic"] != "events.rejected"]
    if not new:
        raise NotAnswered("publish_order_created(order) put nothing on the broker: complete it")
    return order, new


def _one_record(publish_order_created, lab, cache: dict) -> None:
    cache["order"], cache["records"] = _published_once(publish_order_created, lab)
    where = [(r["topic"], r["key"]) for r in cache["records"]]
    if len(where) != 1 or where[0][0] != "orders":
        raise AssertionError(f"one call should add one record on 'orders'; it added {where}")


def _fields(cache: dict) -> None:
    order, value = cache["order"], cache["records"][0]["value"]
    expected = dict(event_type="order.created", order_id=order["id"], user_id=order["user_id"], total=order["total"])
    wrong = {k: value.get(k) if isinstance(value, dict) else None for k, v in expected.items()
             if not isinstance(value, dict) or value.get(k) != v}
    if wrong:
        raise AssertionError(f"expected {expected}; these differ: {wrong}")
    if datetime.fromisoformat(value["timestamp"]).tzinfo is None:
        raise AssertionError(f"timestamp {value['timestamp']!r} has no timezone")
    if not value.get("event_id"):
        raise AssertionError("the event has no event_id")
    if cache["records"][0]["key"] != str(order["id"]):
        raise AssertionError(f"key {cache['records'][0]['key']!r}, expected the order id {order['id']}")


def publishes(publish_order_created, lab) -> bool:
    cache: dict = {}
    return check("lab04_publish", ("one record on 'orders' per call", lambda: _one_record(publish_order_created, lab, cache)),
                 ("fields, timezone, event_id and key", lambda: _fields(cache)))


def _counted(lab, name: str) -> None:
    if name not in {row.name for row in lab.status()}:
        raise NotAnswered(f"{name} is not deployed: run the cell with lab.deploy(...) above")
    user = demo.new_customer(lab)
    orders = [demo.place_order(lab, user_id=user) for _ in range(2)]
    deadline = time.monotonic() + 20
    while lab.lag(name, "orders").total and time.monotonic() < deadline:
        time.sleep(0.25)
    with create_engine(lab.database_url(name)).connect() as db:
        if not inspect(db).has_table("orders_per_user"):
            raise NotAnswered("the consumer has not created its table orders_per_user yet")
        row = db.execute(text("SELECT orders, total FROM orders_per_user WHERE user_id = :u"), {"u": user}).first()
    expected = (2, round(sum(o["total"] for o in orders), 2))
    got = None if row is None else (row[0], round(row[1], 2))
    if got != expected:
        raise AssertionError(f"user {user} placed 2 orders: expected (orders, total) {expected}, the table has {got}")


def read_model(lab, name: str) -> bool:
    return check("lab04_read_model", ("a new user's two orders are counted", lambda: _counted(lab, name)))


def _in_order(tracker_cls) -> None:
    tracker = tracker_cls()
    history = [("order.created", {}), ("inventory.reserved", {}), ("payment.completed", {"amount": 12.5})]
    for i, (kind, extra) in enumerate(history):
        tracker.handle({"event_type": kind, "event_id": f"e{i}", "order_id": 7, **extra})
    if tracker.status(7) is None:
        raise NotAnswered("status() returns None: complete OrderTracker")
    if (tracker.status(7), tracker.revenue()) != ("paid", 12.5):
        raise AssertionError(f"after created, reserved, completed: status {tracker.status(7)!r}, "
                             f"revenue {tracker.revenue()!r}; expected 'paid', 12.5")
    tracker.handle({"event_type": "payment.completed", "event_id": "e2", "order_id": 7, "amount": 12.5})
    if tracker.revenue() != 12.5:
        raise AssertionError(f"the same event again changed revenue to {tracker.revenue()!r}")
    if tracker.status(8) != "unknown":
        raise AssertionError(f"an order without events: {tracker.status(8)!r}, expected 'unknown'")


def tracker(tracker_cls) -> bool:
    return check("lab04_tracker", ("one order's events in order, then a duplicate", lambda: _in_order(tracker_cls)))


def _answered(answers) -> None:
    if not isinstance(answers, dict) or any(v not in ("sync", "async") for v in answers.values()):
        raise NotAnswered('answer every step with "sync" or "async"')
    missing = {"user", "email", "stock_page", "search_index"} - set(answers)
    if missing:
        raise AssertionError(f"missing steps: {sorted(missing)}")


def quiz(answers) -> bool:
    return check("lab04_quiz", ("every step answered (the grader checks which)", lambda: _answered(answers)))
