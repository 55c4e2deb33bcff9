"""inventory-service: GET /inventory/{sku}, reservations by order."""
from fastapi import APIRouter, Depends, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from labs.common.app import create_app
from labs.common.db import Database
from labs.common.errors import NotFound
from labs.inventory_service import catalogue, eventflow, stock
from labs.inventory_service.models import Base, Item, Reservation
from labs.inventory_service.schemas import ItemOut, ReservationIn, ReservationOut

db = Database(Base, "inventory.db")
router = APIRouter(tags=["inventory"])


@router.get("/inventory", response_model=list[ItemOut])
def list_items(session: Session = Depends(db.session)):
    return [stock.item_out(i) for i in session.scalars(select(Item).order_by(Item.sku))]


@router.get("/inventory/{sku}", response_model=ItemOut)
def get_item(sku: str, session: Session = Depends(db.session)):
    item = session.get(Item, sku)
    if item is None:
        raise NotFound(f"sku: unknown sku {sku!r}")
    return stock.item_out(item)


@router.post("/reservations", status_code=201, response_model=ReservationOut)
def reserve(body: ReservationIn, response: Response, session: Session = Depends(db.session)):
    reservation, created = stock.reserve(session, body.order_id, body.items)
    session.commit()
    if not created:
        response.status_code = 200
    return stock.reservation_out(reservation)


@router.get("/reservations/{order_id}", response_model=ReservationOut)
def get_reservation(order_id: int, session: Session = Depends(db.session)):
    reservation = session.get(Reservation, order_id)
    if reservation is None:
        raise NotFound(f"order_id: no reservation for order {order_id}")
    return stock.reservation_out(reservation)


@router.delete("/reservations/{order_id}", response_model=ReservationOut)
def release(order_id: int, session: Session = Depends(db.session)):
    reservation = stock.release(session, order_id)
    session.commit()
    return stock.reservation_out(reservation)


def _seed(_app) -> None:
    with db.sessions() as session:
        catalogue.seed(session)
    eventflow.messaging.start(_app)  # consumes order.created when KAFKA_BOOTSTRAP is set


app = create_app("inventory-service", db, [router], on_start=_seed, on_stop=eventflow.messaging.stop)
