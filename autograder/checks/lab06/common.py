"""What the checks of 06 share: the grader's definitions of the notebook's locked cells, its
own consumers, user and order in its "gateways" lab, tokens it signs itself, and probes that
tell the gateway's own refusals from upstream answers."""
from __future__ import annotations

import json
import secrets
import time
import uuid
from dataclasses import dataclass

import httpx
import jwt
from microlab_grading.exercise import CheckFailed, Context
from microlab_grading.logwindow import LogWindow  # noqa: F401 (the checks' import point)

# The locked cells before the answers, as the grader's own source: the limit and the
# consumers come from the environment, so each run of a student's cells gets the grader's.
PROVIDED = '''
import json
import os

import requests

GATEWAY = os.environ.get("GATEWAY", "http://127.0.0.1:9")
ORDERS_PER_SECOND = int(os.environ.get("ORDERS_PER_SECOND", "5"))
CONSUMERS = json.loads(os.environ.get("CONSUMERS", "{}"))
'''
LAB = "gateways"
NOTEBOOK_LIMIT = 5  # the notebook's ORDERS_PER_SECOND: the grader never uses it
APPS = ("web-app", "mobile-app")
NO_ROUTE = "no Route matched with those values"


def consumers(ctx: Context) -> dict[str, dict[str, str]]:
    """Keys and secrets of the grader's own, per submission (alphanumeric: safe in YAML)."""
    if "consumers" not in ctx.cache:
        ctx.cache["consumers"] = {app: {"key": f"{app}-{ctx.rng.getrandbits(40):010x}",
                                        "secret": f"{ctx.rng.getrandbits(128):032x}"} for app in APPS}
    return ctx.cache["consumers"]


def run(ctx: Context, code: str, **env):
    base = {"GATEWAY": ctx.lab.url("gateway"), "ORDERS_PER_SECOND": str(NOTEBOOK_LIMIT),
            "CONSUMERS": json.dumps(consumers(ctx))}
    return ctx.result(code, env=base | {k: str(v) for k, v in env.items()})


def token(key: str, secret: str, ttl: int = 300) -> str:
    now = int(time.time())
    return jwt.encode({"iss": key, "iat": now, "exp": now + ttl}, secret, algorithm="HS256")


def customer(ctx: Context) -> dict:
    """The grader's user (with one order of its own), created on the services directly."""
    if "customer" not in ctx.cache:
        tag = uuid.uuid4().hex[:10]
        user = httpx.post(f"{ctx.lab.url('user-service')}/users", timeout=10,
                          json={"name": f"Grader {tag}", "email": f"grader-{tag}@example.org"})
        user.raise_for_status()
        ctx.cache["customer"] = user.json() | {"order": place(ctx, user.json()["id"])}
    return ctx.cache["customer"]


def place(ctx: Context, user_id: int, sku: str = "SKU-MUG", quantity: int = 1) -> dict:
    order = httpx.post(f"{ctx.lab.url('order-service')}/orders", timeout=15,
                       json={"user_id": user_id, "items": [{"sku": sku, "quantity": quantity}]})
    order.raise_for_status()
    return order.json()


@dataclass
class Answer:
    status: int
    body: object
    request_id: str

    @property
    def no_route(self) -> bool:
        return self.status == 404 and isinstance(self.body, dict) and self.body.get("message") == NO_ROUTE

    def __str__(self) -> str:
        return f"{self.status} {json.dumps(self.body)[:120] if self.body is not None else ''}".strip()


def probe(client: httpx.Client, method: str, url: str, bearer: str | None = None, body=None) -> Answer:
    """One request with a request id of the grader's (to find it, or its absence, in logs)."""
    rid = f"grader-probe-{secrets.token_hex(6)}"
    headers = {"X-Request-ID": rid} | ({"Authorization": f"Bearer {bearer}"} if bearer else {})
    try:
        response = client.request(method, url, headers=headers, json=body, timeout=10)
    except httpx.HTTPError as exc:
        raise CheckFailed(f"{method} {url}: the gateway did not answer ({type(exc).__name__})") from None
    try:
        parsed = response.json()
    except ValueError:
        parsed = response.text[:200] or None
    return Answer(response.status_code, parsed, rid)


def reached(lines: list[str], answer: Answer) -> bool:
    return any(answer.request_id in line for line in lines)


def applied(ctx: Context, gateway: str, text) -> None:
    """The student's config on the grader's gateway, or CheckFailed with Kong's problems."""
    from microlab.gateway.api import GatewayConfigError

    if not isinstance(text, str) or not text.strip():
        raise CheckFailed(f"expected the config as YAML text, got {text!r:.80}")
    try:
        ctx.lab.gateway(gateway).apply(text)
    except GatewayConfigError as exc:
        raise CheckFailed(f"{gateway} refused your config: {str(exc.report)[:600]}") from None
