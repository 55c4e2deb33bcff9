"""lab.trace and lab.dashboard on a real lab: a request followed from the notebook through the
gateway, the services and the saga's events; the dashboard's threads acting on the lab and
ending when it is down."""
from __future__ import annotations

import threading
import time
import uuid

import pytest

from labkit import owned_pids
from microlab import Lab
from microlab.calls import session
from microlab.local.processes import alive


@pytest.fixture(scope="module")
def shop():
    lab = Lab(backend="local", name=f"dash-{uuid.uuid4().hex[:6]}", quiet=True)
    lab.up("services")
    yield lab
    pids = list(owned_pids(lab).values())
    lab.down()
    assert not [p for p in pids if alive(p)], "down left processes behind"


def wait_for(check, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.3)
    return False


def test_a_request_is_followed_through_gateway_services_and_events(shop):
    http = session()
    gateway = shop.url("gateway")
    user = http.post(f"{gateway}/api/v1/users", json={"name": "Ada", "email": f"{uuid.uuid4().hex[:8]}@x.org"}).json()
    order = http.post(f"{gateway}/api/v1/orders", json={"user_id": user["id"],
                                                        "items": [{"sku": "SKU-MUG", "quantity": 1}]})
    assert order.status_code == 201
    rid = order.request.headers["X-Request-ID"]
    assert order.headers["X-Request-ID"] == rid  # the services kept the notebook's id
    expected = {"kafka": ["order.created", "inventory.reserved", "payment.completed"]}
    assert wait_for(lambda: "payment.completed" in str(shop.trace(order)))
    t = shop.trace()  # the last call through the session: the same request
    assert t.request_id == rid
    assert t.lanes[:3] == ["notebook", "gateway", "order-service"]
    assert [s.label.split()[0] for s in t if s.lane == "kafka"] == expected["kafka"]
    handled = {(s.lane, s.label) for s in t if s.kind == "handled"}
    assert ("inventory-service", "handled order.created") in handled
    assert ("payment-service", "handled inventory.reserved") in handled
    assert any(s.lane == "user-service" and f"/users/{user['id']}" in s.label for s in t)
    assert t.plot().axes


def _dashboard_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("microlab-dashboard")]


def test_the_dashboard_stops_a_service_shows_it_down_and_ends_with_the_lab(shop):
    board = shop.dashboard(every_s=0.5)
    assert wait_for(lambda: "6 of 6 components healthy" in board.header.value)
    board._ask("stop", "payment-service")
    assert wait_for(lambda: "stopped" in board._rows["payment-service"]["health"].value)
    assert "payment-service: stop done" in board.message.value
    assert "traceback" not in board.panel.children[0].children[0].value.lower()
    board._ask("start", "payment-service")
    assert wait_for(lambda: "healthy" in board._rows["payment-service"]["health"].value, 60)
    board._ask("fault", "user-service", 300, 0.0)
    assert wait_for(lambda: "+300 ms" in board.message.value)
    shop.fault("user-service")
    board.close()  # closing the widget ends both threads
    assert wait_for(lambda: not _dashboard_threads(), 5)


def test_the_dashboard_ends_when_the_lab_is_down():
    lab = Lab(backend="local", name=f"dash-down-{uuid.uuid4().hex[:6]}", quiet=True)
    lab.up("monolith")
    try:
        board = lab.dashboard(every_s=0.5)
        assert wait_for(lambda: "1 of 1 component healthy" in board.header.value)
    finally:
        lab.down()
    assert wait_for(lambda: not board.refreshing and not _dashboard_threads(), 10)
    assert "the lab is down" in board.header.value
