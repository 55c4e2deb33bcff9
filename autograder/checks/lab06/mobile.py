"""Exercise 3 of 06, MOBILE_YML: applied to the grader's own mobile-gateway, with a
mobile-bff of the grader's behind it (it answers with the path it received), then a matrix
of methods and paths: what must reach which upstream, and what must get the gateway's own
404."""
from __future__ import annotations

import httpx
from microlab_grading.exercise import Check, CheckFailed, Context

from .common import Answer, applied, customer, probe, run

GATEWAY = "mobile-gateway"
BFF = "mobile-bff"
# The grader's stand-in for Exercise 4's service: it says which path reached it.
STAND_IN = '''
from fastapi import FastAPI

app = FastAPI()


@app.api_route("/{path:path}", methods=["GET", "POST", "PUT", "DELETE"])
def anything(path: str):
    return {"grader_bff": True, "path": "/" + path}
'''


def deploy_fresh(ctx: Context, name: str, code: str) -> None:
    """`code` deployed as `name` in the grader's lab, replacing what an earlier exercise put there."""
    from microlab import deployment

    if name in deployment.recorded(ctx.lab.name):
        ctx.lab.undeploy(name)
    ctx.lab.deploy(name, code)


def configured(ctx: Context) -> None:
    if "configured" not in ctx.cache:
        deploy_fresh(ctx, BFF, STAND_IN)
        try:
            applied(ctx, GATEWAY, run(ctx, "result = MOBILE_YML"))
            ctx.cache["configured"] = ""
        except CheckFailed as exc:
            ctx.cache["configured"] = str(exc)
    if ctx.cache["configured"]:
        raise CheckFailed(ctx.cache["configured"])


def _call(ctx: Context, method: str, path: str, body=None) -> Answer:
    with httpx.Client() as client:
        return probe(client, method, ctx.lab.url(GATEWAY) + path, body=body)


def browse_stock(ctx: Context) -> None:
    direct = httpx.get(f"{ctx.lab.url('inventory-service')}/inventory", timeout=10).json()
    sku = ctx.rng.choice(direct)["sku"]
    listing, item = _call(ctx, "GET", "/m/inventory"), _call(ctx, "GET", f"/m/inventory/{sku}")
    if listing.status != 200 or listing.body != direct:
        raise CheckFailed(f"GET /m/inventory should get inventory-service's list; got {listing}")
    if item.status != 200 or not isinstance(item.body, dict) or item.body.get("sku") != sku:
        raise CheckFailed(f"GET /m/inventory/{sku} should get that item from inventory-service; got {item}")


def orders(ctx: Context) -> None:
    user = customer(ctx)
    quantity = ctx.rng.randint(1, 3)
    items = [{"sku": "SKU-MUG", "quantity": quantity}]
    placed = _call(ctx, "POST", "/m/orders", {"user_id": user["id"], "items": items})
    if placed.status != 201 or not isinstance(placed.body, dict) or "id" not in placed.body:
        raise CheckFailed(f"POST /m/orders should place an order with order-service (201); got {placed}")
    read = _call(ctx, "GET", f"/m/orders/{placed.body['id']}")
    if read.status != 200 or not isinstance(read.body, dict) or read.body.get("id") != placed.body["id"]:
        raise CheckFailed(f"GET /m/orders/{placed.body['id']} should get the order just placed; got {read}")


def home(ctx: Context) -> None:
    user_id = customer(ctx)["id"]
    answer = _call(ctx, "GET", f"/m/home/{user_id}")
    want = {"grader_bff": True, "path": f"/home/{user_id}"}
    if answer.status != 200 or answer.body != want:
        raise CheckFailed(f"GET /m/home/{user_id} should reach mobile-bff as GET /home/{user_id}; "
                          f"got {answer}" + (f" (mobile-bff received {answer.body['path']})"
                                             if isinstance(answer.body, dict) and "path" in answer.body else ""))


def _refused(ctx: Context) -> list[tuple[str, str]]:
    user = customer(ctx)
    order_id, user_id, sku = user["order"]["id"], user["id"], "SKU-BOOK"
    return [("POST", "/m/inventory"), ("DELETE", f"/m/inventory/{sku}"), ("PUT", f"/m/inventory/{sku}"),
            ("DELETE", f"/m/orders/{order_id}"), ("PUT", f"/m/orders/{order_id}"), ("POST", f"/m/home/{user_id}"),
            ("GET", f"/m/users/{user_id}"), ("GET", "/m/payments"), ("GET", "/m/payments/1"),
            ("GET", f"/api/v1/orders/{order_id}"), ("GET", f"/api/v1/users/{user_id}"), ("GET", f"/users/{user_id}")]


def nothing_else(ctx: Context) -> None:
    routed = []
    for method, path in ctx.rng.sample(_refused(ctx), k=len(_refused(ctx))):
        answer = _call(ctx, method, path, {} if method in ("POST", "PUT") else None)
        if not answer.no_route:
            routed.append(f"{method} {path} got {answer}")
    if routed:
        raise CheckFailed("only the table's methods and paths may be routed (else 404 no Route matched); "
                          + "; ".join(routed[:4]) + (f" and {len(routed) - 4} more" if len(routed) > 4 else ""))


ACCEPTED, STOCK, ORDERS = "Kong accepts the config", "stock can be browsed", "orders can be placed and read"
CHECKS = (
    Check(ACCEPTED, 0.0, configured),
    Check(STOCK, 1.0, browse_stock, needs=(ACCEPTED,)),
    Check(ORDERS, 1.0, orders, needs=(ACCEPTED,)),
    Check("the home screen reaches mobile-bff", 1.0, home, needs=(ACCEPTED,)),
    Check("nothing else is exposed", 1.0, nothing_else, needs=(STOCK, ORDERS)),
)
