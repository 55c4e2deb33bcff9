"""Reserving and releasing stock: the inventory's own rules, used by HTTP and by events."""
from __future__ import annotations

from sqlalchemy.orm import Session

from labs.common.errors import Conflict, NotFound
from labs.common.money import from_cents
from labs.inventory_service.models import Item, Reservation, ReservationLine
from labs.inventory_service.schemas import ItemOut, LineIn, ReservationOut


def item_out(item: Item) -> ItemOut:
    return ItemOut(sku=item.sku, name=item.name, price=from_cents(item.price_cents), stock=item.stock)


def reservation_out(r: Reservation) -> ReservationOut:
    return ReservationOut(order_id=r.order_id, status=r.status,
                          items=[LineIn(sku=l.sku, quantity=l.quantity) for l in r.lines])


def reserve(session: Session, order_id: int, lines: list[LineIn]) -> tuple[Reservation, bool]:
    """Take stock for an order, all lines or none. Returns (reservation, created).

    Reserving the same order twice returns the first reservation: callers may retry.
    Does not commit: the caller commits with whatever else belongs to the same change.
    """
    existing = session.get(Reservation, order_id)
    if existing is not None:
        return existing, False
    for i, line in enumerate(lines):
        item = session.get(Item, line.sku, with_for_update=True)
        if item is None:
            raise NotFound(f"items.{i}.sku: unknown sku {line.sku!r}")
        if item.stock < line.quantity:
            raise Conflict(f"items.{i}.quantity: only {item.stock} of {line.sku} in stock, "
                           f"{line.quantity} requested")
        item.stock -= line.quantity
    reservation = Reservation(order_id=order_id, status="reserved",
                              lines=[ReservationLine(sku=l.sku, quantity=l.quantity) for l in lines])
    session.add(reservation)
    return reservation, True


def release(session: Session, order_id: int) -> Reservation:
    """Give reserved stock back (a saga's compensation). Releasing twice is harmless."""
    reservation = session.get(Reservation, order_id)
    if reservation is None:
        raise NotFound(f"order_id: no reservation for order {order_id}")
    if reservation.status == "reserved":
        for line in reservation.lines:
            session.get(Item, line.sku).stock += line.quantity
        reservation.status = "released"
    return reservation
