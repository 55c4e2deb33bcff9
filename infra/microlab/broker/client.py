"""What the lab asks a running broker, with kafka-python (the students' client).

Every call is bounded in time and closes its client, so a notebook cell never hangs on a
broker that is down and leaves no threads behind.
"""
from __future__ import annotations

import socket
import time

from kafka import KafkaAdminClient, KafkaConsumer, TopicPartition
from kafka.errors import KafkaError

from microlab.broker.events import EventTable, decode_record, rejections_for
from microlab.broker.jars import BrokerError

REJECTED_TOPIC = "events.rejected"  # where the shop's consumers record events they refuse


def _port_open(bootstrap: str, timeout: float = 0.3) -> bool:
    host, _, port = bootstrap.rpartition(":")
    try:
        with socket.create_connection((host, int(port)), timeout=timeout):
            return True
    except OSError:
        return False


def metadata_ready(bootstrap: str, timeout_ms: int = 2000) -> bool:
    """True when a real client can bootstrap and fetch cluster metadata (not just an open port)."""
    if not _port_open(bootstrap):
        return False
    try:
        admin = KafkaAdminClient(bootstrap_servers=bootstrap, bootstrap_timeout_ms=timeout_ms,
                                 request_timeout_ms=timeout_ms, client_id="microlab-probe")
    except KafkaError:
        return False
    try:
        admin.list_topics()
        return True
    except KafkaError:
        return False
    finally:
        admin.close()


def _consumer(bootstrap: str, timeout_ms: int) -> KafkaConsumer:
    if not _port_open(bootstrap, timeout=1.0):
        raise BrokerError(f"no Kafka broker answers at {bootstrap}; is the lab up? (lab.up('services'))")
    try:
        return KafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False,
                             bootstrap_timeout_ms=timeout_ms, request_timeout_ms=timeout_ms,
                             client_id="microlab-lab",
                             # full fetches cost nothing at the lab's size (not a stall fix: the
                             # fetch-session stall, kafka-python #2575, was fixed in 2.1.4; #3131
                             # was a rebalance-listener bug)
                             enable_incremental_fetch_sessions=False)
    except KafkaError as exc:
        raise BrokerError(f"Kafka at {bootstrap} did not answer: {exc}") from exc


def topics(bootstrap: str, include_internal: bool = False, timeout_ms: int = 5000) -> list[str]:
    consumer = _consumer(bootstrap, timeout_ms)
    try:
        names = consumer.topics()
    finally:
        consumer.close()
    return sorted(n for n in names if include_internal or not n.startswith("__"))


def _read_tail(consumer: KafkaConsumer, topic: str, limit: int, deadline: float) -> list:
    """The last `limit` records of each partition of `topic`, read up to the current end."""
    partitions = consumer.partitions_for_topic(topic)
    if not partitions:
        return []
    tps = [TopicPartition(topic, p) for p in sorted(partitions)]
    consumer.assign(tps)
    begin, end = consumer.beginning_offsets(tps), consumer.end_offsets(tps)
    for tp in tps:
        consumer.seek(tp, max(begin[tp], end[tp] - limit))
    records = []
    while time.monotonic() < deadline and any(consumer.position(tp) < end[tp] for tp in tps):
        for batch in consumer.poll(timeout_ms=200, max_records=500).values():
            records.extend(r for r in batch if r.offset < end[TopicPartition(r.topic, r.partition)])
    return records


def recent_events(bootstrap: str, topic: str, limit: int = 20, timeout_s: float = 10.0) -> EventTable:
    """The newest `limit` events of `topic` (oldest first), each a dict with offset, partition,
    key, value, timestamp, and the reasons any consumer gave for rejecting it."""
    if limit < 1:
        raise BrokerError(f"limit must be >= 1, got {limit}")
    deadline = time.monotonic() + timeout_s
    consumer = _consumer(bootstrap, int(timeout_s * 1000))
    try:
        known = consumer.topics()
        if topic not in known:
            listed = ", ".join(sorted(t for t in known if not t.startswith("__"))) or "none yet"
            raise BrokerError(f"topic {topic!r} does not exist; topics: {listed}")
        records = _read_tail(consumer, topic, limit, deadline)
        rejected = [] if topic == REJECTED_TOPIC or REJECTED_TOPIC not in known else \
            _read_tail(consumer, REJECTED_TOPIC, 1000, deadline)
    finally:
        consumer.close()
    records.sort(key=lambda r: (r.timestamp, r.partition, r.offset))
    reasons = rejections_for(topic, rejected)
    rows = [decode_record(r, reasons.get((r.partition, r.offset), [])) for r in records[-limit:]]
    return EventTable(topic, rows)
