"""Recording charges: one payment per order, so a retried request never charges twice."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from labs.common.money import from_cents
from labs.payment_service.charging import charge
from labs.payment_service.models import Payment
from labs.payment_service.schemas import PaymentOut


def payment_out(p: Payment) -> PaymentOut:
    return PaymentOut(id=p.id, order_id=p.order_id, amount=from_cents(p.amount_cents),
                      status=p.status, reason=p.reason)


def pay(session: Session, order_id: int, amount_cents: int, card: str | None = None) -> tuple[Payment, bool]:
    """Charge once per order. Returns (payment, created); the caller commits."""
    existing = session.scalar(select(Payment).where(Payment.order_id == order_id))
    if existing is not None:
        return existing, False
    result = charge(amount_cents, card)
    payment = Payment(order_id=order_id, amount_cents=amount_cents, status=result.status, reason=result.reason)
    session.add(payment)
    session.flush()
    return payment, True
