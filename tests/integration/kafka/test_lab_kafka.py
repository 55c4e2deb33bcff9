"""Kafka through the Lab API on the local backend: bootstrap address, topics, events (with
rejections), logs, a restart that keeps the data, and nothing left after down()."""
from __future__ import annotations

import json
import os
import signal
import time

import pytest
from kafka import KafkaProducer

from microlab import LabError, topology
from microlab.broker.client import REJECTED_TOPIC
from labkit import owned_pids
from microlab.local.processes import alive




def _up_kafka_only(lab):
    lab.backend.up((topology.KAFKA,), "kafka", report=lambda _m: None)


def test_lab_shows_topics_and_recent_events_with_rejections(local_lab):
    _up_kafka_only(local_lab)
    bootstrap = local_lab.kafka_bootstrap
    assert bootstrap == "{}:{}".format(*local_lab.backend.address("kafka"))
    producer = KafkaProducer(bootstrap_servers=bootstrap)
    sent = [producer.send("orders", json.dumps({"event_type": "order.created", "order_id": i}).encode(),
                          key=str(i).encode()).get(timeout=30) for i in range(5)]
    bad = producer.send("orders", b"{not json", key=b"x").get(timeout=30)
    note = {"topic": "orders", "partition": bad.partition, "offset": bad.offset,
            "consumer": "inventory-service", "reason": "malformed JSON"}
    producer.send(REJECTED_TOPIC, json.dumps(note).encode(), key=b"orders").get(timeout=30)
    producer.close()

    assert local_lab.topics() == ["events.rejected", "orders"]
    events = local_lab.events("orders", limit=3)
    assert len(events) == 3
    assert {(e["partition"], e["offset"]) for e in events} <= \
        {(m.partition, m.offset) for m in sent + [bad]}
    rejected = [e for e in local_lab.events("orders", limit=100) if e["rejected"]]
    assert [(e["key"], e["value"], e["rejected"]) for e in rejected] == [
        ("x", "{not json", ["inventory-service: malformed JSON"])]
    good = [e for e in local_lab.events("orders", limit=100) if not e["rejected"]]
    assert sorted(e["value"]["order_id"] for e in good) == [0, 1, 2, 3, 4]
    assert "<table>" in events._repr_html_()
    with pytest.raises(LabError, match="topic 'payments' does not exist; topics: events.rejected, orders"):
        local_lab.events("payments")
    assert "Kafka Server started" in local_lab.logs("kafka", tail=400)


def test_a_crashed_broker_comes_back_on_up_with_its_data(local_lab):
    _up_kafka_only(local_lab)
    before = local_lab.kafka_bootstrap
    producer = KafkaProducer(bootstrap_servers=before)
    producer.send("orders", b"kept", key=b"k").get(timeout=30)
    producer.close()
    pid = owned_pids(local_lab)["kafka"]
    os.killpg(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert local_lab.status()["kafka"].state == "exited"

    _up_kafka_only(local_lab)  # up() replaces what died, on the same port and data dir
    assert local_lab.kafka_bootstrap == before
    assert [e["value"] for e in local_lab.events("orders")] == ["kept"]


def test_kafka_bootstrap_before_up_says_what_to_do(local_lab):
    with pytest.raises(LabError, match="kafka is not running"):
        local_lab.kafka_bootstrap
