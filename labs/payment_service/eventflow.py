"""payment-service in the event flow: charge an order once its stock is reserved.

Consumes `inventory.reserved` (group `payment-service`), charges the order's total once per
order (the ledger refuses a second charge) and publishes `payment.completed` or
`payment.failed` (e.g. over the card limit).
"""
from __future__ import annotations

from sqlalchemy.orm import Session

from labs.common import events
from labs.common.consumer import Handler
from labs.common.messaging import Messaging
from labs.common.money import from_cents, to_cents
from labs.payment_service import ledger
from labs.payment_service.models import Base


def amount_cents(event: dict) -> int:
    try:
        cents = to_cents(float(event["total"]))
    except (TypeError, ValueError):
        raise events.BadEvent(f"field 'total' must be a number, got {event['total']!r}") from None
    if cents <= 0:
        raise events.BadEvent(f"field 'total' must be positive, got {event['total']!r}")
    return cents


def on_inventory_reserved(session: Session, event: dict) -> list:
    order_id = event["order_id"]
    payment, created = ledger.pay(session, order_id, amount_cents(event))
    if not created:
        return []  # charged already: never twice
    if payment.status == "completed":
        done = events.new_event("payment.completed", order_id=order_id, payment_id=payment.id,
                                amount=from_cents(payment.amount_cents))
    else:
        done = events.new_event("payment.failed", order_id=order_id, reason=payment.reason)
    return [(events.PAYMENTS, str(order_id), done)]


messaging = Messaging("payment-service", Base, group="payment-service", topics=(events.INVENTORY,),
                      handlers={"inventory.reserved": Handler(("order_id", "total"), on_inventory_reserved)})
