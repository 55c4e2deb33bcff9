"""The local backend for real: processes, ports, HTTP between services, state on disk."""
import os
import signal
import subprocess
import sys

import pytest
import requests

from microlab import Lab, LabError, topology
from labkit import owned_pids
from microlab.local.processes import alive



def _pids(lab: Lab) -> list[int]:
    return list(owned_pids(lab).values())


def test_services_full_order_flow_over_real_http(local_lab):
    local_lab.up("services")
    users, orders = local_lab.url("user-service"), local_lab.url("order-service")
    ada = requests.post(f"{users}/users", json={"name": "Ada", "email": "ada@example.org"}, timeout=5).json()
    placed = requests.post(f"{orders}/orders", json={"user_id": ada["id"], "items": [
        {"sku": "SKU-BOOK", "quantity": 1}, {"sku": "SKU-MUG", "quantity": 2}]},
        headers={"X-Request-ID": "flow-42"}, timeout=5)
    assert placed.status_code == 201, placed.text
    assert placed.json()["total"] == 74.99
    assert placed.headers["X-Request-ID"] == "flow-42"
    # the id crossed the hop: user-service logged the validation call under it
    assert "request_id=flow-42 GET /users/" in local_lab.logs("user-service", tail=200)
    assert [o["id"] for o in requests.get(f"{orders}/users/{ada['id']}/orders", timeout=5).json()] == [
        placed.json()["id"]]


def test_course_text_get_user_orders_works_with_only_the_base_url_changed(local_lab):
    local_lab.up("services")
    base = local_lab.url("order-service")

    def get_user_orders(user_id):  # the course text's function, base URL swapped in
        response = requests.get(f"{base}/users/{user_id}/orders", timeout=5)
        if response.status_code == 200:
            return response.json()
        elif response.status_code == 404:
            return []
        raise RuntimeError(f"Order service returned {response.status_code}")

    assert get_user_orders(12345) == []
    requests.post(f"{local_lab.url('user-service')}/users", json={"name": "B", "email": "b@x.io"}, timeout=5)
    assert get_user_orders(1) == []


def test_user_service_down_gives_a_clear_503(local_lab):
    local_lab.up("services")
    os.killpg(owned_pids(local_lab)["user-service"], signal.SIGKILL)
    r = requests.post(f"{local_lab.url('order-service')}/orders",
                      json={"user_id": 1, "items": [{"sku": "SKU-MUG", "quantity": 1}]}, timeout=10)
    assert r.status_code == 503 and "user-service is unavailable" in r.json()["error"]
    assert local_lab.status()["user-service"].state == "exited"
    local_lab.up("services")  # heals the dead one, keeps the rest
    assert local_lab.status()["user-service"].state == "healthy"


def test_monolith_up_and_down_leaves_no_process(local_lab):
    local_lab.up("monolith")
    assert requests.get(f"{local_lab.url('monolith')}/health", timeout=5).json()["status"] == "ok"
    pids = _pids(local_lab)
    local_lab.down()
    assert pids and not [p for p in pids if alive(p)]


def test_up_twice_is_harmless(local_lab):
    local_lab.up("services")
    first = _pids(local_lab)
    local_lab.up("services")
    assert _pids(local_lab) == first


def test_a_second_process_sees_and_stops_the_lab(local_lab, lab_name):
    local_lab.up("services")
    run = [sys.executable, "-m", "microlab.cli", "--lab", lab_name, "--backend", "local"]
    status = subprocess.run(run + ["status"], capture_output=True, text=True, timeout=60)
    rows = status.stdout.splitlines()[2:]  # after the title and the column names
    assert sum(" healthy " in row for row in rows) == len(topology.stack("services")), status.stdout
    url = subprocess.run(run + ["url", "order-service"], capture_output=True, text=True, timeout=60)
    assert url.stdout.strip() == local_lab.url("order-service")
    pids = _pids(local_lab)
    subprocess.run(run + ["down"], check=True, timeout=60)
    assert not [p for p in pids if alive(p)]


def test_down_works_after_the_starting_process_died(lab_name):
    code = f"from microlab import Lab; Lab(backend='local', name={lab_name!r}).up('monolith')"
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120, capture_output=True)
    lab = Lab(backend="local", name=lab_name, quiet=True)  # a new "kernel"
    pids = _pids(lab)
    assert pids and all(alive(p) for p in pids)
    lab.down()
    assert not [p for p in pids if alive(p)]


def test_fault_injection_from_the_lab_api(local_lab):
    local_lab.up("services")
    local_lab.fault("payment-service", error_rate=1.0)
    assert requests.get(f"{local_lab.url('payment-service')}/payments", timeout=5).status_code == 500
    local_lab.fault("payment-service")
    assert requests.get(f"{local_lab.url('payment-service')}/payments", timeout=5).status_code == 200
    with pytest.raises(LabError, match="error_rate"):
        local_lab.fault("payment-service", error_rate=2)


def test_errors_a_user_can_act_on(local_lab, monkeypatch):
    with pytest.raises(LabError, match="user-service is not running"):
        local_lab.url("user-service")
    with pytest.raises(ValueError, match="valid names: .*order-service"):
        local_lab.url("ordr-service")
    with pytest.raises(ValueError, match="choose one of: monolith, services"):
        local_lab.up("microservices")
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        offset = topology.fixed_port(0, "monolith")  # the port plan: base + the name's index
        monkeypatch.setenv("MICROLAB_PORT_BASE", str(port - offset))
        with pytest.raises(LabError, match=f"port {port} .*already in use"):
            local_lab.up("monolith")


def test_a_service_that_dies_at_start_shows_its_log(local_lab, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:1/none")
    from microlab.kinds import service

    original = service.launch

    def broken_launch(component, port, ctx):  # a database no one can reach
        spec = original(component, port, ctx)
        spec.env["DATABASE_URL"] = "postgresql+psycopg://nobody@127.0.0.1:1/none"
        return spec

    monkeypatch.setattr(service, "launch", broken_launch)
    with pytest.raises(LabError, match="monolith exited at start. Last lines of .*\n.*"):
        local_lab.up("monolith")


def test_stop_one_service_then_up_brings_it_back_on_the_same_address(local_lab):
    local_lab.up("monolith")
    url = local_lab.url("monolith")
    local_lab.stop("monolith")
    assert local_lab.status()["monolith"].state == "stopped"
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{url}/health", timeout=2)
    local_lab.up("monolith")
    assert local_lab.url("monolith") == url
    assert requests.get(f"{url}/health", timeout=5).status_code == 200


def test_a_reused_pid_is_never_signalled(local_lab):
    """Pids wrap around on a busy machine: a record whose pid now names another process
    (here: this test's own process) must be treated as gone, not killed."""
    from microlab import state

    local_lab.up("monolith")
    st = state.load_lab(local_lab.name)
    rec = st.processes["monolith"]
    real_pid = rec.pid
    rec.pid = os.getpid()  # same pid number, different process (different start time)
    state.save_lab(local_lab.name, st)
    assert local_lab.status()["monolith"].state == "exited"
    local_lab.down()  # must not SIGTERM us; we are still here to assert it
    os.killpg(real_pid, signal.SIGKILL)
