"""lab.deploy on the local backend with the real broker: a student's consumer and service run
as lab components, resume from their group's committed offsets, survive bad events, and go
away with the lab."""
from __future__ import annotations

import json
import time
import uuid

import httpx
import pytest
from kafka import KafkaProducer
from sqlalchemy import create_engine, text

from labkit import owned_pids
from microlab import Lab
from microlab.local.processes import alive

# A consumer that counts events per key in its own database; "boom" events always fail.
COUNTER = '''
import os
from sqlalchemy import create_engine, text
engine = create_engine(os.environ["DATABASE_URL"])
with engine.begin() as c:
    c.execute(text("CREATE TABLE IF NOT EXISTS counts (k TEXT PRIMARY KEY, n INTEGER)"))

def handle(event):
    if event.get("boom"):
        raise RuntimeError("boom")
    with engine.begin() as c:
        c.execute(text("INSERT INTO counts VALUES (:k, 1) ON CONFLICT (k) DO UPDATE SET n = n + 1"),
                  {"k": event["k"]})
'''
SERVICE = '''
from fastapi import FastAPI
app = FastAPI()

@app.get("/version")
def version():
    return {"version": VERSION}

VERSION = 1
'''


@pytest.fixture(scope="module")
def lab():
    lab = Lab(backend="local", name=f"deploy-{uuid.uuid4().hex[:6]}", quiet=True)
    lab.up("services")
    yield lab
    pids = list(owned_pids(lab).values())
    lab.down()
    assert pids and not [p for p in pids if alive(p)], "down left processes behind"
    assert not (lab.backend.dir / "deployed").exists()


def produce(lab, topic: str, values: list) -> None:
    producer = KafkaProducer(bootstrap_servers=lab.kafka_bootstrap)
    for value in values:
        raw = value if isinstance(value, bytes) else json.dumps(value).encode()
        producer.send(topic, raw, key=b"k")
    producer.flush()
    producer.close()


def counts(lab, name: str) -> dict[str, int]:
    with create_engine(lab.database_url(name)).connect() as conn:
        return dict(conn.execute(text("SELECT k, n FROM counts")).all())


def wait_for(predicate, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError("condition not reached in time")


def test_a_consumer_counts_survives_bad_events_and_resumes_after_a_restart(lab):
    topic, group = f"t-{uuid.uuid4().hex[:6]}", f"g-{uuid.uuid4().hex[:6]}"
    lab.deploy("counter", COUNTER, topic=topic, group=group)
    assert {r.name: r.state for r in lab.status()}["counter"] == "healthy"
    produce(lab, topic, [{"event_type": "t", "k": "a"}, b"not json", {"event_type": "t", "boom": True},
                         {"event_type": "t", "k": "a"}, {"event_type": "t", "k": "b"}])
    wait_for(lambda: lab.lag(group, topic).total == 0)
    assert counts(lab, "counter") == {"a": 2, "b": 1}  # the bad and the failing ones skipped
    log = lab.logs("counter", tail=200)
    assert "skipped" in log and "gave up on" in log
    lab.stop("counter")
    produce(lab, topic, [{"event_type": "t", "k": "b"}] * 3)
    assert lab.lag(group, topic).total == 3  # nobody consumes while it is down
    lab.up("services")
    wait_for(lambda: lab.lag(group, topic).total == 0)
    assert counts(lab, "counter") == {"a": 2, "b": 4}  # resumed: nothing lost, nothing twice


def test_a_service_answers_logs_its_requests_and_a_redeploy_replaces_its_code(lab):
    lab.deploy("versioned", SERVICE)
    url = lab.url("versioned")
    assert httpx.get(f"{url}/version", headers={"X-Request-ID": "rid-v1"}).json() == {"version": 1}
    assert "rid-v1 GET /version -> 200" in lab.logs("versioned")
    lab.fault("versioned", error_rate=1.0)  # hosted like the shop's services: faults apply too
    assert httpx.get(f"{url}/version").status_code == 500
    lab.fault("versioned")
    lab.deploy("versioned", SERVICE.replace("VERSION = 1", "VERSION = 2"))
    assert lab.url("versioned") == url  # the same address, new code
    assert httpx.get(f"{url}/version").json() == {"version": 2}


def test_code_that_fails_at_start_is_reported_with_its_log(lab):
    from microlab import LabError

    with pytest.raises(LabError, match="ZeroDivisionError"):
        lab.deploy("broken", "x = 1 / 0\napp = None\n")


def test_undeploy_removes_the_component_and_its_database(lab):
    lab.deploy("short-lived", SERVICE)
    pid = owned_pids(lab)["short-lived"]
    data = lab.backend.dir / "data" / "short-lived"
    assert data.exists()
    lab.undeploy("short-lived")
    assert not alive(pid) and not data.exists()
    assert "short-lived" not in {r.name for r in lab.status()}
    from microlab import LabError

    with pytest.raises(LabError, match="was not deployed"):
        lab.undeploy("user-service")
