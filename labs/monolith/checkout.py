"""Placing an order in the monolith: user check, stock and payment in ONE local transaction.

This is what the monolith does well (atomicity for free) and what services must replace
with a saga. It is also where its coupling lives: this code reads the users, inventory and
payments tables directly, and calls the payment provider's SDK in the same process.
"""
from __future__ import annotations

import logging
import os

from sqlalchemy.orm import Session

from labs.common.cards import CRASH_CARD, LIMIT_CENTS
from labs.common.errors import AppError, Conflict, Invalid
from labs.monolith.models import InventoryItem, Order, OrderItem, Payment, User
from labs.monolith.schemas import OrderIn

log = logging.getLogger(__name__)


class PaymentDeclined(AppError):
    status = 402


def place_order(session: Session, body: OrderIn) -> Order:
    if session.get(User, body.user_id) is None:
        raise Invalid(f"user_id: user {body.user_id} does not exist")
    items = []
    for i, line in enumerate(body.items):
        item = session.get(InventoryItem, line.sku, with_for_update=True)
        if item is None:
            raise Invalid(f"items.{i}.sku: unknown sku {line.sku!r}")
        if item.stock < line.quantity:
            raise Conflict(f"items.{i}.quantity: only {item.stock} of {line.sku} in stock, {line.quantity} requested")
        item.stock -= line.quantity
        items.append(OrderItem(sku=line.sku, quantity=line.quantity, unit_price_cents=item.price_cents))
    total = sum(i.quantity * i.unit_price_cents for i in items)
    order = Order(user_id=body.user_id, total_cents=total, status="confirmed", items=items)
    session.add(order)
    session.flush()
    declined = card_declined(total, body.card)
    if declined:
        session.rollback()  # stock, order and payment vanish together: one transaction
        raise PaymentDeclined(f"payment failed: {declined}")
    session.add(Payment(order_id=order.id, amount_cents=total, status="completed"))
    session.commit()
    return order


def card_declined(amount_cents: int, card: str | None) -> str:
    """Charge the card through the provider's SDK, inside this process: why it was declined,
    or "" when the charge went through."""
    if card == CRASH_CARD:
        # the SDK's bug: it takes the whole process down, and with it every area of the shop
        log.critical("payment SDK crashed on card %s: the process dies now", card)
        logging.shutdown()
        os._exit(70)
    if amount_cents > LIMIT_CENTS:
        return f"card limit exceeded ({amount_cents / 100:.2f} > {LIMIT_CENTS / 100:.2f})"
    return ""
