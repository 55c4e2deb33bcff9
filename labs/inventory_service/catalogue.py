"""The seeded catalogue: the same shop in the monolith and in inventory-service."""
from sqlalchemy.orm import Session

# sku, name, price in cents, stock
CATALOGUE = [
    ("SKU-BOOK", "Domain-Driven Design (book)", 4999, 100),
    ("SKU-MUG", "Conway's Law mug", 1250, 200),
    ("SKU-SHIRT", "Bounded Context T-shirt", 1999, 150),
    ("SKU-STICKER", "Circuit breaker sticker", 199, 1000),
    ("SKU-LAPTOP", "Developer laptop", 149900, 5),
]


def seed(session: Session, item_type) -> None:
    """Fill an empty catalogue; never touch one that already has rows."""
    if session.query(item_type).first() is None:
        session.add_all(item_type(sku=s, name=n, price_cents=p, stock=q) for s, n, p, q in CATALOGUE)
        session.commit()
