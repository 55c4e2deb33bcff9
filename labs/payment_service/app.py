"""payment-service: POST /payments, GET /payments/{id}."""
from fastapi import APIRouter, Depends, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from labs.common.app import create_app
from labs.common.db import Database
from labs.common.errors import NotFound
from labs.common.money import to_cents
from labs.payment_service import eventflow, ledger
from labs.payment_service.models import Base, Payment
from labs.payment_service.schemas import PaymentIn, PaymentOut

db = Database(Base, "payments.db")
router = APIRouter(tags=["payments"])


@router.post("/payments", status_code=201, response_model=PaymentOut)
def create_payment(body: PaymentIn, response: Response, session: Session = Depends(db.session)):
    payment, created = ledger.pay(session, body.order_id, to_cents(body.amount), body.card)
    session.commit()
    if not created:
        response.status_code = 200
    return ledger.payment_out(payment)


@router.get("/payments", response_model=list[PaymentOut])
def list_payments(order_id: int | None = None, session: Session = Depends(db.session)):
    query = select(Payment).order_by(Payment.id)
    if order_id is not None:
        query = query.where(Payment.order_id == order_id)
    return [ledger.payment_out(p) for p in session.scalars(query)]


@router.get("/payments/{payment_id}", response_model=PaymentOut)
def get_payment(payment_id: int, session: Session = Depends(db.session)):
    payment = session.get(Payment, payment_id)
    if payment is None:
        raise NotFound(f"payment_id: payment {payment_id} not found")
    return ledger.payment_out(payment)


app = create_app("payment-service", db, [router], on_start=eventflow.messaging.start,
                 on_stop=eventflow.messaging.stop)
