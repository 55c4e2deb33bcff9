"""07's capstone: the whole shop behind the gateway, a scripted customer journey, a failure
injected halfway (payment-service down, user-service slow), and recovery. Each step says
what it expected, what happened and how long it took; the journey passes when every step
ended right, late or not."""
from __future__ import annotations

import time
import uuid

import httpx

from microlab import consistency
from microlab.lessons.display import Table

COLUMNS = ("step", "expected", "got", "ok", "took")


def _step(rows: list, name: str, expected: str, action) -> object:
    started = time.monotonic()
    try:
        got, value = action()
    except Exception as exc:  # the journey goes on: a failed step is a row, not a traceback
        got, value = f"{type(exc).__name__}: {str(exc)[:80]}", None
    rows.append({"step": name, "expected": expected, "got": got, "ok": "PASS" if got == expected else "FAIL",
                 "took": f"{time.monotonic() - started:.1f} s"})
    return value


def _post(client: httpx.Client, url: str, body: dict) -> tuple[str, dict]:
    response = client.post(url, json=body, headers={"X-Request-ID": f"capstone-{uuid.uuid4().hex[:8]}"})
    return str(response.status_code), response.json() if response.status_code < 300 else {}


def _order(client, gateway: str, user_id: int) -> tuple[str, dict]:
    return _post(client, f"{gateway}/api/v1/orders", {"user_id": user_id, "items": [{"sku": "SKU-MUG", "quantity": 1}]})


def _waiting(status: str) -> str:
    # stock is reserved before the payment step: both mean "accepted, not paid yet"
    return "waiting" if status in ("pending", "reserved") else status


def run(lab) -> Table:
    rows: list[dict] = []
    _step(rows, "everything up", "running", lambda: (lab.up("services") and "running", None))
    gateway = lab.url("gateway")
    with httpx.Client(timeout=10) as client:
        signup = {"name": "Capstone", "email": f"cap-{uuid.uuid4().hex[:8]}@example.org"}
        user = _step(rows, "sign up through the gateway", "201",
                     lambda: _post(client, f"{gateway}/api/v1/users", signup))
        uid = (user or {}).get("id", 0)
        first = _step(rows, "order through the gateway", "201", lambda: _order(client, gateway, uid))
        _step(rows, "the order gets paid", "paid", lambda: (consistency.wait_for_status(lab, first["id"]), None))
        lab.stop("payment-service")
        lab.fault("user-service", latency_ms=500)
        late = _step(rows, "an order while payments are down", "201", lambda: _order(client, gateway, uid))
        _step(rows, "it waits, accepted (pending or reserved)", "waiting", lambda: (_waiting(
            client.get(f"{gateway}/api/v1/orders/{late['id']}").json()["status"]), None))
        lab.fault("user-service")
        _step(rows, "payments back", "running", lambda: (lab.up("services") and "running", None))
        _step(rows, "the waiting order gets paid", "paid",
              lambda: (consistency.wait_for_status(lab, late["id"]), None))
    passed = sum(r["ok"] == "PASS" for r in rows)
    return Table(COLUMNS, rows, title=f"capstone: {passed} of {len(rows)} steps passed")
