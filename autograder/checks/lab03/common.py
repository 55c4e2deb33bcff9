"""What the checks of 03 share: the grader's own definitions of the notebook's locked cells,
running the student's cells against the grader's lab, and the grader's own data in it."""
from __future__ import annotations

import time
import uuid
from contextlib import contextmanager

from microlab import localhttp
from microlab_grading.exercise import Context

# What the locked cells before the answers define, as the grader's own source. The URLs come
# from the environment, so one source serves the grader's lab and the gateway in front of it.
# The clock and sleep are taken before any student code runs: patching `time` changes nothing.
PROVIDED = '''
import os
import time
from time import monotonic as grader_clock, sleep as grader_sleep

import requests

ORDER_SERVICE = os.environ["ORDER_SERVICE"]
USER_SERVICE = os.environ["USER_SERVICE"]


class ServiceError(Exception):
    """A dependency failed: it answered with an error, too late, or not at all."""


class CircuitOpenError(Exception):
    """Raised instead of calling a dependency while the breaker is open."""


def fetch_user(user_id):
    response = requests.get(f"{USER_SERVICE}/users/{user_id}", timeout=2)
    response.raise_for_status()
    return response.json()
'''


def run(ctx: Context, code: str, order_service: str | None = None, timeout: float | None = None):
    """The answer cells, then `code`, against the grader's lab; `result` as JSON."""
    env = {"ORDER_SERVICE": order_service or ctx.lab.url("order-service"),
           "USER_SERVICE": ctx.lab.url("user-service")}
    return ctx.result(code, env=env, timeout=timeout)


@contextmanager
def stopped(ctx: Context, service: str):
    """`service` really down (its process stopped), brought back whatever happens."""
    ctx.lab.stop(service)
    try:
        yield
    finally:
        ctx.lab.up("services")


def new_user(ctx: Context) -> dict:
    tag = uuid.uuid4().hex[:10]
    response = localhttp.post(f"{ctx.lab.url('user-service')}/users",
                              json={"name": f"Grader {tag}", "email": f"grader-{tag}@example.org"}, timeout=10)
    response.raise_for_status()
    return response.json()


def place_order(ctx: Context, user_id: int) -> dict:
    items = localhttp.get(f"{ctx.lab.url('inventory-service')}/inventory", timeout=10).json()
    sku = max(items, key=lambda i: i["stock"])["sku"]
    response = localhttp.post(f"{ctx.lab.url('order-service')}/orders", timeout=10,
                              json={"user_id": user_id, "items": [{"sku": sku, "quantity": ctx.rng.randint(1, 3)}]})
    response.raise_for_status()
    return response.json()


def requests_logged(ctx: Context, service: str, path: str) -> int:
    """Requests for `path` that really reached `service`, from its own request log."""
    time.sleep(0.3)  # the service writes its log line just after it answered
    return sum(f" GET {path} -> " in line for line in ctx.lab.logs(service, tail=5000).splitlines())
