"""The Docker backend on a real engine: containers, one network per lab, a database per
service, DNS by container name, healing, and nothing left behind."""
from __future__ import annotations

import os
import subprocess
import sys
import uuid
from urllib.parse import urlsplit

import psycopg
import pytest
import requests

from microlab import Lab
from microlab.docker import containers, naming
from microlab.topology import stack


SERVICES = [c for c in stack("services") if c.kind == "service"]


def container(client, lab: Lab, name: str):
    found = containers.find(client, lab.name, name)
    assert found is not None, f"no container for {name}"
    return found


def run_python(client, lab: Lab, name: str, code: str) -> tuple[int, str]:
    result = container(client, lab, name).exec_run(["python", "-c", code])
    return result.exit_code, result.output.decode(errors="replace")


def test_monolith_up_serves_over_http_and_down_removes_everything(make_lab, find_leftovers):
    lab = make_lab()
    lab.up("monolith")
    assert requests.get(f"{lab.url('monolith')}/health", timeout=5).status_code == 200
    rows = {r.name: r for r in lab.status()}
    assert rows["monolith"].state == "healthy" and rows["monolith-db"].state == "healthy"
    assert rows["monolith-db"].kind == "database"
    assert find_leftovers(lab.name) != []  # the check below can see resources
    lab.down()
    assert find_leftovers(lab.name) == []
    assert lab.status() == []


def test_services_run_as_containers_on_one_lab_network(services_lab, docker_client):
    expected = {c.name for c in stack("services")} | {c.database.name for c in SERVICES}
    found = docker_client.containers.list(filters=naming.lab_filter(services_lab.name))
    assert {c.labels[naming.COMPONENT] for c in found} == expected
    for c in found:
        assert list(c.attrs["NetworkSettings"]["Networks"]) == [naming.network(services_lab.name)]
        for bindings in c.attrs["NetworkSettings"]["Ports"].values():
            assert {b["HostIp"] for b in bindings or []} <= {"127.0.0.1"}, "published beyond 127.0.0.1"
    assert all(r.state == "healthy" for r in services_lab.status())


def test_containers_reach_each_other_by_name(services_lab, docker_client):
    code = ("import urllib.request, socket; socket.gethostbyname('order-db'); "
            "print(urllib.request.urlopen('http://user-service:8080/health', timeout=5).status)")
    exit_code, output = run_python(docker_client, services_lab, "order-service", code)
    assert exit_code == 0 and output.strip() == "200", output
    # and the order flow crosses those names: order-service calls user- and inventory-service
    users, orders = services_lab.url("user-service"), services_lab.url("order-service")
    ada = requests.post(f"{users}/users", json={"name": "Ada", "email": "ada@example.org"}, timeout=10)
    assert ada.status_code == 201, ada.text
    placed = requests.post(f"{orders}/orders", json={"user_id": ada.json()["id"], "items": [
        {"sku": "SKU-BOOK", "quantity": 1}]}, timeout=10)
    assert placed.status_code == 201, placed.text
    order_env = container(docker_client, services_lab, "order-service").attrs["Config"]["Env"]
    assert "USER_SERVICE_URL=http://user-service:8080" in order_env


def test_each_service_is_given_only_its_own_database(services_lab, docker_client):
    for service in SERVICES:
        env = dict(e.split("=", 1) for e in container(docker_client, services_lab, service.name)
                   .attrs["Config"]["Env"])
        url = urlsplit(env["DATABASE_URL"])
        assert (url.hostname, url.username, url.path) == (
            service.database.name, service.database.user, f"/{service.database.db}")
        others = [s.database.password for s in SERVICES if s is not service]
        assert not any(p in " ".join(env.values()) for p in others), f"{service.name} sees another DB"


