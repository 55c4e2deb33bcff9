"""Exercise 1 of 06, KONG_YML: the student's cell runs with a limit and consumers of the
grader's; the text is applied to the grader's own gateway and probed. What reached the
services is read from their request logs, never from the gateway's word."""
from __future__ import annotations

import time

import httpx
from microlab_grading.exercise import Check, CheckFailed, Context

from .common import (APPS, NOTEBOOK_LIMIT, Answer, LogWindow, applied, consumers, customer, probe, reached, run,
                     token)

API = "/api/v1"


def limit(ctx: Context) -> int:
    if "limit" not in ctx.cache:
        ctx.cache["limit"] = ctx.rng.choice([n for n in range(3, 9) if n != NOTEBOOK_LIMIT])
    return ctx.cache["limit"]


def configured(ctx: Context) -> None:
    """The student's KONG_YML on the grader's gateway (once per submission)."""
    if "configured" not in ctx.cache:
        try:
            applied(ctx, "gateway", run(ctx, "result = KONG_YML", ORDERS_PER_SECOND=limit(ctx)))
            ctx.cache["configured"] = ""
        except CheckFailed as exc:
            ctx.cache["configured"] = str(exc)
    if ctx.cache["configured"]:
        raise CheckFailed(ctx.cache["configured"])


def _gateway(ctx: Context) -> str:
    return ctx.lab.url("gateway") + API


def inventory_public(ctx: Context) -> None:
    direct = httpx.get(f"{ctx.lab.url('inventory-service')}/inventory", timeout=10).json()
    sku = ctx.rng.choice(direct)["sku"]
    with httpx.Client() as client:
        listing = probe(client, "GET", f"{_gateway(ctx)}/inventory")
        item = probe(client, "GET", f"{_gateway(ctx)}/inventory/{sku}")
    if listing.status != 200 or listing.body != direct:
        raise CheckFailed(f"an anonymous GET {API}/inventory should get inventory-service's list; got {listing}")
    if item.status != 200 or not isinstance(item.body, dict) or item.body.get("sku") != sku:
        raise CheckFailed(f"an anonymous GET {API}/inventory/{sku} should get that item; got {item}")


def inventory_read_only(ctx: Context) -> None:
    window = LogWindow(ctx.lab, ("inventory-service",))
    with httpx.Client() as client:
        answers = {f"{m} {API}/inventory{p}": probe(client, m, f"{_gateway(ctx)}/inventory{p}", body=b)
                   for m, p, b in (("POST", "", {"sku": "SKU-GRADER", "stock": 1}), ("DELETE", "/SKU-MUG", None),
                                   ("PUT", "/SKU-BOOK", {"stock": 0}))}
    routed = [f"{what} got {answer}" for what, answer in answers.items() if not answer.no_route]
    if routed:
        raise CheckFailed("only GET may reach inventory-service; the gateway should answer 404 no Route matched, "
                          "but " + "; ".join(routed))
    lines = window.lines("inventory-service")
    if any(reached(lines, a) for a in answers.values()):
        raise CheckFailed("a request other than GET reached inventory-service")


def _order_url(ctx: Context) -> tuple[str, int]:
    order_id = customer(ctx)["order"]["id"]
    return f"{_gateway(ctx)}/orders/{order_id}", order_id


def orders_refuse_anonymous(ctx: Context) -> None:
    url, _ = _order_url(ctx)
    apps = consumers(ctx)
    window = LogWindow(ctx.lab, ("order-service",))
    cases = {"no token": None,
             "a token signed with another secret": token(apps["web-app"]["key"], "not-the-secret-of-any-consumer-here"),
             "a token of an unknown key": token("nobody-grader", apps["web-app"]["secret"])}
    with httpx.Client() as client:
        answers = {case: probe(client, "GET", url, bearer) for case, bearer in cases.items()}
    wrong = [f"{case}: {a}" for case, a in answers.items() if a.status != 401]
    if wrong:
        raise CheckFailed(f"GET {API}/orders/... needs a valid JWT (401 otherwise); " + "; ".join(wrong))
    if any(reached(window.lines("order-service"), a) for a in answers.values()):
        raise CheckFailed("the gateway answered 401, yet the refused request reached order-service")


