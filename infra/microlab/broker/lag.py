"""How far a consumer group is behind: committed offset, end offset and lag per partition.

The committed offset is where the group resumes after a restart (the next record it will
read); the end offset is where the next produced record will land. Their difference is the
number of records the group has not processed yet. A partition the group never committed
on resumes from `auto_offset_reset` (the shop: earliest), so its lag counts from the
partition's first record.
"""
from __future__ import annotations

import html

from kafka import KafkaAdminClient, TopicPartition
from kafka.errors import KafkaError

from microlab.broker import client
from microlab.broker.jars import BrokerError

COLUMNS = ("topic", "partition", "committed", "end", "lag")


class LagTable(list):
    """Rows {topic, partition, committed, end, lag}; a table in Jupyter, text elsewhere."""

    def __init__(self, group: str, rows: list[dict]):
        super().__init__(rows)
        self.group = group

    @property
    def total(self) -> int:
        return sum(row["lag"] for row in self)

    def _cells(self, row: dict) -> list[str]:
        committed = "none yet" if row["committed"] is None else str(row["committed"])
        return [row["topic"], str(row["partition"]), committed, str(row["end"]), str(row["lag"])]

    def __str__(self) -> str:
        if not self:
            return f"(group {self.group!r} has committed nothing yet)"
        lines = [" | ".join(COLUMNS)] + [" | ".join(self._cells(r)) for r in self]
        return "\n".join(lines + [f"total lag of group {self.group!r}: {self.total}"])

    def _repr_html_(self) -> str:
        head = "".join(f"<th>{c}</th>" for c in COLUMNS)
        body = "".join("<tr>" + "".join(f"<td>{html.escape(x)}</td>" for x in self._cells(r)) + "</tr>"
                       for r in self)
        return (f"<p>group <code>{html.escape(self.group)}</code>: total lag {self.total}</p>"
                f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")


def committed_offsets(bootstrap: str, group: str, timeout_ms: int = 5000) -> dict[TopicPartition, int]:
    try:
        admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="microlab-lag",
                                 bootstrap_timeout_ms=timeout_ms, request_timeout_ms=timeout_ms)
    except KafkaError as exc:
        raise BrokerError(f"Kafka at {bootstrap} did not answer: {exc}") from exc
    try:
        found = admin.list_group_offsets({group: None}).get(group, {})
    finally:
        admin.close()
    return {tp: meta.offset for tp, meta in found.items() if meta.offset >= 0}


def group_lag(bootstrap: str, group: str, topic: str | None = None, timeout_ms: int = 5000) -> LagTable:
    if not isinstance(group, str) or not group:
        raise BrokerError("lab.lag(group): name the consumer group, e.g. lab.lag(\"payment-service\")")
    committed = committed_offsets(bootstrap, group, timeout_ms)
    consumer = client._consumer(bootstrap, timeout_ms)
    try:
        wanted = set(committed)
        if topic is not None:
            partitions = consumer.partitions_for_topic(topic)
            if not partitions:
                raise BrokerError(f"topic {topic!r} does not exist; topics: {', '.join(client.topics(bootstrap))}")
            wanted = {tp for tp in wanted if tp.topic == topic} | {TopicPartition(topic, p) for p in partitions}
        tps = sorted(wanted)
        ends = consumer.end_offsets(tps) if tps else {}
        begins = consumer.beginning_offsets(tps) if tps else {}
    finally:
        consumer.close()
    rows = []
    for tp in tps:
        done = committed.get(tp)
        lag = ends[tp] - (begins[tp] if done is None else done)
        rows.append({"topic": tp.topic, "partition": tp.partition, "committed": done,
                     "end": ends[tp], "lag": max(lag, 0)})
    return LagTable(group, rows)
