"""The shop's event flow on the real broker: outbox -> order.created -> inventory -> payment ->
order status, bad events, the course text's producer snippet, and Kafka being down."""
from __future__ import annotations

import json
import os
import signal
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

import pytest
import requests
from kafka import KafkaProducer
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from microlab import Lab
from labkit import owned_pids
from microlab.local.processes import alive


FINAL = {"paid", "payment_failed", "rejected"}


@pytest.fixture(scope="module")
def shop():
    lab = Lab(backend="local", name=f"flow-{uuid.uuid4().hex[:6]}", quiet=True)
    lab.up("services")
    yield lab
    pids = list(owned_pids(lab).values())
    lab.down()
    assert not [p for p in pids if alive(p)], "down left processes behind"


def new_user(lab) -> int:
    body = {"name": "Ada", "email": f"ada-{uuid.uuid4().hex[:8]}@example.org"}
    return requests.post(f"{lab.url('user-service')}/users", json=body, timeout=10).json()["id"]


def place(lab, user_id: int, sku: str = "SKU-STICKER", quantity: int = 1) -> int:
    r = requests.post(f"{lab.url('order-service')}/orders",
                      json={"user_id": user_id, "items": [{"sku": sku, "quantity": quantity}]}, timeout=10)
    assert r.status_code == 201, r.text
    return r.json()["id"]


def wait_status(lab, order_ids, statuses=FINAL, timeout: float = 60.0) -> dict[int, str]:
    deadline, seen = time.monotonic() + timeout, {}
    pending = set(order_ids)
    while pending and time.monotonic() < deadline:
        for oid in list(pending):
            seen[oid] = requests.get(f"{lab.url('order-service')}/orders/{oid}", timeout=10).json()["status"]
            if seen[oid] in statuses:
                pending.discard(oid)
        time.sleep(0.1 if pending else 0)
    assert not pending, f"{len(pending)} orders never reached {statuses}: {[seen[o] for o in list(pending)[:5]]}"
    return seen


def stock(lab, sku: str) -> int:
    return requests.get(f"{lab.url('inventory-service')}/inventory/{sku}", timeout=10).json()["stock"]


def test_an_order_goes_through_the_saga_to_paid(shop):
    before = stock(shop, "SKU-MUG")
    oid = place(shop, new_user(shop), "SKU-MUG", 2)
    assert wait_status(shop, [oid]) == {oid: "paid"}
    assert stock(shop, "SKU-MUG") == before - 2
    created = [e for e in shop.events("orders", limit=200) if e["key"] == str(oid)]
    assert len(created) == 1
    event = created[0]["value"]
    assert set(event) == {"event_type", "order_id", "user_id", "total", "timestamp", "event_id", "request_id"}
    assert event["event_type"] == "order.created" and event["total"] == 25.0
    datetime.fromisoformat(event["timestamp"])
    kinds = [e["value"]["event_type"] for t in ("inventory", "payments")
             for e in shop.events(t, limit=200) if e["key"] == str(oid)]
    assert kinds == ["inventory.reserved", "payment.completed"]


def test_out_of_stock_and_card_limit_end_the_saga_early(shop):
    user = new_user(shop)
    too_many = place(shop, user, "SKU-LAPTOP", 6)  # 5 in stock
    too_dear = place(shop, user, "SKU-LAPTOP", 2)  # 2998.00 > the 2000.00 card limit
    assert wait_status(shop, [too_many, too_dear]) == {too_many: "rejected", too_dear: "payment_failed"}


def test_bad_events_are_rejected_with_reasons_and_the_consumer_moves_on(shop):
    producer = KafkaProducer(bootstrap_servers=shop.kafka_bootstrap)
    bad = [producer.send("orders", raw).get(timeout=30) for raw in (
        b"{not json", json.dumps({"event_type": "order.created"}).encode(),
        json.dumps({"event_type": "order.created", "order_id": 987654}).encode(),
        json.dumps({"event_type": "order.created", "order_id": "abc"}).encode())]
    producer.close()
    oid = place(shop, new_user(shop))  # queued behind the bad ones on some partition
    assert wait_status(shop, [oid]) == {oid: "paid"}
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        rows = {(e["partition"], e["offset"]): e["rejected"] for e in shop.events("orders", limit=500)}
        if all(rows.get((m.partition, m.offset)) for m in bad):
            break
        time.sleep(0.2)
    reasons = [" ".join(rows[(m.partition, m.offset)]) for m in bad]
    assert "malformed JSON" in reasons[0]
    assert "missing field 'order_id'" in reasons[1]
    assert "unknown order id 987654" in reasons[2]
    assert "must be a positive integer" in reasons[3]
    assert all(r.startswith("inventory-service: ") for r in reasons)
    assert "rejected orders-" in shop.logs("inventory-service", tail=400)


