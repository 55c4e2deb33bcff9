"""Placing an order in the monolith: user check, stock and payment in ONE local transaction.

This is what the monolith does well (atomicity for free) and what services must replace
with a saga. It is also where its coupling lives: this code reads the inventory and
payments tables directly.
"""
from __future__ import annotations

from sqlalchemy.orm import Session

from labs.common.errors import AppError, Conflict, Invalid
from labs.monolith.models import InventoryItem, Order, OrderItem, Payment, User
from labs.order_service.schemas import OrderIn
from labs.payment_service.charging import charge


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
    result = charge(total, body.card)
    if result.status != "completed":
        session.rollback()  # stock, order and payment vanish together: one transaction
        raise PaymentDeclined(f"payment failed: {result.reason}")
    session.add(Payment(order_id=order.id, amount_cents=total, status=result.status))
    session.commit()
    return order
