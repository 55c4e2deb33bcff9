"""Seeding inventory-service's own catalogue with the demo shop's products."""
from sqlalchemy.orm import Session

from labs.common.catalogue import PRODUCTS
from labs.inventory_service.models import Item


def seed(session: Session) -> None:
    """Fill an empty catalogue; never touch one that already has rows."""
    if session.query(Item).first() is None:
        session.add_all(Item(sku=s, name=n, price_cents=p, stock=q) for s, n, p, q in PRODUCTS)
        session.commit()
