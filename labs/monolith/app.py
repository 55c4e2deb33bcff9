"""The monolith: the whole shop's API in one app over one database."""
from fastapi import APIRouter, Depends
from sqlalchemy import select
from sqlalchemy.orm import Session

from labs.common.app import create_app
from labs.common.db import Database
from labs.common.errors import NotFound
from labs.common.money import from_cents
from labs.inventory_service import catalogue
from labs.inventory_service.schemas import ItemOut, LineIn
from labs.monolith import checkout
from labs.monolith.models import Base, InventoryItem, Order, Payment, User
from labs.order_service.schemas import OrderIn, OrderOut
from labs.payment_service.schemas import PaymentOut
from labs.user_service import accounts
from labs.user_service.schemas import UserIn, UserOut

db = Database(Base, "shop.db")
router = APIRouter()


def order_out(o: Order) -> OrderOut:
    return OrderOut(id=o.id, user_id=o.user_id, items=[LineIn(sku=i.sku, quantity=i.quantity) for i in o.items],
                    total=from_cents(o.total_cents), status=o.status, created_at=o.created_at)


@router.post("/users", status_code=201, response_model=UserOut, tags=["users"])
def create_user(body: UserIn, session: Session = Depends(db.session)):
    return accounts.register(session, User, body)


@router.get("/users/{user_id}", response_model=UserOut, tags=["users"])
def get_user(user_id: int, session: Session = Depends(db.session)):
    return accounts.find(session, User, user_id)


@router.get("/users/{user_id}/orders", response_model=list[OrderOut], tags=["orders"])
def user_orders(user_id: int, session: Session = Depends(db.session)):
    get_user(user_id, session)
    return [order_out(o) for o in session.scalars(select(Order).where(Order.user_id == user_id).order_by(Order.id))]


@router.post("/orders", status_code=201, response_model=OrderOut, tags=["orders"])
def place_order(body: OrderIn, session: Session = Depends(db.session)):
    return order_out(checkout.place_order(session, body))


@router.get("/orders/{order_id}", response_model=OrderOut, tags=["orders"])
def get_order(order_id: int, session: Session = Depends(db.session)):
    order = session.get(Order, order_id)
    if order is None:
        raise NotFound(f"order_id: order {order_id} not found")
    return order_out(order)


@router.get("/inventory", response_model=list[ItemOut], tags=["inventory"])
def list_items(session: Session = Depends(db.session)):
    items = session.scalars(select(InventoryItem).order_by(InventoryItem.sku))
    return [ItemOut(sku=i.sku, name=i.name, price=from_cents(i.price_cents), stock=i.stock) for i in items]


@router.get("/inventory/{sku}", response_model=ItemOut, tags=["inventory"])
def get_item(sku: str, session: Session = Depends(db.session)):
    i = session.get(InventoryItem, sku)
    if i is None:
        raise NotFound(f"sku: unknown sku {sku!r}")
    return ItemOut(sku=i.sku, name=i.name, price=from_cents(i.price_cents), stock=i.stock)


@router.get("/payments/{payment_id}", response_model=PaymentOut, tags=["payments"])
def get_payment(payment_id: int, session: Session = Depends(db.session)):
    p = session.get(Payment, payment_id)
    if p is None:
        raise NotFound(f"payment_id: payment {payment_id} not found")
    return PaymentOut(id=p.id, order_id=p.order_id, amount=from_cents(p.amount_cents), status=p.status, reason=p.reason)


def _seed(_app) -> None:
    with db.sessions() as session:
        catalogue.seed(session, InventoryItem)


app = create_app("monolith", db, [router], on_start=_seed)
