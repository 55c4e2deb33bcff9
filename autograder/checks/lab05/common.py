"""What the checks of 05 share: the grader's own definitions of the notebook's locked cells,
running the student's cells, the grader's shop (orders it places, the owners' databases it
reads and seeds) and windows of the services' request logs."""
from __future__ import annotations

import math
import time
import uuid

import httpx
from microlab_grading.exercise import Context
from microlab_grading.logwindow import LogWindow  # noqa: F401 (the checks' import point)
from sqlalchemy import create_engine, text

# The locked cells before the answers, as the grader's own source (URLs from the environment).
PROVIDED = '''
import os

import requests

ORDER_SERVICE = os.environ["ORDER_SERVICE"]
INVENTORY_SERVICE = os.environ["INVENTORY_SERVICE"]
PAYMENT_SERVICE = os.environ["PAYMENT_SERVICE"]
'''
SERVICES = ("order-service", "inventory-service", "payment-service")
LIMIT = 2000.00  # the card limit (labs/common/cards.py): larger totals fail to pay
PRICES = {"SKU-BOOK": 49.99, "SKU-MUG": 12.50, "SKU-SHIRT": 19.99, "SKU-STICKER": 1.99}
SCARCE = "SKU-LAPTOP"  # left at its 5 in stock: more than that is an order inventory rejects
FINAL = ("paid", "payment_failed", "rejected")


def run(ctx: Context, code: str, timeout: float | None = None):
    env = {"ORDER_SERVICE": ctx.lab.url("order-service"), "INVENTORY_SERVICE": ctx.lab.url("inventory-service"),
           "PAYMENT_SERVICE": ctx.lab.url("payment-service")}
    return ctx.result(code, env=env, timeout=timeout)


def sql(ctx: Context, service: str, statement: str, **params) -> list[tuple]:
    """A statement in `service`'s own database (the grader owns its grading lab)."""
    engine = create_engine(ctx.lab.database_url(service))
    try:
        with engine.begin() as conn:
            result = conn.execute(text(statement), params)
            return [tuple(r) for r in result] if result.returns_rows else []
    finally:
        engine.dispose()


def shop(ctx: Context) -> int:
    """The grader's customer, in a lab whose plentiful stock no exercise can run out of."""
    if "user" not in ctx.cache:
        sql(ctx, "inventory-service", "UPDATE items SET stock = 100000 WHERE sku != :scarce", scarce=SCARCE)
        tag = uuid.uuid4().hex[:10]
        response = httpx.post(f"{ctx.lab.url('user-service')}/users", timeout=10,
                              json={"name": f"Grader {tag}", "email": f"grader-{tag}@example.org"})
        response.raise_for_status()
        ctx.cache["user"] = response.json()["id"]
    return ctx.cache["user"]


def paid_items(ctx: Context) -> list[dict]:
    sku = ctx.rng.choice(sorted(PRICES))
    return [{"sku": sku, "quantity": ctx.rng.randint(1, 4)}]


def over_limit_items(ctx: Context) -> list[dict]:
    """One or two lines whose total is over the card limit."""
    first, second = ctx.rng.sample(["SKU-BOOK", "SKU-MUG", "SKU-SHIRT"], 2)
    lines = [{"sku": second, "quantity": ctx.rng.randint(1, 5)}] if ctx.rng.random() < 0.5 else []
    rest = LIMIT + 1 - sum(PRICES[l["sku"]] * l["quantity"] for l in lines)
    return [{"sku": first, "quantity": math.ceil(rest / PRICES[first]) + ctx.rng.randint(0, 10)}, *lines]


def rejected_items(ctx: Context) -> list[dict]:
    return [{"sku": SCARCE, "quantity": ctx.rng.randint(6, 9)}]


def place(ctx: Context, items: list[dict]) -> int:
    response = httpx.post(f"{ctx.lab.url('order-service')}/orders", timeout=15,
                          json={"user_id": shop(ctx), "items": items})
    response.raise_for_status()
    return response.json()["id"]


def settled(ctx: Context, order_ids: list[int], timeout: float = 60) -> dict[int, str]:
    """Each order's final status, once the saga got it there."""
    deadline, status = time.monotonic() + timeout, {}
    while time.monotonic() < deadline:
        status = {i: s for i, s in sql(ctx, "order-service", "SELECT id, status FROM orders")
                  if i in set(order_ids)}
        if len(status) == len(order_ids) and all(s in FINAL for s in status.values()):
            return status
        time.sleep(0.3)
    raise RuntimeError(f"the grader's orders did not settle within {timeout:.0f} s: {status}")


def reservation_status(ctx: Context, order_id: int) -> str | None:
    rows = sql(ctx, "inventory-service", "SELECT status FROM reservations WHERE order_id = :o", o=order_id)
    return rows[0][0] if rows else None


def payment_status(ctx: Context, order_id: int) -> str | None:
    rows = sql(ctx, "payment-service", "SELECT status FROM payments WHERE order_id = :o", o=order_id)
    return rows[0][0] if rows else None


def stock(ctx: Context) -> dict[str, int]:
    return dict(sql(ctx, "inventory-service", "SELECT sku, stock FROM items"))
