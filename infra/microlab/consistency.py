"""Consistency across services, live (notebook 05): placing orders, the outbox rows in
order-service's own database, a dual-write service that loses its event when Kafka is down,
and how long an order takes to become paid.
"""
from __future__ import annotations

import time
import uuid
from datetime import datetime

from matplotlib.figure import Figure
from sqlalchemy import create_engine, text

from microlab import localhttp

OVER_LIMIT = [{"sku": "SKU-LAPTOP", "quantity": 2}]  # 2998.00: over the card limit (labs/common/cards.py)


def new_user(lab) -> int:
    tag = uuid.uuid4().hex[:8]
    response = localhttp.post(f"{lab.url('user-service')}/users", timeout=10,
                          json={"name": f"Shopper {tag}", "email": f"shopper-{tag}@example.org"})
    response.raise_for_status()
    return response.json()["id"]


def place_order(lab, user_id: int, items: list[dict] | None = None) -> dict:
    items = items or [{"sku": "SKU-MUG", "quantity": 1}]
    response = localhttp.post(f"{lab.url('order-service')}/orders", json={"user_id": user_id, "items": items},
                          timeout=15)
    response.raise_for_status()
    return response.json()


def wait_for_status(lab, order_id: int, wanted=("paid", "payment_failed", "rejected"), timeout: float = 60) -> str:
    """The order's status once it is one of `wanted` (the saga moves it in the background)."""
    deadline, status = time.monotonic() + timeout, "?"
    while time.monotonic() < deadline:
        status = localhttp.get(f"{lab.url('order-service')}/orders/{order_id}", timeout=10).json()["status"]
        if status in wanted:
            return status
        time.sleep(0.2)
    raise TimeoutError(f"order {order_id} is still {status!r} after {timeout:.0f} s")


def reservation(lab, order_id: int) -> dict | None:
    response = localhttp.get(f"{lab.url('inventory-service')}/reservations/{order_id}", timeout=10)
    return None if response.status_code == 404 else response.json()


def stock(lab, sku: str) -> int:
    return localhttp.get(f"{lab.url('inventory-service')}/inventory/{sku}", timeout=10).json()["stock"]


def outbox(lab, order_id: int | None = None) -> list[dict]:
    """order-service's outbox rows (in its own database), newest first; one order's if given."""
    engine = create_engine(lab.database_url("order-service"))
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT id, topic, key, published_at FROM outbox ORDER BY id DESC LIMIT 50"))
            found = [dict(r._mapping) for r in rows]
    finally:
        engine.dispose()
    return [r for r in found if order_id is None or r["key"] == str(order_id)]


def wait_published(lab, order_id: int, timeout: float = 90) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        rows = outbox(lab, order_id)
        if rows and rows[0]["published_at"] is not None:
            return rows[0]
        time.sleep(0.5)
    raise TimeoutError(f"order {order_id}'s outbox row was not published within {timeout:.0f} s")


# What a service without an outbox does: commit, then publish. Deployed with lab.deploy, it
# owns its own database (DATABASE_URL) and publishes to its own topic.
DUAL_WRITE = '''
import json, os
from fastapi import FastAPI
from kafka import KafkaProducer
from sqlalchemy import create_engine, text

app = FastAPI()
engine = create_engine(os.environ["DATABASE_URL"])
with engine.begin() as c:
    c.execute(text("CREATE TABLE IF NOT EXISTS orders (id INTEGER PRIMARY KEY, item TEXT)"))


@app.post("/orders", status_code=201)
def place(item: str):
    with engine.begin() as c:  # write 1: the database
        order_id = c.execute(text("INSERT INTO orders (item) VALUES (:i) RETURNING id"), {"i": item}).scalar()
    try:  # write 2: Kafka; if it fails now, nothing will ever send this event again
        producer = KafkaProducer(bootstrap_servers=os.environ["KAFKA_BOOTSTRAP"], api_version=(2, 8),
                                 max_block_ms=2000, request_timeout_ms=2000)
        producer.send("dual-write-orders", json.dumps(dict(event_type="order.created", order_id=order_id)).encode())
        producer.flush(timeout=3)
        producer.close(timeout=1)
    except Exception as exc:
        print(f"order {order_id} saved, its event lost: {type(exc).__name__}", flush=True)
    return {"id": order_id}
'''


def dual_write_order(lab, item: str) -> int:
    response = localhttp.post(f"{lab.url('dual-write')}/orders", params={"item": item}, timeout=30)
    response.raise_for_status()
    return response.json()["id"]


def dual_write_events(lab) -> list[int]:
    """The order ids the dual-write service ever got onto Kafka."""
    try:
        rows = lab.events("dual-write-orders", limit=100)
    except Exception:  # the topic does not exist yet: nothing was ever published
        return []
    return [r["value"]["order_id"] for r in rows if isinstance(r.get("value"), dict)]


def dual_write_saved(lab) -> list[int]:
    engine = create_engine(lab.database_url("dual-write"))
    try:
        with engine.connect() as conn:
            return [r[0] for r in conn.execute(text("SELECT id FROM orders ORDER BY id"))]
    finally:
        engine.dispose()


def times_to_paid(lab, order_ids: list[int]) -> list[float]:
    """Seconds from each order's creation (order-service) to its payment.completed event."""
    wanted = set(order_ids)
    paid = {}
    for row in lab.events("payments", limit=max(200, 4 * len(order_ids))):
        value = row.get("value")
        if isinstance(value, dict) and value.get("event_type") == "payment.completed" and value.get("order_id") in wanted:
            paid[value["order_id"]] = datetime.fromisoformat(row["timestamp"])
    took = []
    for oid in order_ids:
        order = localhttp.get(f"{lab.url('order-service')}/orders/{oid}", timeout=10).json()
        if oid in paid:
            took.append((paid[oid] - datetime.fromisoformat(order["created_at"])).total_seconds())
    return took


def histogram(seconds: list[float]) -> Figure:
    fig = Figure(figsize=(7, 3.2), layout="constrained")
    ax = fig.add_subplot()
    ax.hist([s * 1000 for s in seconds], bins=20, color="#1565c0")
    ax.set_xlabel("order placed -> payment.completed (ms)")
    ax.set_ylabel("orders")
    ax.set_title(f"Eventual consistency: {len(seconds)} orders, median {sorted(seconds)[len(seconds) // 2] * 1000:.0f} ms"
                 if seconds else "no paid orders")
    return fig
