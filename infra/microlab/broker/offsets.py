"""Where each topic ends and how far each consumer group has got: the numbers behind lag.

lag = end offset - committed offset, per partition: the events a group has not handled yet.
A group that never committed on a partition has read nothing of it (lag = end - beginning,
counted from 0 here since the lab never deletes records). Bounded in time like client.py.
"""
from __future__ import annotations

from dataclasses import dataclass

from kafka import KafkaAdminClient, TopicPartition
from kafka.errors import KafkaError

from microlab.broker.client import _consumer
from microlab.broker.jars import BrokerError


@dataclass(frozen=True)
class GroupLag:
    group: str
    topic: str
    partition: int
    committed: int  # the next offset the group will read (-1: never committed)
    end: int

    @property
    def lag(self) -> int:
        return self.end - max(self.committed, 0)


def end_offsets(bootstrap: str, timeout_ms: int = 3000) -> dict[str, dict[int, int]]:
    """{topic: {partition: end offset}} for every topic but Kafka's internal ones."""
    consumer = _consumer(bootstrap, timeout_ms)
    try:
        names = sorted(n for n in consumer.topics() if not n.startswith("__"))
        tps = [TopicPartition(t, p) for t in names for p in sorted(consumer.partitions_for_topic(t) or ())]
        ends = consumer.end_offsets(tps) if tps else {}
    except KafkaError as exc:
        raise BrokerError(f"Kafka at {bootstrap} did not answer: {exc}") from exc
    finally:
        consumer.close()
    found: dict[str, dict[int, int]] = {t: {} for t in names}
    for tp, end in ends.items():
        found[tp.topic][tp.partition] = end
    return found


def committed_offsets(bootstrap: str, timeout_ms: int = 3000) -> dict[str, dict[TopicPartition, int]]:
    """{group: {TopicPartition: committed offset}} for every consumer group the broker knows."""
    try:
        admin = KafkaAdminClient(bootstrap_servers=bootstrap, bootstrap_timeout_ms=timeout_ms,
                                 request_timeout_ms=timeout_ms, client_id="microlab-lag")
    except KafkaError as exc:
        raise BrokerError(f"Kafka at {bootstrap} did not answer: {exc}") from exc
    try:
        groups = sorted(_group_id(g) for g in admin.list_groups())
        if not groups:
            return {}
        offsets = admin.list_group_offsets({g: None for g in groups})
    except KafkaError as exc:
        raise BrokerError(f"Kafka at {bootstrap} did not answer: {exc}") from exc
    finally:
        admin.close()
    return {g: {tp: meta.offset for tp, meta in (offsets.get(g) or {}).items()} for g in groups}


def _group_id(group) -> str:
    # kafka-python 3 returns dicts ({"group_id": ...}); older versions (group_id, protocol) tuples
    return group["group_id"] if isinstance(group, dict) else group[0]


def lags(ends: dict[str, dict[int, int]], committed: dict[str, dict[TopicPartition, int]]) -> list[GroupLag]:
    """One row per (group, partition of a topic the group has committed on), sorted."""
    rows = []
    for group, offsets in committed.items():
        for topic in sorted({tp[0] for tp in offsets}):  # TopicPartition or (topic, partition)
            for partition, end in sorted(ends.get(topic, {}).items()):
                at = offsets.get(TopicPartition(topic, partition), -1)
                rows.append(GroupLag(group, topic, partition, at, end))
    return rows


def group_lags(bootstrap: str, timeout_ms: int = 3000) -> list[GroupLag]:
    return lags(end_offsets(bootstrap, timeout_ms), committed_offsets(bootstrap, timeout_ms))
