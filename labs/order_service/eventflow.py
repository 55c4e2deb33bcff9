"""order-service in the event flow (saga by choreography).

Publishes `order.created` through its outbox when an order is placed, and moves the order's
status as the other services report back:
    pending -> reserved (inventory.reserved) -> paid (payment.completed)
                                             -> payment_failed (payment.failed)
    pending -> rejected (inventory.rejected)
A status never moves backwards, so results arriving out of order change nothing twice.
"""
from __future__ import annotations

from sqlalchemy.orm import Session, lazyload

from labs.common import events, requestid
from labs.common.consumer import Handler
from labs.common.messaging import Messaging
from labs.common.money import from_cents
from labs.order_service.models import Base, Order

RANK = {"pending": 0, "reserved": 1, "paid": 2, "payment_failed": 2, "rejected": 2}


def order_created(order: Order) -> dict:
    """The course text's event (event_type, order_id, user_id, total, timestamp) + event_id,
    and the request id of the call that placed the order, so lab.trace can follow it here."""
    return events.new_event("order.created", order_id=order.id, user_id=order.user_id,
                            total=from_cents(order.total_cents), request_id=requestid.current.get())


def publish_order_created(session: Session, order: Order) -> None:
    """Inside the transaction that inserts the order (after a flush gave it its id)."""
    messaging.publish(session, events.ORDERS, str(order.id), order_created(order))


def _move_to(status: str):
    def handle(session: Session, event: dict) -> list:
        # the status is all this reads and writes: not the items every other read loads with it
        order = session.get(Order, event["order_id"], options=[lazyload(Order.items)])
        if order is None:
            raise events.BadEvent(f"unknown order id {event['order_id']}")
        if RANK[status] > RANK.get(order.status, 0):
            order.status = status
        return []

    return handle


HANDLERS = {
    "inventory.reserved": Handler(("order_id",), _move_to("reserved")),
    "inventory.rejected": Handler(("order_id",), _move_to("rejected")),
    "payment.completed": Handler(("order_id",), _move_to("paid")),
    "payment.failed": Handler(("order_id",), _move_to("payment_failed")),
}

messaging = Messaging("order-service", Base, None, group="order-service",
                      topics=(events.INVENTORY, events.PAYMENTS), handlers=HANDLERS)
