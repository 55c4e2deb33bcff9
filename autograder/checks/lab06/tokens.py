"""Exercise 2 of 06, make_token(key, secret, ttl): called in a fresh interpreter with keys,
secrets and lifetimes of the grader's; the tokens are used on a gateway the grader
configured itself (web-gateway of its lab: order-service behind the jwt plugin, exp
verified), and a short-lived one is tried again after its lifetime."""
from __future__ import annotations

import json
import time

import httpx
import jwt
from microlab_grading.exercise import Check, CheckFailed, Context

from .common import APPS, consumers, customer, probe, run

GATEWAY = "web-gateway"


def _config(apps: dict) -> str:
    """The grader's own gateway for tokens: order-service behind jwt, with exp verified."""
    config = {"_format_version": "3.0",
              "services": [{"name": "order-service", "url": "http://order-service:8080/orders",
                            "routes": [{"name": "grader-orders", "paths": ["/api/v1/orders"]}],
                            "plugins": [{"name": "jwt", "config": {"claims_to_verify": ["exp"]}}]}],
              "consumers": [{"username": app, "jwt_secrets": [{"key": c["key"], "secret": c["secret"]}]}
                            for app, c in apps.items()]}
    return json.dumps(config)  # JSON is YAML


def _tokens(ctx: Context) -> dict:
    """One run of make_token: tokens for both consumers, a crossed pair, a long and a short one."""
    if "tokens" not in ctx.cache:
        apps = consumers(ctx)
        ctx.lab.gateway(GATEWAY).apply(_config(apps))
        a, b = (apps[app] for app in APPS)
        ttl = {"fresh": ctx.rng.randint(300, 900), "long": ctx.rng.randint(1000, 5000), "short": ctx.rng.randint(5, 7)}
        calls = {"a": (a["key"], a["secret"], ttl["fresh"]), "b": (b["key"], b["secret"], ttl["fresh"]),
                 "crossed": (a["key"], b["secret"], ttl["fresh"]), "long": (a["key"], a["secret"], ttl["long"]),
                 "short": (a["key"], a["secret"], ttl["short"])}
        code = ("import time as _grader_time\n_grader_at = _grader_time.time()\nresult = {'at': _grader_at, "
                + ", ".join(f"{name!r}: make_token{args!r}" for name, args in calls.items()) + "}")
        got = run(ctx, code)
        bad = {k: v for k, v in got.items() if k != "at" and not isinstance(v, str)}
        if bad:
            raise CheckFailed(f"make_token should return the token as a str; got {next(iter(bad.values()))!r:.80}")
        ctx.cache["tokens"] = got, ttl
    return ctx.cache["tokens"]


def _use(ctx: Context, bearer: str):
    order_id = customer(ctx)["order"]["id"]
    with httpx.Client() as client:
        return probe(client, "GET", f"{ctx.lab.url(GATEWAY)}/api/v1/orders/{order_id}", bearer)


def fresh_token_works(ctx: Context) -> None:
    got, _ = _tokens(ctx)
    answer = _use(ctx, got["a"])
    if answer.status != 200:
        raise CheckFailed(f"a token of make_token(key, secret, ttl) for a consumer holding (key, secret) should "
                          f"open /orders; the gateway answered {answer}")


def tokens_per_consumer(ctx: Context) -> None:
    got, _ = _tokens(ctx)
    answer = _use(ctx, got["b"])
    if answer.status != 200:
        raise CheckFailed(f"a token for the second consumer (its own key and secret) should open /orders; got {answer}")
    crossed = _use(ctx, got["crossed"])
    if crossed.status != 401:
        raise CheckFailed("make_token(key of one consumer, secret of another) should give a token the gateway "
                          f"refuses (sign with the secret you are given); got {crossed}")


def expiry_is_ttl(ctx: Context) -> None:
    got, ttl = _tokens(ctx)
    try:
        exp = jwt.decode(got["long"], options={"verify_signature": False}).get("exp")
    except jwt.PyJWTError as exc:
        raise CheckFailed(f"the token is not a JWT: {exc}") from None
    if not isinstance(exp, (int, float)) or abs(exp - (got["at"] + ttl["long"])) > 3:
        raise CheckFailed(f"make_token(..., ttl={ttl['long']}) should expire {ttl['long']} s after it was made "
                          f"(exp, in seconds since the epoch); its exp is {exp!r}, {_from_now(exp, got['at'])}")


def _from_now(exp, at: float) -> str:
    return f"{exp - at:+.0f} s from then" if isinstance(exp, (int, float)) else "not a number"


def expired_token_refused(ctx: Context) -> None:
    got, ttl = _tokens(ctx)
    ends = int(got["at"]) + ttl["short"]
    if time.time() < ends - 1 and _use(ctx, got["short"]).status != 200:
        raise CheckFailed(f"a token with ttl={ttl['short']} should work before it expires")
    time.sleep(max(0.0, ends + 1.2 - time.time()))
    answer = _use(ctx, got["short"])
    if answer.status != 401 or "token expired" not in str(answer.body):
        raise CheckFailed(f"a token made with ttl={ttl['short']} should be refused ({{'exp': 'token expired'}}) "
                          f"once {ttl['short']} s have passed; got {answer}")


FRESH = "a fresh token opens /orders"
CHECKS = (
    Check(FRESH, 1.0, fresh_token_works),
    Check("each consumer's token is its own", 0.5, tokens_per_consumer, needs=(FRESH,)),
    Check("exp is ttl seconds after now", 0.75, expiry_is_ttl, needs=(FRESH,)),
    Check("the token stops working after ttl", 0.75, expired_token_refused, needs=(FRESH,)),
)
