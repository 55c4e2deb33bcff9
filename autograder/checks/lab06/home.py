"""Exercise 4 of 06, MOBILE_BFF: the student's service deployed as mobile-bff into the
grader's lab (confined), behind the grader's own mobile-gateway config. Home screens of the
grader's users (one with orders, one without, one unknown) are compared with what the
services answer the grader directly, with one item sold out in inventory-service's own
database; the calls the BFF made are counted in the services' request logs."""
from __future__ import annotations

import json
import secrets

import httpx
from microlab.requestlog import parse
from microlab_grading.exercise import Check, CheckFailed, Context, NotAnswered
from sqlalchemy import create_engine, text

from .common import LogWindow, place, run
from .mobile import BFF, GATEWAY, deploy_fresh

UPSTREAMS = ("user-service", "order-service", "inventory-service")
# The grader's own mobile-gateway: the home screen behind /m/home.
ROUTE = json.dumps({"_format_version": "3.0", "services": [
    {"name": BFF, "url": f"http://{BFF}:8080/home", "routes": [{"name": "home", "paths": ["/m/home"]}]}]})


def _deployed(ctx: Context) -> None:
    if "deployed" in ctx.cache:
        return
    code = run(ctx, "result = globals().get('MOBILE_BFF')")
    if not isinstance(code, str) or "app" not in code:
        raise NotAnswered("MOBILE_BFF must be the source of your service (a string defining app = FastAPI())")
    try:
        deploy_fresh(ctx, BFF, code)
    except Exception as exc:  # the student's code did not start: its log says why
        raise CheckFailed(f"your mobile-bff did not start: {str(exc)[-300:]}") from None
    ctx.lab.gateway(GATEWAY).apply(ROUTE)
    ctx.cache["deployed"] = True


def _new_user(ctx: Context) -> int:
    tag = secrets.token_hex(5)
    user = httpx.post(f"{ctx.lab.url('user-service')}/users", timeout=10,
                      json={"name": f"Grader {tag}", "email": f"grader-{tag}@example.org"})
    user.raise_for_status()
    return user.json()["id"]


def _sell_out(ctx: Context, sku: str) -> None:
    engine = create_engine(ctx.lab.database_url("inventory-service"))
    try:
        with engine.begin() as conn:
            conn.execute(text("UPDATE items SET stock = 0 WHERE sku = :sku"), {"sku": sku})
    finally:
        engine.dispose()


def _truth(ctx: Context, user_id: int) -> dict:
    """The screen as the grader composes it from the services' own answers."""
    get = lambda service, path: httpx.get(f"{ctx.lab.url(service)}{path}", timeout=10).json()  # noqa: E731
    return {"user": get("user-service", f"/users/{user_id}"),
            "orders": [{"id": o["id"], "status": o["status"], "total": o["total"]}
                       for o in get("order-service", f"/users/{user_id}/orders")],
            "in_stock": [i["sku"] for i in get("inventory-service", "/inventory") if i["stock"] > 0]}


