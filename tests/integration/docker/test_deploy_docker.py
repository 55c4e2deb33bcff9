"""lab.deploy on the Docker backend: a student's consumer and service run in containers of the
service image on the lab's network (the shop's names resolve there), each with its own
PostgreSQL, and go away with the lab."""
from __future__ import annotations

import json
import time
import uuid

import httpx
from kafka import KafkaProducer
from sqlalchemy import create_engine, text

from microlab.docker import containers

COUNTER = '''
import os
from sqlalchemy import create_engine, text
engine = create_engine(os.environ["DATABASE_URL"])
with engine.begin() as c:
    c.execute(text("CREATE TABLE IF NOT EXISTS seen (event_id TEXT PRIMARY KEY)"))

def handle(event):
    with engine.begin() as c:
        c.execute(text("INSERT INTO seen VALUES (:e) ON CONFLICT DO NOTHING"), {"e": event["event_id"]})
'''
# A service of the student's that calls the shop by the names the containers know each other by.
CALLER = '''
import os
import requests
from fastapi import FastAPI
app = FastAPI()

@app.get("/stock")
def stock():
    return requests.get(os.environ["INVENTORY_SERVICE_URL"] + "/inventory", timeout=5).json()
'''


def test_a_deployed_consumer_and_service_run_as_containers_of_the_lab(services_lab):
    lab, topic = services_lab, f"t-{uuid.uuid4().hex[:6]}"
    try:
        lab.deploy("counter", COUNTER, topic=topic, group=f"g-{topic}")
        lab.deploy("caller", CALLER)
        rows = {r.name: r for r in lab.status()}
        assert rows["counter"].state == rows["caller"].state == "healthy"
        assert containers.find(lab.backend.client, lab.name, "counter-db") is not None  # its own database
        stock = httpx.get(f"{lab.url('caller')}/stock", timeout=10).json()
        assert stock == httpx.get(f"{lab.url('inventory-service')}/inventory", timeout=10).json()
        producer = KafkaProducer(bootstrap_servers=lab.kafka_bootstrap)
        ids = [uuid.uuid4().hex for _ in range(3)]
        for event_id in ids:
            producer.send(topic, json.dumps({"event_type": "t", "event_id": event_id}).encode())
        producer.flush()
        producer.close()
        deadline = time.monotonic() + 60
        while lab.lag(f"g-{topic}", topic).total and time.monotonic() < deadline:
            time.sleep(0.5)
        with create_engine(lab.database_url("counter")).connect() as db:
            assert sorted(r[0] for r in db.execute(text("SELECT event_id FROM seen"))) == sorted(ids)
        assert "handled" in lab.logs("counter", tail=50)
    finally:
        for name in ("counter", "caller"):
            lab.undeploy(name)
    assert containers.find(lab.backend.client, lab.name, "counter-db") is None