def test_a_database_opens_only_with_its_own_services_credentials(services_lab, docker_client):
    dbs = {s.name: s.database for s in SERVICES}
    order_db, user_db = dbs["order-service"], dbs["user-service"]
    probe = ("import psycopg\n"
             "try:\n"
             "    psycopg.connect(host='{host}', user='{user}', password='{pw}', dbname='{db}',"
             " connect_timeout=5).close(); print('open')\n"
             "except psycopg.OperationalError as e: print('refused', e)\n")
    own = probe.format(host="order-db", user=order_db.user, pw=order_db.password, db=order_db.db)
    foreign = probe.format(host="user-db", user=order_db.user, pw=order_db.password, db=user_db.db)
    superuser = probe.format(host="user-db", user="postgres", pw="", db=user_db.db)
    assert run_python(docker_client, services_lab, "order-service", own)[1].startswith("open")
    assert "refused" in run_python(docker_client, services_lab, "order-service", foreign)[1]
    assert "refused" in run_python(docker_client, services_lab, "order-service", superuser)[1]
    # the host reaches a service's database too, on 127.0.0.1, with that service's credentials
    host_url = services_lab.backend.database_url("order-service").replace("+psycopg", "")
    with psycopg.connect(host_url, connect_timeout=5) as conn:
        assert conn.execute("SELECT current_user, current_database()").fetchone() == (
            order_db.user, order_db.db)
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(host_url.replace(order_db.password, user_db.password), connect_timeout=5)


def test_gateway_routes_to_the_services_by_name(services_lab):
    response = requests.get(f"{services_lab.url('gateway')}/api/v1/inventory", timeout=10)
    assert response.status_code == 200, response.text
    assert "x-kong-request-id" in response.headers
    row = services_lab.status()["gateway"]
    assert row.state == "healthy" and ("Kong" in row.detail or "embedded gateway" in row.detail)


def test_logs_come_from_the_container(services_lab):
    assert "Uvicorn running on http://0.0.0.0:8080" in services_lab.logs("user-service", tail=200)
    assert "database system is ready to accept connections" in services_lab.logs("user-db", tail=200)


def test_killed_containers_show_in_status_and_up_heals_them_keeping_data(make_lab, docker_client):
    lab = make_lab()
    lab.up("monolith")
    base = lab.url("monolith")
    created = requests.post(f"{base}/users", json={"name": "Grace", "email": "grace@example.org"},
                            timeout=10)
    assert created.status_code == 201, created.text
    for name in ("monolith", "monolith-db"):
        container(docker_client, lab, name).kill()
    rows = {r.name: r for r in lab.status()}
    assert rows["monolith"].state == "exited" and rows["monolith-db"].state == "exited"
    lab.up("monolith")
    assert {r.state for r in lab.status()} == {"healthy"}
    again = requests.get(f"{lab.url('monolith')}/users/{created.json()['id']}", timeout=10)
    assert again.status_code == 200 and again.json()["email"] == "grace@example.org"  # the volume stayed


def test_two_labs_side_by_side_do_not_collide(make_lab, find_leftovers):
    first, second = make_lab(), make_lab()
    first.up("monolith")
    second.up("monolith")
    assert first.url("monolith") != second.url("monolith")
    made = requests.post(f"{first.url('monolith')}/users", json={"name": "Ada", "email": "a@x.org"},
                         timeout=10)
    assert made.status_code == 201, made.text
    user = f"/users/{made.json()['id']}"
    assert requests.get(f"{first.url('monolith')}{user}", timeout=10).status_code == 200
    assert requests.get(f"{second.url('monolith')}{user}", timeout=10).status_code == 404  # own database
    first.down()
    assert find_leftovers(first.name) == []
    assert requests.get(f"{second.url('monolith')}/health", timeout=5).status_code == 200


def test_down_from_another_process_after_the_creator_died(docker_images, prefix, find_leftovers):
    name = f"{prefix}-orphan"
    start = (f"import os\nfrom microlab import Lab\nLab(backend='docker', name={name!r}, quiet=True)"
             ".up('monolith')\nos._exit(0)  # the kernel dies: no down()")
    subprocess.run([sys.executable, "-c", start], check=True, timeout=240, env=os.environ)
    assert find_leftovers(name) != []
    cli = [sys.executable, "-m", "microlab.cli", "--lab", name, "down"]  # backend auto: from state
    done = subprocess.run(cli, capture_output=True, text=True, timeout=120, env=os.environ)
    assert done.returncode == 0, done.stderr
    assert find_leftovers(name) == []


