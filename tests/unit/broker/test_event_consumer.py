"""The shop's consumer logic on a real SQLite database, records handed in directly (the
Kafka side is tested in tests/integration/kafka): idempotency, rejection, retries; and the
watchdog's reading of kafka-python's coordinator state, on stand-ins for the client."""
from __future__ import annotations

import importlib
import json
import logging
import time
from collections import namedtuple
from pathlib import Path
from types import SimpleNamespace

import pytest
from kafka.structs import ConsumerGroupMetadata, MemberState
from sqlalchemy import Integer, String, create_engine, func, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, sessionmaker

from labs.common import consumer as consumer_mod
from labs.common import events
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


# -- the watchdog --------------------------------------------------------------------
class FakeClient:
    """Just the parts of a KafkaConsumer the watchdog reads."""

    def __init__(self, state=MemberState.STABLE, task_done=None, rejoin=False):
        task = None if task_done is None else SimpleNamespace(is_done=task_done)
        self._coordinator = SimpleNamespace(_join_task=task, need_rejoin=lambda: rejoin)
        self.state = state

    def group_metadata(self):
        return ConsumerGroupMetadata(group_id="g", state=self.state)


STUCK = {"state": MemberState.REBALANCING, "task_done": True, "rejoin": False}


@pytest.mark.parametrize("client, stuck", [
    (FakeClient(**STUCK), True),
    (FakeClient(), False),  # joined
    (FakeClient(MemberState.UNJOINED), False),  # not joined yet
    (FakeClient(MemberState.REBALANCING, task_done=False), False),  # the broker has not answered
    (FakeClient(MemberState.REBALANCING, task_done=True, rejoin=True), False),  # next poll collects
    (FakeClient(MemberState.REBALANCING), False),  # no join task (between attempts)
])
def test_only_a_finished_join_no_poll_will_collect_counts_as_stuck(client, stuck):
    assert consumer_mod.join_uncollected(client) is stuck


def test_the_watchdog_reconnects_only_after_the_stuck_join_has_lasted(world, monkeypatch):
    consumer, _, _ = world
    monkeypatch.setattr(consumer_mod, "JOIN_STUCK_AFTER", 0.2)
    client = FakeClient(**STUCK)
    consumer._check_join(client)  # first seen: could be the instant before a poll collects it
    client.state = MemberState.STABLE
    consumer._check_join(client)  # collected after all: the clock starts again
    client.state = MemberState.REBALANCING
    consumer._check_join(client)
    time.sleep(0.25)
    with pytest.raises(consumer_mod._Stalled, match="never collected"):
        consumer._check_join(client)


def test_each_consumer_group_has_one_topic_list():
    """Members of one group with different topic lists force the leader into the rejoin that
    kafka-python 3.0.12 may never finish (labs/common/topics.py): one service, one group."""
    labs = Path(__file__).parents[3] / "labs"
    groups = {}
    for path in sorted(labs.glob("*/eventflow.py")):
        messaging = importlib.import_module(f"labs.{path.parent.name}.eventflow").messaging
        groups.setdefault(messaging.group, []).append((path.parent.name, messaging.topics))
    assert groups and all(len(members) == 1 for members in groups.values()), groups