def _screens(ctx: Context) -> dict:
    """Three home screens through the gateway, each with a request id of the grader's."""
    if "screens" not in ctx.cache:
        _deployed(ctx)
        busy, new = _new_user(ctx), _new_user(ctx)
        skus = ["SKU-BOOK", "SKU-MUG", "SKU-SHIRT", "SKU-STICKER"]
        for sku in ctx.rng.sample(skus, ctx.rng.randint(2, 3)):
            place(ctx, busy, sku, ctx.rng.randint(1, 3))
        _sell_out(ctx, ctx.rng.choice([s for s in skus if s != "SKU-MUG"]))
        users = {"busy": busy, "new": new, "unknown": busy + ctx.rng.randint(10_000, 90_000)}
        rids = {who: f"grader-home-{who}-{secrets.token_hex(5)}" for who in users}
        window = LogWindow(ctx.lab, UPSTREAMS)
        with httpx.Client() as client:
            got = {who: client.get(f"{ctx.lab.url(GATEWAY)}/m/home/{users[who]}", timeout=20,
                                   headers={"X-Request-ID": rids[who]}) for who in ("busy", "new")}
            calls = {s: parse("\n".join(window.lines(s))) for s in UPSTREAMS}  # before the unknown user's screen
            got["unknown"] = client.get(f"{ctx.lab.url(GATEWAY)}/m/home/{users['unknown']}", timeout=20,
                                        headers={"X-Request-ID": rids["unknown"]})
        # the same two screens composed by the grader, one call each: what the services log
        # for that (order-service asks user-service too) is what the BFF's calls must match
        window = LogWindow(ctx.lab, UPSTREAMS)
        truth = {who: _truth(ctx, users[who]) for who in ("busy", "new")}
        expected = {s: len(parse("\n".join(window.lines(s)))) for s in UPSTREAMS}
        ctx.cache["screens"] = users, rids, got, truth, (calls, expected)
    return ctx.cache["screens"]


def _screen(ctx: Context, who: str) -> tuple[dict, dict]:
    users, _, got, truth, _ = _screens(ctx)
    answer = got[who]
    if answer.status_code != 200:
        raise CheckFailed(f"GET /m/home/{users[who]} answered {answer.status_code}: {answer.text[:200]}")
    try:
        body = answer.json()
    except ValueError:
        raise CheckFailed(f"GET /m/home/{users[who]} did not answer JSON: {answer.text[:120]}") from None
    if not isinstance(body, dict) or set(body) != {"user", "orders", "in_stock"}:
        raise CheckFailed(f"expected the keys user, orders and in_stock; got {str(body)[:160]}")
    return body, truth[who]


def _same(got: dict, want: dict, keys: tuple[str, ...], who: str) -> None:
    for key in keys:
        if got[key] != want[key]:
            raise CheckFailed(f"{who}: {key} should be {str(want[key])[:200]}; got {str(got[key])[:200]}")


def customer_screen(ctx: Context) -> None:
    _same(*_screen(ctx, "busy"), ("user", "orders"), "a customer with orders")


def new_customer_screen(ctx: Context) -> None:
    _same(*_screen(ctx, "new"), ("user", "orders", "in_stock"), "a customer without orders")


def in_stock(ctx: Context) -> None:
    _same(*_screen(ctx, "busy"), ("in_stock",), "with one item sold out")


def unknown_user(ctx: Context) -> None:
    users, _, got, _, _ = _screens(ctx)
    if got["unknown"].status_code != 404:
        raise CheckFailed(f"user {users['unknown']} does not exist: expected 404, got {got['unknown'].status_code} "
                          f"{got['unknown'].text[:120]}")


def one_call_each(ctx: Context) -> None:
    _, rids, _, _, (calls, expected) = _screens(ctx)
    for service, requests in calls.items():
        if len(requests) != expected[service]:
            raise CheckFailed(f"two home screens, one call to each service per screen, make {expected[service]} "
                              f"calls reach {service} (order-service asks it too); its log shows {len(requests)}: "
                              + ", ".join(f"{r.method} {r.path}" for r in requests[:6]))
        missing = [who for who in ("busy", "new") if not any(r.request_id == rids[who] for r in requests)]
        if missing:
            raise CheckFailed(f"the X-Request-ID of the screen ({rids[missing[0]]}) is not on the call to {service}: "
                              "pass the id your endpoint received to every call")


SCREEN = "a customer's user and orders"
CHECKS = (
    Check(SCREEN, 1.25, customer_screen),
    Check("a new customer's screen", 0.5, new_customer_screen),
    Check("sold-out items are left out", 0.5, in_stock, needs=(SCREEN,)),
    Check("an unknown user gets 404", 0.5, unknown_user, needs=(SCREEN,)),
    Check("one call to each service per screen, with the request id", 1.25, one_call_each, needs=(SCREEN,)),
)
