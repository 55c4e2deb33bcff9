"""The shop's consumer logic on a real SQLite database, records handed in directly (the
Kafka side is tested in tests/integration/kafka): idempotency, rejection, retries; and what
one poll commits, seeks back and holds, on a stand-in for librdkafka's consumer."""
from __future__ import annotations

import importlib
import json
import logging
from collections import namedtuple
from pathlib import Path

import pytest
from sqlalchemy import Integer, String, create_engine, func, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, sessionmaker

from labs.common import consumer as consumer_mod
from labs.common import events, faults
from labs.common.consumer import (
    ATTEMPTS,
    EventConsumer,
    Handler,
    Tables,
    consumer_models,
)
from labs.common.outbox import outbox_model

Record = namedtuple("Record", "topic partition offset value")


class Base(DeclarativeBase):
    pass


class Stock(Base):
    __tablename__ = "stock"
    sku: Mapped[str] = mapped_column(String(10), primary_key=True)
    left: Mapped[int] = mapped_column(Integer)


Outbox = outbox_model(Base)
Processed, Rejected = consumer_models(Base)


@pytest.fixture
def world(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'svc.db'}")
    Base.metadata.create_all(engine)
    sessions = sessionmaker(engine, expire_on_commit=False)
    with sessions() as s:
        s.add(Stock(sku="MUG", left=10))
        s.commit()
    calls = {"n": 0, "fail": None}

    def reserve(session, event):
        calls["n"] += 1
        if calls["fail"]:
            raise calls["fail"]
        if event["order_id"] == 404:
            raise events.BadEvent("unknown order id 404")
        session.get(Stock, "MUG").left -= 1
        return [(events.INVENTORY, str(event["order_id"]),
                 events.new_event("inventory.reserved", order_id=event["order_id"]))]

    consumer = EventConsumer("inventory-service", (events.ORDERS,),
                             {"order.created": Handler(("order_id",), reserve)}, sessions,
                             Tables(Processed, Rejected, Outbox), "unused:9092", logging.getLogger("t"))
    yield consumer, sessions, calls
    engine.dispose()


def _rec(offset: int, value) -> Record:
    raw = value if isinstance(value, bytes) else json.dumps(value).encode()
    return Record("orders", 0, offset, raw)


def _count(sessions, model, *where) -> int:
    with sessions() as s:
        return s.scalar(select(func.count()).select_from(model).where(*where))


def _left(sessions) -> int:
    with sessions() as s:
        return s.get(Stock, "MUG").left


def test_a_redelivered_event_changes_nothing_the_second_time(world):
    consumer, sessions, calls = world
    event = events.new_event("order.created", order_id=7, user_id=1, total=12.5)
    consumer.process(_rec(0, event))
    consumer.process(_rec(0, event))  # redelivered after a crash before the offset commit
    consumer.process(_rec(9, event))  # or published twice by the relay: same event id
    assert _left(sessions) == 9 and calls["n"] == 1
    assert _count(sessions, Outbox, Outbox.topic == events.INVENTORY) == 1


def test_events_without_an_id_are_deduplicated_by_type_and_order(world):
    consumer, sessions, _ = world
    snippet = {"event_type": "order.created", "order_id": 8, "user_id": 1, "total": 3.0,
               "timestamp": "2024-01-01T00:00:00"}
    consumer.process(_rec(0, snippet))
    consumer.process(_rec(1, dict(snippet, timestamp="2024-01-01T00:00:05")))
    assert _left(sessions) == 9
    assert _count(sessions, Processed, Processed.key == "order.created:8") == 1


@pytest.mark.parametrize("raw, reason", [
    (b"{nope", "malformed JSON"),
    (b"[1, 2]", "expected a JSON object, got list"),
    ({"order_id": 1}, "missing field 'event_type'"),
    ({"event_type": "order.created"}, "missing field 'order_id'"),
    ({"event_type": "order.created", "order_id": -3}, "'order_id' must be a positive integer"),
    ({"event_type": "order.created", "order_id": 404}, "unknown order id 404"),
])
def test_bad_events_are_rejected_recorded_and_announced(world, raw, reason):
    consumer, sessions, _ = world
    consumer.process(_rec(3, raw))
    consumer.process(_rec(3, raw))  # a redelivery is not rejected twice
    with sessions() as s:
        rejected = s.scalars(select(Rejected)).all()
        notes = [json.loads(o.payload) for o in s.scalars(select(Outbox))]
    assert len(rejected) == 1 and reason in rejected[0].reason and rejected[0].offset == 3
    assert [(n["topic"], n["partition"], n["offset"], n["consumer"]) for n in notes] == [
        ("orders", 0, 3, "inventory-service")]
    assert reason in notes[0]["reason"]
    assert _left(sessions) == 10


