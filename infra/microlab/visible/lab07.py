"""Visible checks of 07-operating-microservices: a few public behaviours, against your own lab.
The grader runs more in a lab of its own: incidents of every kind in every service, orders
beside yours with other ids, and its own load on your service while user-service is slow
and failing."""
from __future__ import annotations

import random
import uuid

from microlab import consistency, incident, localhttp
from microlab.selfcheck import NotAnswered, check


def _answered(got, name: str):
    if got is None:
        raise NotAnswered(f"{name} returns None: complete it")
    return got


def _errors_in_inventory(diagnose, lab) -> None:
    found = incident.inject(lab, "inventory-service", "errors", random.Random(0))
    try:
        incident.traffic(lab, 2, tag="selfcheck")
        seen = incident.snapshot(lab, since=found)
    finally:
        found.clear()
    try:
        got = _answered(diagnose(seen), "diagnose")
    except NotImplementedError:
        raise NotAnswered("diagnose still raises NotImplementedError") from None
    if not isinstance(got, dict) or (got.get("service"), got.get("fault")) != ("inventory-service", "errors"):
        raise AssertionError(f"inventory-service failed most of its requests; your diagnosis: {got!r:.160}")


def diagnosis(diagnose, lab) -> bool:
    return check("lab07_diagnose", ("a failing inventory-service", lambda: _errors_in_inventory(diagnose, lab)))


def _one_order(trace, lab) -> None:
    rid = f"selfcheck-{uuid.uuid4().hex[:8]}"
    user = consistency.new_user(lab)
    placed = localhttp.post(f"{lab.url('gateway')}/api/v1/orders", headers={"X-Request-ID": rid}, timeout=10,
                        json={"user_id": user, "items": [{"sku": "SKU-MUG", "quantity": 1}]}).json()
    consistency.wait_for_status(lab, placed["id"])
    got = _answered(trace(rid, incident.snapshot(lab)), "trace")
    for step in ("order-service POST /orders 201", "orders order.created"):
        if step not in got:
            raise AssertionError(f"an order placed with request id {rid}: {step!r} is missing from {got!r:.200}")
    if got.index("order-service POST /orders 201") > got.index("orders order.created"):
        raise AssertionError("the order was placed before its order.created event: keep time order")


def tracing(trace, lab) -> bool:
    return check("lab07_trace", ("one order's steps", lambda: _one_order(trace, lab)))


def _healthy(lab, user_id: int) -> None:
    try:
        url = lab.url("greeting")
    except Exception:
        raise NotAnswered("greeting is not deployed: run the cell above") from None
    answer = localhttp.get(f"{url}/greeting/{user_id}", timeout=10)
    body = answer.json() if answer.status_code == 200 else None
    if answer.status_code == 404 and answer.json() == {"detail": "Not Found"}:  # FastAPI: no such route
        raise NotAnswered("GREETING has no GET /greeting/{user_id} yet: write it, then deploy it again")
    if answer.status_code == 200 and body is None:
        raise NotAnswered("greeting() returns None: complete GREETING, then deploy it again")
    name = localhttp.get(f"{lab.url('user-service')}/users/{user_id}", timeout=10).json()["name"]
    if not isinstance(body, dict) or body.get("name") != name or body.get("degraded") is not False:
        raise AssertionError(f"with user-service healthy, expected name {name!r} and degraded False; got "
                             f"{answer.status_code} {str(body)[:160]}")


def _degraded(lab, user_id: int) -> None:
    lab.fault("user-service", error_rate=1.0)
    try:
        answer = localhttp.get(f"{lab.url('greeting')}/greeting/{user_id}", timeout=10)
    finally:
        lab.fault("user-service")
    body = answer.json() if answer.status_code == 200 else None
    if not isinstance(body, dict) or body.get("degraded") is not True or body.get("name") is not None:
        raise AssertionError(f"with user-service failing, expected a fallback (name None, degraded True); got "
                             f"{answer.status_code} {str(body)[:160]}")


def resilience(lab, user_id: int) -> bool:
    return check("lab07_resilience", ("a real greeting", lambda: _healthy(lab, user_id)),
                 ("a fallback while user-service fails", lambda: _degraded(lab, user_id)))