def tokens_open_orders(ctx: Context) -> None:
    url, order_id = _order_url(ctx)
    window = LogWindow(ctx.lab, ("order-service",))
    with httpx.Client() as client:
        answers = {app: probe(client, "GET", url, token(c["key"], c["secret"])) for app, c in consumers(ctx).items()}
    for app, answer in answers.items():
        if answer.status != 200 or not isinstance(answer.body, dict) or answer.body.get("id") != order_id:
            raise CheckFailed(f"with a valid token of {app!r} (its key and secret from CONSUMERS), GET {API}/orders/"
                              f"{order_id} should get the order; got {answer}")
    if not all(reached(window.lines("order-service"), a) for a in answers.values()):
        raise CheckFailed("the gateway answered 200, but order-service never got the request")


def _burst_in_one_second(client: httpx.Client, url: str, first: str, second: str, n: int):
    """n + 1 calls of one consumer, then one of the other, inside one clock second (Kong's
    windows are aligned to it): retried when a loaded machine let them straddle two."""
    for _ in range(4):
        time.sleep(1.02 - time.time() % 1)
        began = time.time()
        burst = [probe(client, "GET", url, first) for _ in range(n + 1)]
        other = probe(client, "GET", url, second)
        if int(time.time()) == int(began):
            return burst, other
    raise RuntimeError(f"could not send {n + 2} requests within one second in four tries (machine overloaded)")


def limited_per_consumer(ctx: Context) -> None:
    url, _ = _order_url(ctx)
    n, apps = limit(ctx), consumers(ctx)
    first, second = (token(apps[a]["key"], apps[a]["secret"]) for a in APPS)
    window = LogWindow(ctx.lab, ("order-service",))
    with httpx.Client() as client:
        burst, other = _burst_in_one_second(client, url, first, second, n)
    statuses = [a.status for a in burst]
    if statuses[:n] != [200] * n:
        raise CheckFailed(f"with ORDERS_PER_SECOND = {n}, the first {n} calls of one app in a second should pass; "
                          f"got {statuses}")
    if statuses[n] != 429:
        raise CheckFailed(f"with ORDERS_PER_SECOND = {n}, call {n + 1} of one app in a second should get 429; "
                          f"got {statuses}")
    if other.status != 200:
        raise CheckFailed(f"the limit is per consumer: right after web-app used its {n}, mobile-app should still "
                          f"get 200; got {other}")
    if reached(window.lines("order-service"), burst[n]):
        raise CheckFailed("the gateway answered 429, yet the refused request reached order-service")


def payments_hidden(ctx: Context) -> None:
    window = LogWindow(ctx.lab, ("payment-service",))
    bearer = token(**consumers(ctx)["web-app"])
    with httpx.Client() as client:
        answers: dict[str, Answer] = {
            f"{m} {API}{p}": probe(client, m, f"{_gateway(ctx)}{p}", bearer if auth else None, body)
            for m, p, auth, body in (("GET", "/payments", False, None), ("GET", "/payments/1", True, None),
                                     ("POST", "/payments", True, {"order_id": 1, "amount": 1, "card": "4242"}))}
    routed = [f"{what} got {a}" for what, a in answers.items() if not a.no_route]
    if routed:
        raise CheckFailed("payments must not be exposed (404 no Route matched), but " + "; ".join(routed))
    if any(reached(window.lines("payment-service"), a) for a in answers.values()):
        raise CheckFailed("a request through the gateway reached payment-service")


ACCEPTED, PUBLIC, OPENS = "Kong accepts the config", "inventory is public", "each app's token opens orders"
# Refusing is easy for a config that routes nothing: the refusal checks count only once the
# same config lets the right calls through. Accepting alone is worth nothing for the same reason.
CHECKS = (
    Check(ACCEPTED, 0.0, configured),
    Check(PUBLIC, 1.25, inventory_public, needs=(ACCEPTED,)),
    Check("inventory is GET only", 0.75, inventory_read_only, needs=(PUBLIC,)),
    Check("orders refuse callers without a valid token", 1.0, orders_refuse_anonymous, needs=(ACCEPTED,)),
    Check(OPENS, 1.0, tokens_open_orders, needs=(ACCEPTED,)),
    Check("orders are limited per consumer", 1.25, limited_per_consumer, needs=(OPENS,)),
    Check("payments are not exposed", 0.75, payments_hidden, needs=(PUBLIC, OPENS)),
)
