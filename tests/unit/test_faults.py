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
