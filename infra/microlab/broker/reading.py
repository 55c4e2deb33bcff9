"""Reading exactly what was added to a topic: note where every partition ends, do something,
then read the records after those positions (how a check sees what one call produced)."""
from __future__ import annotations

import time

from kafka import TopicPartition

from microlab.broker import client
from microlab.broker.events import decode_record


def positions(bootstrap: str, topics: list[str] | None = None, timeout_ms: int = 5000) -> dict[TopicPartition, int]:
    """The end offset of every partition of `topics` (every non-internal topic: None)."""
    consumer = client._consumer(bootstrap, timeout_ms)
    try:
        names = topics or [t for t in consumer.topics() if not t.startswith("__")]
        tps = [TopicPartition(t, p) for t in names for p in sorted(consumer.partitions_for_topic(t) or ())]
        return consumer.end_offsets(tps) if tps else {}
    finally:
        consumer.close()


def records_after(bootstrap: str, before: dict[TopicPartition, int], topics: list[str] | None = None,
                  timeout_s: float = 10.0) -> list[dict]:
    """Every record written after `before` (positions()); partitions that did not exist then
    (a topic created since) are read from their start. Rows as lab.events gives them."""
    deadline = time.monotonic() + timeout_s
    now = positions(bootstrap, topics)
    consumer = client._consumer(bootstrap, int(timeout_s * 1000))
    try:
        wanted = {tp: end for tp, end in now.items() if end > before.get(tp, 0)}
        if not wanted:
            return []
        consumer.assign(list(wanted))
        for tp in wanted:
            consumer.seek(tp, before.get(tp, 0))
        records = []
        while time.monotonic() < deadline and any(consumer.position(tp) < end for tp, end in wanted.items()):
            for batch in consumer.poll(timeout_ms=200, max_records=500).values():
                records += [r for r in batch if r.offset < wanted[TopicPartition(r.topic, r.partition)]]
    finally:
        consumer.close()
    records.sort(key=lambda r: (r.timestamp, r.topic, r.partition, r.offset))
    return [decode_record(r, []) for r in records]
