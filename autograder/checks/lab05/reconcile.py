"""Exercise 3 of 05, find_inconsistent(order_ids): the grader places orders, lets the saga
finish, then seeds inconsistencies directly in the owners' databases (a paid order whose
payment row is gone, a paid order whose stock was released, a failed payment still holding
stock, a rejected order that was charged) beside consistent orders of the same statuses.
A "finds" check passes only when the broken order is reported and no consistent order of its
status is: reporting everything finds nothing. All of them need the student's code to have
asked the three owners through their APIs (their request logs say)."""
from __future__ import annotations

from microlab_grading.exercise import Check, CheckFailed, Context

from .common import (SERVICES, LogWindow, over_limit_items, paid_items, place, rejected_items, run, settled,
                     sql)

ASKED = "asks the three owners through their APIs"


def _seeded(ctx: Context) -> dict:
    """{role: [order ids]}; roles "paid-ok", "failed-ok", "rejected-ok" are consistent."""
    if "orders" not in ctx.cache:
        roles = {"paid-ok": [place(ctx, paid_items(ctx)) for _ in range(ctx.rng.randint(1, 3))],
                 "no-payment": [place(ctx, paid_items(ctx))], "stock-released": [place(ctx, paid_items(ctx))],
                 "failed-ok": [place(ctx, over_limit_items(ctx))], "still-holding": [place(ctx, over_limit_items(ctx))],
                 "rejected-ok": [place(ctx, rejected_items(ctx))], "charged": [place(ctx, rejected_items(ctx))]}
        settled(ctx, [i for ids in roles.values() for i in ids])
        (gone,), (released,), (charged,) = roles["no-payment"], roles["stock-released"], roles["charged"]
        sql(ctx, "payment-service", "DELETE FROM payments WHERE order_id = :o", o=gone)
        sql(ctx, "inventory-service", "UPDATE reservations SET status = 'released' WHERE order_id = :o", o=released)
        for order_id in roles["failed-ok"]:  # what the compensation does
            sql(ctx, "inventory-service", "UPDATE reservations SET status = 'released' WHERE order_id = :o", o=order_id)
        cents = ctx.rng.randint(1000, 90_000)
        sql(ctx, "payment-service", "INSERT INTO payments (order_id, amount_cents, status, reason) "
            "VALUES (:o, :c, 'completed', '')", o=charged, c=cents)
        for order_id in roles["still-holding"]:  # a compensator of an earlier exercise may run
            sql(ctx, "inventory-service", "UPDATE reservations SET status = 'reserved' WHERE order_id = :o", o=order_id)
        ctx.cache["orders"] = roles
    return ctx.cache["orders"]


def _reported(ctx: Context) -> tuple[set, dict]:
    if "reported" not in ctx.cache:
        roles = _seeded(ctx)
        asked = sorted((i for ids in roles.values() for i in ids), key=lambda _: ctx.rng.random())
        window = LogWindow(ctx.lab, SERVICES)
        got = run(ctx, f"result = find_inconsistent({asked})", timeout=60)
        ctx.cache["logs"] = {s: window.lines(s) for s in ("order-service", "inventory-service", "payment-service")}
        if not isinstance(got, list) or not all(isinstance(i, int) for i in got):
            raise CheckFailed(f"find_inconsistent must return a list of order ids, got {got!r:.120}")
        ctx.cache["reported"] = set(got)
    return ctx.cache["reported"], ctx.cache["logs"]


def asks_the_owners(ctx: Context) -> None:
    _, logs = _reported(ctx)
    paths = {"order-service": " GET /orders", "inventory-service": " GET /reservations/",
             "payment-service": " GET /payments"}
    silent = [s for s, path in paths.items() if not any(path in line for line in logs[s])]
    if silent:
        raise CheckFailed(f"{', '.join(silent)} answered no request of find_inconsistent: read each owner's data "
                          "through its API (its database is not yours)")


def _finds(role: str, fellows: str, what: str):
    def check(ctx: Context) -> None:
        reported, _ = _reported(ctx)
        roles = _seeded(ctx)
        (broken,) = roles[role]
        if broken not in reported:
            raise CheckFailed(f"order {broken} is {what}: find_inconsistent did not report it")
        wrongly = sorted(reported & set(roles[fellows]))
        if wrongly:
            raise CheckFailed(f"it also reported {wrongly}, consistent orders of the same status: a check that "
                              "reports them cannot tell the broken one apart")
    return check


CHECKS = (
    Check(ASKED, 1.0, asks_the_owners),
    Check("finds a paid order without its payment", 0.75,
          _finds("no-payment", "paid-ok", "paid but payment-service has no payment for it"), needs=(ASKED,)),
    Check("finds a paid order whose stock was released", 0.75,
          _finds("stock-released", "paid-ok", "paid but its reservation was released"), needs=(ASKED,)),
    Check("finds a failed payment still holding stock", 0.75,
          _finds("still-holding", "failed-ok", "payment_failed and its stock is still reserved"), needs=(ASKED,)),
    Check("finds a rejected order that was charged", 0.75,
          _finds("charged", "rejected-ok", "rejected by inventory yet charged by payment-service"), needs=(ASKED,)),
)