def test_other_services_events_are_ignored_not_rejected(world):
    consumer, sessions, calls = world
    consumer.process(_rec(0, events.new_event("order.cancelled", order_id=1)))
    assert calls["n"] == 0 and _count(sessions, Rejected) == 0


def test_a_dependency_down_is_retried_not_rejected(world):
    consumer, sessions, calls = world
    calls["fail"] = events.RetryLater("order-service unreachable")
    for _ in range(ATTEMPTS + 2):
        with pytest.raises(events.RetryLater):
            consumer.process(_rec(0, events.new_event("order.created", order_id=5)))
    assert _count(sessions, Rejected) == 0 and _count(sessions, Processed) == 0
    calls["fail"] = None
    consumer.process(_rec(0, events.new_event("order.created", order_id=5)))
    assert _left(sessions) == 9


def test_an_unexpected_error_is_retried_then_rejected_so_the_consumer_moves_on(world):
    consumer, sessions, calls = world
    calls["fail"] = ZeroDivisionError("division by zero")
    event = events.new_event("order.created", order_id=6)
    for _ in range(ATTEMPTS - 1):
        with pytest.raises(events.RetryLater):
            consumer.process(_rec(4, event))
    consumer.process(_rec(4, event))  # the last attempt rejects instead of raising
    with sessions() as s:
        (rejected,) = s.scalars(select(Rejected)).all()
    assert f"failed {ATTEMPTS} times: ZeroDivisionError" in rejected.reason
    assert _left(sessions) == 10  # the failed attempts left no partial effect


# -- one poll -------------------------------------------------------------------------
class Message:
    """What librdkafka's consume() hands back: accessors, not attributes."""

    def __init__(self, partition: int, offset: int, event: dict):
        self._where, self._value = ("orders", partition, offset), json.dumps(event).encode()

    def topic(self):
        return self._where[0]

    def partition(self):
        return self._where[1]

    def offset(self):
        return self._where[2]

    def key(self):
        return None

    def value(self):
        return self._value

    def error(self):
        return None


class FakeClient:
    def __init__(self, messages: list[Message]):
        self.messages = messages
        self.sought, self.committed = [], []

    def poll(self, timeout: float):
        return self.messages[0] if self.messages else None

    def consume(self, num_messages: int, timeout: float):
        assert timeout == 0  # only what is already fetched: the first message did the waiting
        return self.messages[1:num_messages + 1]

    def seek(self, tp):
        self.sought.append((tp.partition, tp.offset))

    def commit(self, offsets, asynchronous):
        self.committed.append(sorted((tp.partition, tp.offset) for tp in offsets))


def _order(order_id: int) -> dict:
    return events.new_event("order.created", order_id=order_id)


def test_a_poll_commits_what_it_processed_and_holds_a_partition_that_must_retry(world):
    consumer, sessions, calls = world
    reserve = consumer.handlers["order.created"].handle

    def down_for_order_2(session, event):
        if event["order_id"] == 2:
            raise events.RetryLater("order-service unreachable")
        return reserve(session, event)

    consumer.handlers["order.created"] = Handler(("order_id",), down_for_order_2)
    client = FakeClient([Message(0, 5, _order(1)), Message(1, 7, _order(2)), Message(1, 8, _order(3)),
                         Message(0, 6, _order(4))])
    with pytest.raises(consumer_mod._Pause):
        consumer._poll_once(client)
    assert client.sought == [(1, 7)]  # order 2 comes again, and order 3 after it, in order
    assert client.committed == [[(0, 7)]]
    assert _left(sessions) == 8  # orders 1 and 4


def test_a_batch_taken_while_pausing_is_sought_back_untouched(world, monkeypatch):
    consumer, sessions, calls = world
    monkeypatch.setattr(faults, "consumer_paused", lambda: True)
    client = FakeClient([Message(0, 5, _order(1)), Message(1, 9, _order(2)), Message(0, 6, _order(3))])
    consumer._poll_once(client)
    assert sorted(client.sought) == [(0, 5), (1, 9)] and client.committed == []
    assert calls["n"] == 0


def test_each_consumer_group_has_one_topic_list():
    """Members of one group with different topic lists make every join a negotiation of
    whose topics the group reads, and each service's handlers expect its own: one service,
    one group."""
    labs = Path(__file__).parents[3] / "labs"
    groups = {}
    for path in sorted(labs.glob("*/eventflow.py")):
        messaging = importlib.import_module(f"labs.{path.parent.name}.eventflow").messaging
        groups.setdefault(messaging.group, []).append((path.parent.name, messaging.topics))
    assert groups and all(len(members) == 1 for members in groups.values()), groups
