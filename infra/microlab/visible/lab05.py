"""Visible checks of 05-database-per-service: a few public behaviours, against your own lab.
The grader runs many more in a lab of its own: other orders, replays, restarts, and
inconsistencies it plants in the owners' databases."""
from __future__ import annotations

import time
import uuid

from sqlalchemy import create_engine, text

from microlab import consistency
from microlab.selfcheck import NotAnswered, check

# 41 books: 2049.59, over the card limit (labs/common/cards.py) whatever the laptops do
OVER_LIMIT = [{"sku": "SKU-BOOK", "quantity": 41}]


def _answered(call, name: str):
    """What the student's function returned; a stub's None (or NotImplementedError) is NotAnswered."""
    try:
        got = call()
    except NotImplementedError:
        got = None
    if got is None:
        raise NotAnswered(f"{name} returns None: complete it")
    return got


def _released(lab, order_id: int, timeout: float = 30) -> dict | None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        held = consistency.reservation(lab, order_id)
        if held and held["status"] == "released":
            return held
        time.sleep(0.3)
    return consistency.reservation(lab, order_id)


def _failed_order_released(source: str, lab) -> None:
    if "# YOUR CODE HERE" in source or "raise NotImplementedError" in source:
        raise NotAnswered("handle still raises NotImplementedError: complete COMPENSATOR")
    before = consistency.stock(lab, "SKU-BOOK")
    order = consistency.place_order(lab, consistency.new_user(lab), OVER_LIMIT)
    status = consistency.wait_for_status(lab, order["id"])
    if status != "payment_failed":
        raise AssertionError(f"order {order['id']} (over the card limit) ended {status!r}, not payment_failed")
    held = _released(lab, order["id"])
    if not held or held["status"] != "released":
        raise AssertionError(f"order {order['id']} failed to pay; 30 s later its reservation is {held}; "
                             "lab.logs('compensator') shows what your handle did")
    if consistency.stock(lab, "SKU-BOOK") != before:
        raise AssertionError(f"books in stock were {before}, now {consistency.stock(lab, 'SKU-BOOK')}")


def _paid_order_kept(lab) -> None:
    order = consistency.place_order(lab, consistency.new_user(lab))
    consistency.wait_for_status(lab, order["id"], ("paid",))
    time.sleep(2)  # room for a compensator that wrongly reacts to payment.completed
    held = consistency.reservation(lab, order["id"])
    if not held or held["status"] != "reserved":
        raise AssertionError(f"order {order['id']} was paid, yet its reservation is {held}")


def compensation(source, lab) -> bool:
    return check("lab05_compensation",
                 ("a failed payment gives its stock back", lambda: _failed_order_released(str(source), lab)),
                 ("a paid order keeps its reservation", lambda: _paid_order_kept(lab)))


def _summary_of_paid(order_summary, lab) -> None:
    order = consistency.place_order(lab, consistency.new_user(lab))
    consistency.wait_for_status(lab, order["id"], ("paid",))
    rid = f"selfcheck-{uuid.uuid4().hex[:8]}"
    got = _answered(lambda: order_summary(order["id"], rid), "order_summary")
    want = {"order_id": order["id"], "user_id": order.get("user_id"), "status": "paid", "total": order["total"],
            "reservation": "reserved", "payment": "completed"}
    if got != want:
        raise AssertionError(f"expected {want}, got {got!r:.200}")
    time.sleep(0.3)  # each service logs just after it answered
    missing = [s for s in ("order-service", "inventory-service", "payment-service")
               if rid not in lab.logs(s, tail=200)]
    if missing:
        raise AssertionError(f"request id {rid!r} is not in the request log of {', '.join(missing)}")


def _unknown(order_summary) -> None:
    got = order_summary(987_654_321, "selfcheck-unknown")
    if got is not None:
        raise AssertionError(f"order 987654321 does not exist: expected None, got {got!r:.120}")


def summary(order_summary, lab) -> bool:
    return check("lab05_order_summary", ("a paid order's summary", lambda: _summary_of_paid(order_summary, lab)),
                 ("an unknown order gives None", lambda: _unknown(order_summary)))


def _drifted(find_inconsistent, lab) -> None:
    """Two paid orders; one loses its payment row (planted in payment-service's database)."""
    user = consistency.new_user(lab)
    fine, broken = (consistency.place_order(lab, user)["id"] for _ in range(2))
    for order_id in (fine, broken):
        consistency.wait_for_status(lab, order_id, ("paid",))
    if _answered(lambda: find_inconsistent([fine, broken]), "find_inconsistent") != []:
        raise AssertionError(f"orders {fine} and {broken} are both consistent, yet reported")
    engine = create_engine(lab.database_url("payment-service"))
    try:
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM payments WHERE order_id = :o"), {"o": broken})
    finally:
        engine.dispose()
    got = find_inconsistent([fine, broken])
    if sorted(got or []) != [broken]:
        raise AssertionError(f"order {broken} is paid but its payment is gone: expected [{broken}], got {got!r:.120}")


def reconciliation(find_inconsistent, lab) -> bool:
    return check("lab05_reconcile", ("a paid order without its payment", lambda: _drifted(find_inconsistent, lab)))
