"""Exercise 2 of 05, order_summary(order_id, request_id) by API composition: called in a
fresh interpreter for the grader's own orders (paid, payment failed, rejected, unknown).
The truth is read from the owners' databases; that the student asked the owners, and passed
the request id on, is read from the three services' request logs."""
from __future__ import annotations

import uuid

from microlab_grading.exercise import Check, CheckFailed, Context

from .common import (SERVICES, LogWindow, over_limit_items, paid_items, payment_status, place, rejected_items,
                     reservation_status, run, settled, sql)

CALL = '''
def _grader_call(order_id, request_id):
    try:
        return {"returned": order_summary(order_id, request_id)}
    except BaseException as exc:
        return {"raised": type(exc).__name__, "message": str(exc)[:160]}
'''
KINDS = ("paid", "failed", "rejected")


def _truth(ctx: Context, order_id: int) -> dict:
    user_id, status, cents = sql(ctx, "order-service", "SELECT user_id, status, total_cents FROM orders WHERE id = :o",
                                 o=order_id)[0]
    return {"order_id": order_id, "user_id": user_id, "status": status, "total": cents / 100,
            "reservation": reservation_status(ctx, order_id), "payment": payment_status(ctx, order_id)}


def _graded(ctx: Context) -> dict:
    """One run: a summary per kind of order, each call with a request id of the grader's."""
    if "summaries" not in ctx.cache:
        orders = {"paid": place(ctx, paid_items(ctx)), "failed": place(ctx, over_limit_items(ctx)),
                  "rejected": place(ctx, rejected_items(ctx))}
        settled(ctx, list(orders.values()))
        orders["unknown"] = max(orders.values()) + ctx.rng.randint(10_000, 90_000)
        rids = {kind: f"grader-{kind}-{uuid.uuid4().hex[:10]}" for kind in orders}
        window = LogWindow(ctx.lab, SERVICES)
        calls = ", ".join(f"{k!r}: _grader_call({orders[k]}, {rids[k]!r})" for k in orders)
        got = run(ctx, CALL + f"result = {{{calls}}}")
        logs = {s: window.lines(s) for s in ("order-service", "inventory-service", "payment-service")}
        ctx.cache["summaries"] = orders, rids, got, logs
    return ctx.cache["summaries"]


def _asked(logs: dict, order_id: int) -> list[str]:
    """The owners this run did not ask about `order_id` (their request logs say)."""
    paths = {"order-service": f" GET /orders/{order_id} ", "inventory-service": f" GET /reservations/{order_id} ",
             "payment-service": " GET /payments"}
    return [s for s, path in paths.items() if not any(path in line for line in logs[s])]


def _same(got, want: dict) -> bool:
    if not isinstance(got, dict) or set(got) != set(want):
        return False
    total = got.get("total")
    return (isinstance(total, (int, float)) and abs(total - want["total"]) < 0.005
            and all(got[k] == want[k] for k in want if k != "total"))


def _difference(got, want: dict) -> str:
    """What differs, briefly (several failed checks share one line of the gradebook)."""
    if not isinstance(got, dict):
        return f"expected a dict, got {got!r:.60}"
    if set(got) != set(want):
        return f"expected the keys {sorted(want)}, got {sorted(map(str, got))}"
    wrong = [k for k in want if not _same({**want, k: got[k]}, want)]
    return "; ".join(f"{k}: expected {want[k]!r}, got {got[k]!r:.40}" for k in wrong)


def _summary_of(kind: str, situation: str):
    def check(ctx: Context) -> None:
        orders, _, got, logs = _graded(ctx)
        order_id, outcome = orders[kind], got[kind]
        want = _truth(ctx, order_id)
        if "raised" in outcome:
            raise CheckFailed(f"{situation} (order {order_id}): order_summary raised {outcome['raised']}: "
                              f"{outcome['message']}")
        if not _same(outcome["returned"], want):
            raise CheckFailed(f"{situation} (order {order_id}): {_difference(outcome['returned'], want)}")
        missing = _asked(logs, order_id)
        if missing:
            raise CheckFailed(f"{situation}: the right answer, but {', '.join(missing)} never answered a request "
                              "about it: ask the owners through their APIs")
    return check


def unknown_order(ctx: Context) -> None:
    orders, _, got, logs = _graded(ctx)
    outcome = got["unknown"]
    if "raised" in outcome or outcome["returned"] is not None:
        shown = f"raised {outcome['raised']}" if "raised" in outcome else f"returned {outcome['returned']!r:.100}"
        raise CheckFailed(f"order {orders['unknown']} does not exist (order-service answers 404): {shown}, "
                          "expected None")
    if "order-service" in _asked(logs, orders["unknown"]):
        raise CheckFailed(f"order-service was never asked about order {orders['unknown']}")


def request_id_everywhere(ctx: Context) -> None:
    _, rids, _, logs = _graded(ctx)
    for kind in KINDS:
        missing = [s for s, lines in logs.items() if not any(f"{rids[kind]} GET " in line for line in lines)]
        if missing:
            raise CheckFailed(f"the request id {rids[kind]!r} given to order_summary is not in the request log of "
                              f"{', '.join(missing)}: send it as the X-Request-ID header of every call")


CHECKS = (
    Check("a paid order's summary", 1.0, _summary_of("paid", "a paid order")),
    Check("a failed payment's summary", 0.75, _summary_of("failed", "an order over the card limit")),
    Check("a rejected order's summary", 0.5, _summary_of("rejected", "an order inventory rejected")),
    Check("an unknown order gives None", 0.5, unknown_order),
    Check("the request id reaches all three services", 1.25, request_id_everywhere),
)
