"""Visible checks of 06-api-gateway: a few public behaviours, against your own lab. The
grader runs many more on gateways of its own, with another limit, other keys and secrets,
bursts timed to the second, expired tokens, a full method x path matrix, and users and
sold-out items of its own."""
from __future__ import annotations

import time

import httpx
import jwt

from microlab import consistency
from microlab.selfcheck import NotAnswered, check

NO_ROUTE = "no Route matched with those values"


def _text(config, name: str) -> str:
    if not isinstance(config, str) or "YOUR CODE HERE" in config or "NotImplementedError" in config:
        raise NotAnswered(f"{name} still holds the stub: write the config")
    return config


def _status(method: str, url: str, bearer: str | None = None) -> tuple[int, object]:
    headers = {"Authorization": f"Bearer {bearer}"} if bearer else {}
    response = httpx.request(method, url, headers=headers, timeout=10)
    try:
        return response.status_code, response.json()
    except ValueError:
        return response.status_code, response.text[:120]


def _expect(method: str, url: str, want, bearer: str | None = None) -> None:
    status, body = _status(method, url, bearer)
    if want == "no route":
        if status != 404 or not isinstance(body, dict) or body.get("message") != NO_ROUTE:
            raise AssertionError(f"{method} {url} should get the gateway's 404 ({NO_ROUTE}); got {status} {body}")
    elif status != want:
        raise AssertionError(f"{method} {url} should get {want}; got {status} {str(body)[:120]}")


def gateway_config(config, consumers: dict, lab) -> bool:
    gateway = f"{lab.url('gateway')}/api/v1"
    order = {}

    def applied():
        lab.gateway.apply(_text(config, "KONG_YML"))
        order.update(consistency.place_order(lab, consistency.new_user(lab)))

    def with_token():
        app = consumers["web-app"]
        bearer = jwt.encode({"iss": app["key"], "exp": int(time.time()) + 60}, app["secret"], algorithm="HS256")
        _expect("GET", f"{gateway}/orders/{order['id']}", 200, bearer)

    return check("lab06_gateway_config", ("the gateway accepts KONG_YML", applied),
                 ("inventory is public", lambda: _expect("GET", f"{gateway}/inventory", 200)),
                 ("orders need a token", lambda: _expect("GET", f"{gateway}/orders/{order['id']}", 401)),
                 ("a token of web-app opens orders", with_token),
                 ("payments are not exposed", lambda: _expect("GET", f"{gateway}/payments/1", "no route")))


def token(make_token, consumers: dict, lab) -> bool:
    app = consumers["mobile-app"]

    def valid():
        try:
            made = make_token(app["key"], app["secret"], 120)
        except NotImplementedError:
            made = None
        if made is None:
            raise NotAnswered("make_token returns None: complete it")
        claims = jwt.decode(made, app["secret"], algorithms=["HS256"])  # verifies signature and exp
        if claims.get("iss") != app["key"]:
            raise AssertionError(f"the token's iss should be the key {app['key']!r}; got {claims.get('iss')!r}")
        if abs(claims.get("exp", 0) - (time.time() + 120)) > 5:
            raise AssertionError(f"with ttl=120 the token should expire in 120 s; exp is {claims.get('exp')!r}")

    return check("lab06_make_token", ("a token for mobile-app, valid for 120 s", valid))


def mobile_surface(config, lab) -> bool:
    mobile = lab.url("mobile-gateway")
    def applied():
        lab.gateway("mobile-gateway").apply(_text(config, "MOBILE_YML"))

    return check("lab06_mobile_surface", ("mobile-gateway accepts MOBILE_YML", applied),
                 ("stock can be browsed", lambda: _expect("GET", f"{mobile}/m/inventory", 200)),
                 ("users are not exposed", lambda: _expect("GET", f"{mobile}/m/users/1", "no route")),
                 ("stock cannot be deleted", lambda: _expect("DELETE", f"{mobile}/m/inventory/SKU-BOOK", "no route")))


def home_bff(lab, user_id: int) -> bool:
    def screen():
        try:
            url = lab.url("mobile-bff")
        except Exception:
            raise NotAnswered("mobile-bff is not deployed: run the cell above") from None
        status, body = _status("GET", f"{url}/home/{user_id}")
        if status == 200 and body is None:
            raise NotAnswered("home() returns None: complete MOBILE_BFF, then deploy it again")
        if status != 200 or not isinstance(body, dict) or set(body) != {"user", "orders", "in_stock"}:
            raise AssertionError(f"GET /home/{user_id} should answer user, orders and in_stock; got {status} "
                                 f"{str(body)[:160]}")
        if body["user"].get("id") != user_id:
            raise AssertionError(f"the screen's user should be {user_id}; got {body['user']}")

    return check("lab06_home_bff", ("your user's home screen", screen),
                 ("an unknown user gets 404", lambda: _expect("GET", f"{lab.url('mobile-bff')}/home/987654321", 404)))
