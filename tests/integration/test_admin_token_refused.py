"""A lab's admin endpoints answer only its own token; a fault on one edge (order-service's
calls to user-service) slows or fails only the requests that use that edge."""
import time

import httpx
import pytest

from microlab import LabError, admintoken


@pytest.fixture
def shop(local_lab):
    return local_lab.up("services-no-broker")


def test_admin_endpoints_refuse_calls_without_the_labs_token(shop):
    faults = f"{shop.url('payment-service')}/admin/faults"
    body = {"latency_ms": 0, "error_rate": 1.0}
    assert httpx.put(faults, json=body).status_code == 401
    assert httpx.put(faults, json=body, headers={admintoken.HEADER: "another-lab"}).status_code == 403
    assert httpx.get(f"{shop.url('payment-service')}/payments").status_code == 200
    admin = shop.gateway.admin_url
    assert httpx.post(f"{admin}/config", json={"config": "_format_version: '3.0'\n"}).status_code == 401
    assert httpx.get(f"{admin}/config").status_code == 401
    assert httpx.get(f"{admin}/status").status_code == 200  # health checks stay open
    shop.fault("payment-service", error_rate=1.0)  # the Lab API sends the token
    assert httpx.get(f"{shop.url('payment-service')}/payments").status_code == 500
    shop.fault("payment-service")
    shop.gateway.apply({"_format_version": "3.0", "services": []})


def _timed(url: str) -> tuple[int, float]:
    started = time.perf_counter()
    status = httpx.get(url, timeout=10).status_code
    return status, time.perf_counter() - started


def test_an_edge_fault_affects_only_the_calls_over_that_edge(shop):
    user = httpx.post(f"{shop.url('user-service')}/users", json={"name": "Ada", "email": "ada@example.com"})
    uid = user.json()["id"]
    orders, users = shop.url("order-service"), shop.url("user-service")
    shop.fault("order-service", latency_ms=800, edge="user-service")
    status, took = _timed(f"{orders}/users/{uid}/orders")
    assert status == 200 and took >= 0.8
    for url in (f"{orders}/orders", f"{users}/users/{uid}"):  # no call over that edge
        status, took = _timed(url)
        assert status == 200 and took < 0.8
    shop.fault("order-service", error_rate=1.0, edge="user-service")
    assert httpx.get(f"{orders}/users/{uid}/orders").status_code == 503
    assert httpx.get(f"{orders}/orders").status_code == 200
    shop.fault("order-service", edge="user-service")
    assert _timed(f"{orders}/users/{uid}/orders")[0] == 200
    with pytest.raises(LabError, match="not an HTTP service"):
        shop.fault("order-service", error_rate=1.0, edge="kafka")
