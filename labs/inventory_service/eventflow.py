"""inventory-service in the event flow: reserve stock when an order is created.

Consumes `order.created` (group `inventory-service`). The event carries no items (the course
text's event has order_id, user_id, total), so the order is read from order-service; an
order it does not know is rejected. Publishes `inventory.reserved` or `inventory.rejected`.
"""
from __future__ import annotations

import os

from sqlalchemy.orm import Session
from urllib3.exceptions import HTTPError

from labs.common import events
from labs.common.consumer import Handler
from labs.common.messaging import Messaging
from labs.common.requestid import ServiceCalls
from labs.inventory_service import stock
from labs.inventory_service.models import Base, Item, Reservation
from labs.inventory_service.schemas import LineIn, OrderToReserve

_http = ServiceCalls()


def fetch_order(order_id: int) -> dict:
    base = os.environ.get("ORDER_SERVICE_URL", "http://order-service:8080")
    try:
        response = _http.get(f"{base}/orders/{order_id}", timeout=5)
    except HTTPError as exc:  # no connection, or no answer within the timeout
        raise events.RetryLater(f"order-service unreachable ({type(exc).__name__})") from None
    if response.status_code == 404:
        raise events.BadEvent(f"unknown order id {order_id} (order-service does not know it)")
    if response.status_code != 200:
        raise events.RetryLater(f"order-service answered {response.status_code}")
    return response.json()


def shortage(session: Session, lines: list[LineIn]) -> str | None:
    """Why these lines cannot all be reserved, or None (checked before touching stock)."""
    for line in lines:
        item = session.get(Item, line.sku)
        if item is None:
            return f"unknown sku {line.sku!r}"
        if item.stock < line.quantity:
            return f"only {item.stock} of {line.sku} in stock, {line.quantity} requested"
    return None


def on_order_created(session: Session, event: dict) -> list:
    order_id = event["order_id"]
    found = fetch_order(order_id)
    if session.get(Reservation, order_id) is not None:
        return []  # reserved already (over HTTP, or an earlier event for the same order)
    order = OrderToReserve.model_validate(found)
    problem = shortage(session, order.items)
    if problem:
        return [(events.INVENTORY, str(order_id),
                 events.new_event("inventory.rejected", order_id=order_id, reason=problem))]
    stock.reserve(session, order_id, order.items)
    reserved = events.new_event("inventory.reserved", order_id=order_id, user_id=order.user_id,
                                total=order.total, items=[l.model_dump() for l in order.items])
    return [(events.INVENTORY, str(order_id), reserved)]


messaging = Messaging("inventory-service", Base, group="inventory-service", topics=(events.ORDERS,),
                      handlers={"order.created": Handler(("order_id",), on_order_created)})
