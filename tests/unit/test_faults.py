import time

import pytest



def test_error_rate_one_fails_every_request_but_health(make_client):
    c = make_client("payment_service")
    assert c.put("/admin/faults", json={"latency_ms": 0, "error_rate": 1.0}).status_code == 200
    r = c.get("/payments")
    assert r.status_code == 500 and "injected fault" in r.json()["error"]
    assert c.get("/health").status_code == 200  # the lab must still see it alive


def test_latency_is_added_and_cleared(make_client):
    c = make_client("payment_service")
    c.put("/admin/faults", json={"latency_ms": 300, "error_rate": 0})
    started = time.perf_counter()
    c.get("/payments")
    assert time.perf_counter() - started >= 0.3
    assert c.put("/admin/faults", json={"latency_ms": 0, "error_rate": 0}).json() == {
        "latency_ms": 0, "error_rate": 0.0}


def test_faults_from_environment(make_client):
    c = make_client("payment_service", FAULT_ERROR_RATE="1")
    assert c.get("/admin/faults").json()["error_rate"] == 1.0


@pytest.mark.parametrize("body", [{"error_rate": 1.5}, {"latency_ms": -1}])
def test_bad_fault_settings_are_refused(make_client, body):
    r = make_client("payment_service").put("/admin/faults", json=body)
    assert r.status_code == 422 and r.json()["fields"][0]["field"] in body


TOKEN = {"X-Microlab-Admin-Token": "the-labs-token"}


def test_admin_routes_need_the_labs_token(make_client):
    c = make_client("payment_service", MICROLAB_ADMIN_TOKEN="the-labs-token")
    body = {"latency_ms": 0, "error_rate": 1.0}
    assert c.put("/admin/faults", json=body).status_code == 401
    assert c.get("/admin/faults").status_code == 401
    assert c.put("/admin/faults", json=body, headers={"X-Microlab-Admin-Token": "another-lab"}).status_code == 403
    assert c.get("/payments").status_code == 200  # nothing was set by the refused calls
    assert c.put("/admin/faults", json=body, headers=TOKEN).status_code == 200
    assert c.get("/payments").status_code == 500


def test_an_edge_fault_fails_only_the_calls_to_that_service(make_client):
    # order-service's user-service is nowhere: only the injected fault can answer first
    c = make_client("order_service", USER_SERVICE_URL="http://127.0.0.1:9", UPSTREAM_TIMEOUT_S="0.5")
    set_ = c.put("/admin/faults", json={"latency_ms": 0, "error_rate": 1.0, "edge": "user-service"})
    assert set_.json()["edges"] == {"user-service": {"latency_ms": 0, "error_rate": 1.0}}
    r = c.get("/users/1/orders")
    assert r.status_code == 503 and "injected fault on this edge" in r.json()["error"]
    assert c.get("/orders").status_code == 200  # the service itself answers as before
    cleared = c.put("/admin/faults", json={"latency_ms": 0, "error_rate": 0, "edge": "user-service"})
    assert "edges" not in cleared.json()
    assert "no connection" in c.get("/users/1/orders").json()["error"]  # a real call again


def test_edge_latency_beyond_the_timeout_is_that_timeout(make_client):
    c = make_client("order_service", USER_SERVICE_URL="http://127.0.0.1:9", UPSTREAM_TIMEOUT_S="0.3")
    c.put("/admin/faults", json={"latency_ms": 5000, "edge": "user-service"})
    started = time.perf_counter()
    r = c.get("/users/1/orders")
    took = time.perf_counter() - started
    assert r.status_code == 503 and "did not answer within 0.3 s" in r.json()["error"]
    assert 0.3 <= took < 2


def test_a_paused_consumer_is_asked_for_and_cleared(make_client):
    from labs.common import faults

    c = make_client("payment_service")
    assert c.put("/admin/faults", json={"consumer_paused": True}).json() == {
        "latency_ms": 0, "error_rate": 0.0, "consumer_paused": True}
    assert faults.consumer_paused() and c.get("/payments").status_code == 200  # HTTP still answers
    c.put("/admin/faults", json={"latency_ms": 0, "error_rate": 0})
    assert not faults.consumer_paused()
