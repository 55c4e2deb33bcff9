"""The demo shop's products: shared vocabulary, not shared logic.

The monolith and inventory-service each seed their own database with these rows (in their
own code), so the notebooks meet the same SKUs, prices and stock in every version of the shop.
"""

# sku, name, price in cents, stock
PRODUCTS = [
    ("SKU-BOOK", "Domain-Driven Design (book)", 4999, 100),
    ("SKU-MUG", "Conway's Law mug", 1250, 200),
    ("SKU-SHIRT", "Bounded Context T-shirt", 1999, 150),
    ("SKU-STICKER", "Circuit breaker sticker", 199, 1000),
    ("SKU-LAPTOP", "Developer laptop", 149900, 5),
]
