"""The shop's events: topics, how an event looks, and how a received one is checked.

An event is a JSON object with at least `event_type`; the ones the shop publishes also have
`event_id` (so consumers can drop duplicates) and `timestamp`, as the course text's
`order.created` has. Every event about an order is keyed by the order id, so all of one
order's events land in the same partition, in order.
"""
from __future__ import annotations

import json
import os
import uuid
from datetime import datetime, timezone

ORDERS = "orders"  # order.created
INVENTORY = "inventory"  # inventory.reserved, inventory.rejected
PAYMENTS = "payments"  # payment.completed, payment.failed
REJECTED = "events.rejected"  # every event a consumer refused, with the reason (see lab.events)


class BadEvent(ValueError):
    """An event no retry can fix (malformed, incomplete, about an unknown order): rejected."""


class RetryLater(RuntimeError):
    """A dependency is down: keep the event and try again later (it is not the event's fault)."""


def bootstrap_servers() -> str | None:
    """KAFKA_BOOTSTRAP (e.g. kafka:9092, rewritten to 127.0.0.1:PORT by the local backend)."""
    return os.environ.get("KAFKA_BOOTSTRAP") or None


def new_event(event_type: str, **fields) -> dict:
    return {"event_type": event_type, "event_id": uuid.uuid4().hex, **fields,
            "timestamp": datetime.now(timezone.utc).replace(tzinfo=None).isoformat()}


def encode(event: dict) -> str:
    return json.dumps(event, separators=(",", ":"), sort_keys=False)


def parse(raw: bytes | None) -> dict:
    """The event as a dict, or BadEvent saying why it is not one."""
    if raw is None:
        raise BadEvent("empty message (no value)")
    try:
        event = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise BadEvent(f"malformed JSON ({exc})") from None
    if not isinstance(event, dict):
        raise BadEvent(f"expected a JSON object, got {type(event).__name__}")
    if not isinstance(event.get("event_type"), str) or not event["event_type"]:
        raise BadEvent("missing field 'event_type'")
    return event


def require(event: dict, fields: tuple[str, ...]) -> None:
    missing = [f for f in fields if event.get(f) in (None, "")]
    if missing:
        raise BadEvent("missing field" + ("s " if len(missing) > 1 else " ") +
                       ", ".join(repr(f) for f in missing))
    if "order_id" in fields:
        event["order_id"] = positive_int(event["order_id"], "order_id")


def positive_int(value, name: str) -> int:
    if isinstance(value, bool):
        raise BadEvent(f"field {name!r} must be a positive integer, got {value!r}")
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise BadEvent(f"field {name!r} must be a positive integer, got {value!r}") from None
    if number <= 0 or (isinstance(value, float) and value != number):
        raise BadEvent(f"field {name!r} must be a positive integer, got {value!r}")
    return number


def dedup_key(event: dict) -> str:
    """What makes two deliveries the same event: its id, else its type and order (as the
    course text's snippet sends events without ids)."""
    if event.get("event_id"):
        return str(event["event_id"])[:100]
    return f"{event['event_type']}:{event.get('order_id')}"[:100]
