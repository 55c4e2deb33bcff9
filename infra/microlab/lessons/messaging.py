"""04-async-messaging's demonstrations: orders placed and watched, the saga's events, lag
sampled over time, which consumer handled which partition, and records produced by hand."""
from __future__ import annotations

import json
import re
import time
import uuid
from datetime import datetime, timezone

import httpx

FINAL = ("paid", "payment_failed", "rejected")
SAGA_TOPICS = ("orders", "inventory", "payments")
HANDLED = re.compile(r"handled (?P<topic>\S+)\[(?P<partition>\d+)\]@(?P<offset>\d+) key=(?P<key>\S+)")


def new_customer(lab, name: str = "Ada") -> int:
    tag = uuid.uuid4().hex[:8]
    body = {"name": name, "email": f"{name.lower()}-{tag}@example.org"}
    response = httpx.post(f"{lab.url('user-service')}/users", json=body, timeout=10)
    response.raise_for_status()
    return response.json()["id"]


def place_order(lab, user_id: int | None = None, quantity: int = 1, request_id: str | None = None) -> dict:
    """POST /orders for the item with the most stock; the 201's body (status "pending")."""
    user_id = user_id or new_customer(lab)
    stock = httpx.get(f"{lab.url('inventory-service')}/inventory", timeout=10).json()
    sku = max(stock, key=lambda item: item["stock"])["sku"]
    headers = {"X-Request-ID": request_id or f"nb-{uuid.uuid4().hex[:12]}"}
    response = httpx.post(f"{lab.url('order-service')}/orders", headers=headers, timeout=10,
                          json={"user_id": user_id, "items": [{"sku": sku, "quantity": quantity}]})
    response.raise_for_status()
    return response.json()


def status_of(lab, order_id: int) -> str:
    return httpx.get(f"{lab.url('order-service')}/orders/{order_id}", timeout=10).json()["status"]


def watch(lab, order_id: int, timeout: float = 15.0) -> list[tuple[float, str]]:
    """(ms since watching began, status) each time the order's status changes, until final."""
    started, seen = time.monotonic(), []
    while time.monotonic() - started < timeout:
        status = status_of(lab, order_id)
        if not seen or seen[-1][1] != status:
            seen.append((round((time.monotonic() - started) * 1000), status))
        if status in FINAL:
            break
        time.sleep(0.02)
    return seen


def wait_final(lab, order_ids: list[int], timeout: float = 60.0) -> dict[int, str]:
    """Each order's status once all are final (or when the time is up)."""
    deadline, statuses = time.monotonic() + timeout, {}
    while time.monotonic() < deadline:
        statuses = {oid: status_of(lab, oid) for oid in order_ids}
        if all(s in FINAL for s in statuses.values()):
            break
        time.sleep(0.25)
    return statuses


def saga_events(lab, order_ids=None, limit: int = 300) -> list[dict]:
    """The saga's events (lab.events rows) of `order_ids` (all orders: None), oldest first."""
    wanted = None if order_ids is None else {int(o) for o in order_ids}
    rows = [row for topic in SAGA_TOPICS for row in lab.events(topic, limit=limit)
            if isinstance(row["value"], dict) and (wanted is None or row["value"].get("order_id") in wanted)]
    return sorted(rows, key=lambda r: r["timestamp"])


def caught_up(lab, groups, topic: str | None = None, timeout: float = 30.0) -> bool:
    """Wait until every group in `groups` has committed to the end (of `topic`); True if so."""
    groups = [groups] if isinstance(groups, str) else list(groups)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if all(lab.lag(g, topic).total == 0 for g in groups):
            return True
        time.sleep(0.25)
    return False


def rejected(lab, topic: str, key: str, timeout: float = 20.0) -> list[dict]:
    """The newest events of `topic`, once the one with `key` shows why it was rejected."""
    deadline = time.monotonic() + timeout
    while True:
        rows = lab.events(topic, limit=3)
        if any(r["key"] == key and r["rejected"] for r in rows) or time.monotonic() > deadline:
            return rows
        time.sleep(0.25)


def sample_lag(lab, group: str, seconds: float, every: float = 0.25, until_zero: bool = False):
    """[(when, {group: lag}), ...] sampled for `seconds` (or until the lag is back to 0)."""
    history, deadline = [], time.monotonic() + seconds
    while time.monotonic() < deadline:
        total = lab.lag(group).total
        history.append((datetime.now(timezone.utc), {group: total}))
        if until_zero and total == 0 and len(history) > 1:
            break
        time.sleep(every)
    return history


def produce(lab, topic: str, value, key: str | None = None) -> tuple[int, int]:
    """Put one record on `topic` (a dict is sent as JSON, bytes as they are); (partition, offset)."""
    from kafka import KafkaProducer

    producer = KafkaProducer(bootstrap_servers=lab.kafka_bootstrap)
    try:
        raw = value if isinstance(value, bytes) else json.dumps(value).encode()
        meta = producer.send(topic, raw, key=key.encode() if key else None).get(timeout=10)
    finally:
        producer.close()
    return meta.partition, meta.offset


def handled(lab, names: list[str]) -> list[dict]:
    """Which deployed consumer handled which record: rows {consumer, topic, partition, offset,
    key}, from each consumer's own log."""
    rows = []
    for name in names:
        for match in HANDLED.finditer(lab.logs(name, tail=2000)):
            rows.append({"consumer": name, **match.groupdict()})
    return rows


def read_with_new_group(lab, topic: str, reset: str, seconds: float = 4.0) -> int:
    """How many records a brand-new consumer group reads from `topic` with
    auto_offset_reset=`reset` ("earliest" or "latest") in `seconds`."""
    from kafka import KafkaConsumer

    consumer = KafkaConsumer(topic, bootstrap_servers=lab.kafka_bootstrap, auto_offset_reset=reset,
                             group_id=f"new-{uuid.uuid4().hex[:8]}", enable_auto_commit=False)
    try:
        count, deadline = 0, time.monotonic() + seconds
        while time.monotonic() < deadline:
            count += sum(len(batch) for batch in consumer.poll(timeout_ms=300).values())
        return count
    finally:
        consumer.close()
