"""The monolith: the whole shop's API in one app over one database.

Users, inventory, orders and payments are plain functions over one session; placing an
order is one local transaction (checkout.py). The services in labs/*_service were cut out
of this shop (notebook 02) and share none of its code, only labs/common.
"""
from datetime import timezone

from fastapi import APIRouter, Depends
from sqlalchemy import select
from sqlalchemy.orm import Session

from labs.common.app import create_app
from labs.common.catalogue import PRODUCTS
from labs.common.db import Database
from labs.common.errors import Conflict, NotFound
from labs.common.money import from_cents
from labs.monolith import checkout
from labs.monolith.models import Base, InventoryItem, Order, Payment, User
from labs.monolith.schemas import ItemOut, LineIn, OrderIn, OrderOut, PaymentOut, UserIn, UserOut

db = Database(Base, "shop.db")
router = APIRouter()


def row(session: Session, table, key, missing: str):
    """One row by primary key, or a 404 saying what was missing."""
    found = session.get(table, key)
    if found is None:
        raise NotFound(missing)
    return found


def order_out(o: Order) -> OrderOut:
    created = o.created_at if o.created_at.tzinfo else o.created_at.replace(tzinfo=timezone.utc)  # SQLite: naive
    return OrderOut(id=o.id, user_id=o.user_id, items=[LineIn(sku=i.sku, quantity=i.quantity) for i in o.items],
                    total=from_cents(o.total_cents), status=o.status, created_at=created)


def item_out(i: InventoryItem) -> ItemOut:
    return ItemOut(sku=i.sku, name=i.name, price=from_cents(i.price_cents), stock=i.stock)


@router.post("/users", status_code=201, response_model=UserOut, tags=["users"])
def create_user(body: UserIn, session: Session = Depends(db.session)):
    if session.scalar(select(User.id).where(User.email == body.email)) is not None:
        raise Conflict(f"email: a user with email {body.email!r} already exists")
    user = User(name=body.name, email=body.email)
    session.add(user)
    session.commit()
    return user


@router.get("/users/{user_id}", response_model=UserOut, tags=["users"])
def get_user(user_id: int, session: Session = Depends(db.session)):
    return row(session, User, user_id, f"user_id: user {user_id} not found")


@router.get("/users/{user_id}/orders", response_model=list[OrderOut], tags=["orders"])
def user_orders(user_id: int, session: Session = Depends(db.session)):
    get_user(user_id, session)
    return [order_out(o) for o in session.scalars(select(Order).where(Order.user_id == user_id).order_by(Order.id))]


@router.post("/orders", status_code=201, response_model=OrderOut, tags=["orders"])
def place_order(body: OrderIn, session: Session = Depends(db.session)):
    return order_out(checkout.place_order(session, body))


@router.get("/orders/{order_id}", response_model=OrderOut, tags=["orders"])
def get_order(order_id: int, session: Session = Depends(db.session)):
    return order_out(row(session, Order, order_id, f"order_id: order {order_id} not found"))


@router.get("/inventory", response_model=list[ItemOut], tags=["inventory"])
def list_items(session: Session = Depends(db.session)):
    return [item_out(i) for i in session.scalars(select(InventoryItem).order_by(InventoryItem.sku))]


@router.get("/inventory/{sku}", response_model=ItemOut, tags=["inventory"])
def get_item(sku: str, session: Session = Depends(db.session)):
    return item_out(row(session, InventoryItem, sku, f"sku: unknown sku {sku!r}"))


@router.get("/payments/{payment_id}", response_model=PaymentOut, tags=["payments"])
def get_payment(payment_id: int, session: Session = Depends(db.session)):
    p = row(session, Payment, payment_id, f"payment_id: payment {payment_id} not found")
    return PaymentOut(id=p.id, order_id=p.order_id, amount=from_cents(p.amount_cents), status=p.status, reason=p.reason)


def _seed(_app) -> None:
    """Fill an empty shop with the demo products; never touch one that already has rows."""
    with db.sessions() as session:
        if session.scalar(select(InventoryItem.sku).limit(1)) is None:
            session.add_all(InventoryItem(sku=s, name=n, price_cents=p, stock=q) for s, n, p, q in PRODUCTS)
            session.commit()


app = create_app("monolith", db, [router], on_start=_seed)
