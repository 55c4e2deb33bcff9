"""Group joins: kafka-python's stall, and the shop's consumer that does not have it.

kafka-python 3.0.12 never collects a group leader's metadata-forced rejoin whose JoinGroup/
SyncGroup round trip outlasts poll()'s timer (kafkakit.py). The `slow_joins` fixture
makes every join round trip return JOIN_DELAY late to the poll awaiting it, longer than any
poll timeout here, so a forced rejoin always lands in that window. A topic growing from 1 to 3
partitions forces the rejoin: kafka-python alone then stays stuck. The shop's services use
librdkafka (labs/common/kafkaclient.py), which rejoins by itself and reads the new partitions
within seconds. `topics.subscribe` keeps the other trigger, a first join without partition
metadata, from happening to the kafka-python consumers microlab's tests and readers make."""
from __future__ import annotations

import json
import logging
import time
import uuid

import pytest
from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.coordinator.base import BaseCoordinator
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import DeclarativeBase, sessionmaker

import kafkakit as topics
from labs.common.consumer import EventConsumer, Handler, Tables, consumer_models
from labs.common.outbox import outbox_model

JOIN_DELAY = 1.0  # s; the plain client below polls with 200 ms
STUCK_FOR = 3.0  # s the stuck join is watched after it finished


class Base(DeclarativeBase):
    pass


Outbox = outbox_model(Base)
Processed, Rejected = consumer_models(Base)


@pytest.fixture
def sessions(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'svc.db'}")
    Base.metadata.create_all(engine)
    yield sessionmaker(engine, expire_on_commit=False)
    engine.dispose()


def join_uncollected(consumer) -> bool:
    """kafka-python 3.0.12's stuck join: REBALANCING although the broker has answered JoinGroup
    and SyncGroup (the join task is done), and no poll will collect it (need_rejoin() is False).
    Reads coordinator internals: no public API tells a finished join from a running one."""
    from kafka.structs import MemberState

    coordinator = consumer._coordinator
    task = coordinator._join_task
    return (consumer.group_metadata().state == MemberState.REBALANCING
            and task is not None and task.is_done and not coordinator.need_rejoin())


@pytest.fixture
def slow_joins(monkeypatch):
    """Hold every finished join round trip JOIN_DELAY before it returns: the leader has assigned
    and the broker has answered SyncGroup, but the poll that started the join has given up."""
    original = BaseCoordinator._do_join_and_sync_async

    async def late(self):
        assignment = await original(self)
        await self._manager._net.sleep(JOIN_DELAY)
        return assignment

    monkeypatch.setattr(BaseCoordinator, "_do_join_and_sync_async", late)


def _consumer(broker, sessions, topic: str) -> EventConsumer:
    handlers = {"thing.happened": Handler(("order_id",), lambda _s, _e: [])}
    return EventConsumer(f"g-{uuid.uuid4().hex[:8]}", (topic,), handlers, sessions,
                         Tables(Processed, Rejected, Outbox), broker.bootstrap, logging.getLogger("t"))


def _send(bootstrap: str, topic: str, n: int, partition: int | None = None) -> None:
    producer = KafkaProducer(bootstrap_servers=bootstrap)
    for i in range(n):
        event = {"event_id": uuid.uuid4().hex, "event_type": "thing.happened", "order_id": i + 1}
        producer.send(topic, json.dumps(event).encode(), key=str(i).encode(), partition=partition)
    producer.flush(timeout=30)
    producer.close()


def _processed(sessions) -> int:
    with sessions() as s:
        return s.scalar(select(func.count()).select_from(Processed))


def _wait(condition, seconds: float, step=lambda: time.sleep(0.1)) -> bool:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        step()
    return condition()


def test_a_consumer_started_before_its_topic_exists_creates_it_and_processes_events(
        broker, admin, sessions):
    topic = f"t-{uuid.uuid4().hex[:10]}"
    assert topic not in admin.list_topics()
    consumer = _consumer(broker, sessions, topic)
    consumer.start()
    try:
        assert _wait(lambda: topic in admin.list_topics(), 20)
        # created by the consumer itself, with the broker's default partitions, before any send
        [described] = admin.describe_topics([topic])
        assert len(described["partitions"]) == 3
        _send(broker.bootstrap, topic, 9)
        assert _wait(lambda: _processed(sessions) == 9, 30)
    finally:
        consumer.stop()


def test_the_shops_subscribe_gives_the_first_join_every_partition(broker, new_topic):
    topic = new_topic(3)
    plain = KafkaConsumer(bootstrap_servers=broker.bootstrap, group_id=f"g-{uuid.uuid4().hex[:8]}")
    shop = KafkaConsumer(bootstrap_servers=broker.bootstrap, group_id=f"g-{uuid.uuid4().hex[:8]}")
    try:
        plain.subscribe([topic])
        # a join now would assign from an empty snapshot, and the next metadata would force a rejoin
        assert not topics.snapshot_has_partitions(plain, [topic])
        topics.subscribe(shop, [topic])
        assert shop._coordinator._metadata_snapshot == {topic: {0, 1, 2}}
    finally:
        plain.close()
        shop.close()


def test_kafka_python_alone_never_collects_a_forced_rejoin_that_outlasts_its_poll(
        broker, admin, new_topic, slow_joins):
    topic = new_topic(1)
    client = KafkaConsumer(bootstrap_servers=broker.bootstrap, group_id=f"g-{uuid.uuid4().hex[:8]}",
                           enable_auto_commit=False, metadata_max_age_ms=1000)

    def poll():
        client.poll(timeout_ms=200)

    try:
        topics.subscribe(client, [topic])
        assert _wait(client.assignment, 15, poll)  # the first join: collected, rejoin_needed was set
        assert client.group_metadata().generation_id == 1 and not join_uncollected(client)
        admin.create_partitions({topic: 3})  # the leader's next metadata forces a rejoin
        assert _wait(lambda: join_uncollected(client), 15, poll)
        deadline = time.monotonic() + STUCK_FOR
        while time.monotonic() < deadline:
            poll()
        # still stuck, polled all along: the join was answered but never collected
        assert join_uncollected(client) and client.group_metadata().generation_id == 2
        assert client.assignment() == {TopicPartition(topic, 0)}  # never partitions 1 and 2
        assert client._coordinator._heartbeat_enabled is False  # the broker will expire it
    finally:
        client.close(timeout_ms=2000)


def test_the_shop_consumer_reads_a_grown_topics_new_partitions_within_seconds(
        broker, admin, new_topic, sessions):
    topic = new_topic(1)
    consumer = _consumer(broker, sessions, topic)
    consumer.start()
    try:
        _send(broker.bootstrap, topic, 1)
        assert _wait(lambda: _processed(sessions) == 1, 30)
        admin.create_partitions({topic: 3})
        grown = time.monotonic()
        _send(broker.bootstrap, topic, 1, partition=2)  # only a member that joins again reads it
        assert _wait(lambda: _processed(sessions) == 2, 30)
        took = time.monotonic() - grown
    finally:
        consumer.stop()
    # the consumer's metadata refresh (5 s) finds the partitions, then one rejoin
    assert took < 5 + 5, took