def test_unknown_names_and_stopped_components_give_clear_errors(make_lab):
    from microlab import LabError
    from microlab.topology import UnknownName

    lab = make_lab()
    with pytest.raises(UnknownName, match="valid names"):
        lab.url("no-such-service")
    with pytest.raises(LabError, match="not running"):
        lab.url("user-service")


@pytest.mark.kafka
def test_kafka_answers_the_host_and_the_containers_by_name(services_lab, docker_client):
    from kafka import KafkaProducer

    topic = f"dk-{uuid.uuid4().hex[:6]}"
    assert services_lab.kafka_bootstrap.startswith("127.0.0.1:")  # the advertised host listener
    producer = KafkaProducer(bootstrap_servers=services_lab.kafka_bootstrap)
    producer.send(topic, b"hello from the host").get(timeout=60)
    producer.close()
    code = ("from kafka import KafkaConsumer\n"
            f"c = KafkaConsumer({topic!r}, bootstrap_servers='kafka:9092', auto_offset_reset='earliest',"
            " consumer_timeout_ms=30000)\n"
            "print(next(iter(c)).value.decode()); c.close()\n")
    exit_code, output = run_python(docker_client, services_lab, "order-service", code)
    assert exit_code == 0 and "hello from the host" in output, output
    assert topic in services_lab.topics()


def test_a_healed_component_keeps_its_url(make_lab, docker_client):
    """A notebook holds lab.url(...) in a variable: healing must not move it."""
    lab = make_lab()
    lab.up("monolith")
    before = {name: lab.url(name) for name in ("monolith", "monolith-db")}
    for name in before:
        container(docker_client, lab, name).kill()
    lab.up("monolith")
    assert {name: lab.url(name) for name in before} == before
    assert requests.get(f"{before['monolith']}/health", timeout=5).status_code == 200


def test_lab_stop_takes_one_container_down_and_up_brings_it_back(make_lab):
    lab = make_lab()
    lab.up("monolith")
    url = lab.url("monolith")
    lab.stop("monolith")
    assert {r.name: r for r in lab.status()}["monolith"].state != "healthy"
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{url}/health", timeout=3)
    lab.up("monolith")
    assert requests.get(f"{lab.url('monolith')}/health", timeout=10).status_code == 200


def test_owned_lists_every_container_of_the_lab_and_nothing_else(services_lab, docker_client, make_lab):
    other = make_lab()
    other.up("monolith")  # another lab's containers on the same engine must not be listed
    owned = services_lab.backend.owned()
    found = docker_client.containers.list(all=True, filters=naming.lab_filter(services_lab.name))
    assert {o.ident for o in owned} == {c.id for c in found} and len(owned) == len(found)
    assert {o.kind for o in owned} == {"container"}
    expected = {c.name for c in stack("services")} | {c.database.name for c in SERVICES}
    assert {o.component for o in owned} == expected
    assert {o.component for o in other.backend.owned()} == {"monolith", "monolith-db"}


def test_a_stopped_service_comes_back_on_the_same_url(services_lab):
    """lab.stop() is an outage on purpose: the notebook's saved URL must work again after up()."""
    url = services_lab.url("user-service")
    services_lab.stop("user-service")
    try:
        assert services_lab.status()["user-service"].state == "exited"
        with pytest.raises(requests.ConnectionError):
            requests.get(f"{url}/health", timeout=3)
    finally:
        services_lab.up("services")
    assert services_lab.url("user-service") == url
    assert requests.get(f"{url}/health", timeout=10).status_code == 200
    assert requests.get(f"{services_lab.url('gateway')}/api/v1/users/1", timeout=10).status_code in (200, 404)
