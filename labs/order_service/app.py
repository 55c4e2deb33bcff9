"""order-service: POST /orders, GET /orders/{id}, GET /users/{user_id}/orders."""
from fastapi import APIRouter, Depends
from sqlalchemy import select
from sqlalchemy.orm import Session

from labs.common.app import create_app
from labs.common.db import Database
from labs.common.errors import Invalid, NotFound
from labs.common.money import from_cents
from labs.order_service import clients, eventflow
from labs.order_service.models import Base, Order, OrderItem
from labs.order_service.schemas import LineIn, OrderIn, OrderOut

db = Database(Base, "orders.db")
router = APIRouter(tags=["orders"])


def order_out(order: Order) -> OrderOut:
    items = [LineIn(sku=i.sku, quantity=i.quantity) for i in order.items]
    return OrderOut(id=order.id, user_id=order.user_id, items=items, total=from_cents(order.total_cents),
                    status=order.status, created_at=order.created_at)


@router.post("/orders", status_code=201, response_model=OrderOut)
def place_order(body: OrderIn, session: Session = Depends(db.session)):
    prices = clients.checked_prices(body.user_id, [line.sku for line in body.items])
    items = [OrderItem(sku=l.sku, quantity=l.quantity, unit_price_cents=p) for l, p in zip(body.items, prices)]
    order = Order(user_id=body.user_id, total_cents=sum(i.quantity * i.unit_price_cents for i in items),
                  status="pending", items=items)
    session.add(order)
    session.flush()  # the order's id, for its event
    eventflow.publish_order_created(session, order)  # outbox row: same transaction as the order
    session.commit()
    eventflow.messaging.wake()
    return order_out(order)


@router.get("/orders", response_model=list[OrderOut])
def list_orders(session: Session = Depends(db.session)):
    return [order_out(o) for o in session.scalars(select(Order).order_by(Order.id))]


@router.get("/orders/{order_id}", response_model=OrderOut)
def get_order(order_id: int, session: Session = Depends(db.session)):
    order = session.get(Order, order_id)
    if order is None:
        raise NotFound(f"order_id: order {order_id} not found")
    return order_out(order)


@router.get("/users/{user_id}/orders", response_model=list[OrderOut])
def user_orders(user_id: int, session: Session = Depends(db.session)):
    if not clients.user_exists(user_id):
        raise NotFound(f"user_id: user {user_id} not found")
    query = select(Order).where(Order.user_id == user_id).order_by(Order.id)
    return [order_out(o) for o in session.scalars(query)]


app = create_app("order-service", db, [router], on_start=eventflow.messaging.start,
                 on_stop=eventflow.messaging.stop)
