"""The shop's EventConsumer cannot stall silently: it creates its topics before it joins its
group (a consumer that joins before its topic exists is assigned nothing at first), and a
watchdog recreates the Kafka client when events wait on its partitions but nothing is fetched.

The first test is the scenario of the CI failure (payment-service subscribed before
'inventory' existed); on a calm machine it passes even without the fix, so the watchdog test
is the one that pins the fix down."""
from __future__ import annotations

import json
import logging
import time
import uuid

import pytest
from kafka import KafkaProducer
from kafkakit import subscribed_consumer
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import DeclarativeBase, sessionmaker

from labs.common import consumer as consumer_mod
from labs.common.consumer import EventConsumer, Handler, Tables, consumer_models
from labs.common.outbox import outbox_model

pytestmark = [pytest.mark.kafka, pytest.mark.integration]


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


def _consumer(broker, sessions, topic: str) -> EventConsumer:
    handlers = {"thing.happened": Handler(("order_id",), lambda _s, _e: [])}
    return EventConsumer(f"g-{uuid.uuid4().hex[:8]}", (topic,), handlers, sessions,
                         Tables(Processed, Rejected, Outbox), broker.bootstrap, logging.getLogger("t"))


def _send(bootstrap: str, topic: str, n: int) -> None:
    producer = KafkaProducer(bootstrap_servers=bootstrap)
    for i in range(n):
        event = {"event_id": uuid.uuid4().hex, "event_type": "thing.happened", "order_id": i}
        producer.send(topic, json.dumps(event).encode(), key=str(i).encode())
    producer.flush(timeout=30)
    producer.close()


def _processed(sessions) -> int:
    with sessions() as s:
        return s.scalar(select(func.count()).select_from(Processed))


def test_a_consumer_started_before_its_topic_exists_creates_it_and_processes_events(
        broker, admin, sessions):
    topic = f"t-{uuid.uuid4().hex[:10]}"
    assert topic not in admin.list_topics()
    consumer = _consumer(broker, sessions, topic)
    consumer.start()
    try:
        deadline = time.monotonic() + 20
        while topic not in admin.list_topics() and time.monotonic() < deadline:
            time.sleep(0.2)
        # created by the consumer itself, with the broker's default partitions, before any send
        [described] = admin.describe_topics([topic])
        assert len(described["partitions"]) == 3
        _send(broker.bootstrap, topic, 9)
        deadline = time.monotonic() + 30
        while _processed(sessions) < 9 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _processed(sessions) == 9
    finally:
        consumer.stop()


def test_the_watchdog_calls_a_consumer_that_fetches_nothing_while_events_wait_stalled(
        broker, new_topic, sessions, monkeypatch):
    topic = new_topic(1)
    _send(broker.bootstrap, topic, 3)
    monkeypatch.setattr(consumer_mod, "STALL_AFTER", 0.0)  # every call is an idle check
    service = _consumer(broker, sessions, topic)
    client = subscribed_consumer(broker.bootstrap, topic, group_id=service.group,
                                 auto_offset_reset="earliest", enable_auto_commit=False)
    try:
        deadline = time.monotonic() + 30
        while not client.assignment() and time.monotonic() < deadline:
            client.poll(timeout_ms=200)
        assert client.assignment()
        client.pause(*client.assignment())  # a client that fetches nothing: the stall
        client.seek_to_beginning()  # whatever that poll read, all 3 events wait again
        service._check_stalled(client)  # the first idle check only notes what waits
        with pytest.raises(consumer_mod._Stalled, match=rf"events wait on \['{topic}-0'\]"):
            service._check_stalled(client)
        # caught up: not a stall
        client.seek_to_end()
        service._check_stalled(client)
        service._check_stalled(client)
    finally:
        client.close()