def test_the_course_text_snippet_produces_an_event_inventory_acts_on(shop):
    user = new_user(shop)
    order_id = _order_without_event(shop, user, "SKU-SHIRT", 3, 5997)
    before = stock(shop, "SKU-SHIRT")
    lab = shop

    # --- the course text, unchanged except bootstrap_servers ---
    import json  # noqa: F811
    from kafka import KafkaProducer

    producer = KafkaProducer(
        bootstrap_servers=[lab.kafka_bootstrap],
        value_serializer=lambda v: json.dumps(v).encode('utf-8')
    )

    def publish_order_created(order):
        """Publish order created event for other services."""
        event = {
            'event_type': 'order.created',
            'order_id': order['id'],
            'user_id': order['user_id'],
            'total': order['total'],
            'timestamp': datetime.utcnow().isoformat()
        }
        producer.send('orders', event)
        producer.flush()
    # --- end of the course text ---

    publish_order_created({"id": order_id, "user_id": user, "total": 59.97})
    producer.close()
    assert wait_status(shop, [order_id]) == {order_id: "paid"}
    assert stock(shop, "SKU-SHIRT") == before - 3


def _order_without_event(lab, user_id: int, sku: str, quantity: int, total_cents: int) -> int:
    """An order row written straight into order-service's database, with no outbox row, so
    the only order.created for it is the one the test publishes."""
    from labs.order_service.models import Order, OrderItem

    engine = create_engine(lab.database_url("order-service"))
    with Session(engine) as session:
        order = Order(user_id=user_id, total_cents=total_cents, status="pending",
                      items=[OrderItem(sku=sku, quantity=quantity, unit_price_cents=total_cents // quantity)])
        session.add(order)
        session.commit()
        oid = order.id
    engine.dispose()
    return oid


def _kill(lab, name: str) -> None:
    pid = owned_pids(lab)[name]
    os.killpg(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)


@pytest.mark.slow
def test_orders_placed_while_kafka_is_down_all_arrive_once_it_is_back(local_lab):
    local_lab.up("services")
    user = new_user(local_lab)
    _kill(local_lab, "kafka")
    orders = [place(local_lab, user) for _ in range(20)]  # the outbox takes them: 201s
    time.sleep(1)
    assert set(wait_status(local_lab, orders, {"pending"}, timeout=5).values()) == {"pending"}
    local_lab.up("services")  # restarts the broker, same port and data
    assert set(wait_status(local_lab, orders).values()) == {"paid"}
    created = [e["value"]["order_id"] for e in local_lab.events("orders", limit=1000)]
    assert sorted(set(created)) == sorted(orders)


def _count(lab, service: str, sql: str, **params) -> int:
    from sqlalchemy import text

    engine = create_engine(lab.database_url(service))
    with engine.connect() as conn:
        value = conn.execute(text(sql), params).scalar_one()
    engine.dispose()
    return value


@pytest.mark.slow
def test_inventory_killed_mid_stream_of_1000_orders_reserves_each_exactly_once(local_lab):
    local_lab.up("services")
    user, start_stock = new_user(local_lab), stock(local_lab, "SKU-STICKER")
    assert start_stock >= 1000
    _kill(local_lab, "kafka")  # orders pile up in the outbox: a burst of 1,000 events later
    with ThreadPoolExecutor(4) as pool:  # a few clients at once, as a shop would see them
        orders = list(pool.map(lambda _: place(local_lab, user), range(1000)))
    local_lab.up("services")  # Kafka back: the relay publishes, inventory consumes the burst

    deadline = time.monotonic() + 120
    while (left := stock(local_lab, "SKU-STICKER")) > start_stock - 100:
        assert time.monotonic() < deadline, "inventory-service reserved nothing"
        time.sleep(0.02)
    _kill(local_lab, "inventory-service")  # mid-stream: some reserved, the rest not yet
    assert left > start_stock - 1000, "the stream was over before the kill; the test proved nothing"
    restarted = datetime.utcnow()
    local_lab.up("services")

    statuses = wait_status(local_lab, orders, timeout=180)
    assert set(statuses.values()) == {"paid"}
    assert stock(local_lab, "SKU-STICKER") == start_stock - 1000  # each order reserved once
    assert _count(local_lab, "inventory-service", "SELECT COUNT(*) FROM reservations") == 1000
    assert _count(local_lab, "inventory-service",
                  "SELECT COUNT(*) FROM processed_events WHERE processed_at > :t", t=restarted) > 0
    reserved: dict[int, set[str]] = {}
    for e in local_lab.events("inventory", limit=5000):
        if e["value"]["event_type"] == "inventory.reserved":
            reserved.setdefault(e["value"]["order_id"], set()).add(e["value"]["event_id"])
    assert sorted(reserved) == sorted(orders)
    assert all(len(ids) == 1 for ids in reserved.values())  # a re-delivery made no second reservation
    payments = requests.get(f"{local_lab.url('payment-service')}/payments", timeout=30).json()
    assert sorted(p["order_id"] for p in payments) == sorted(orders)
