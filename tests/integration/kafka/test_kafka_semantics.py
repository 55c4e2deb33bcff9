"""What students learn about Kafka, checked on the real broker with kafka-python 3.0.x:
consumer groups, committed offsets, end offsets, auto_offset_reset."""
from __future__ import annotations

import time
import uuid

from kafka import KafkaConsumer, KafkaProducer, TopicPartition

from kafkakit import subscribed_consumer




def _group() -> str:
    return f"g-{uuid.uuid4().hex[:8]}"


def _produce(bootstrap: str, topic: str, values, key=lambda v: None, partition=None) -> None:
    producer = KafkaProducer(bootstrap_servers=bootstrap)  # acks='all' in 3.0.x
    try:
        for v in values:
            k = key(v)
            producer.send(topic, str(v).encode(), key=k.encode() if k else None, partition=partition)
        producer.flush(timeout=30)
    finally:
        producer.close()


def _consumer(bootstrap: str, *topics: str, **config) -> KafkaConsumer:
    config.setdefault("heartbeat_interval_ms", 300)  # rebalances noticed fast, not in 3 s
    return subscribed_consumer(bootstrap, *topics, **config)


def _poll_until(consumers, done, timeout: float = 30.0) -> dict:
    """Poll every consumer in turn (a group rebalance needs all members polling) until done()."""
    got = {id(c): [] for c in consumers}
    deadline = time.monotonic() + timeout
    while not done(got):
        assert time.monotonic() < deadline, f"timed out; received so far: { {k: len(v) for k, v in got.items()} }"
        for c in consumers:
            for batch in c.poll(timeout_ms=100).values():
                got[id(c)].extend(batch)
    return got


def test_a_group_splits_partitions_between_two_members(broker, new_topic):
    topic, group = new_topic(4), _group()
    members = [_consumer(broker.bootstrap, topic, group_id=group, auto_offset_reset="earliest",
                         client_id=f"member-{i}") for i in range(2)]
    try:
        def split(_got):
            a, b = (m.assignment() for m in members)
            return a and b and not (a & b) and len(a | b) == 4

        _poll_until(members, split)
        owned = [{tp.partition for tp in m.assignment()} for m in members]
        assert [len(o) for o in owned] == [2, 2]  # the range/roundrobin assignor balances 4 over 2

        _produce(broker.bootstrap, topic, range(200), key=lambda v: f"order-{v}")
        got = _poll_until(members, lambda g: sum(map(len, g.values())) >= 200)
        for member, mine in zip(members, owned):
            records = got[id(member)]
            assert records, "each member receives records"
            assert {r.partition for r in records} <= mine  # only from its own partitions
        values = sorted(int(r.value) for batch in got.values() for r in batch)
        assert values == list(range(200))  # every record once: no loss, no duplicate
    finally:
        for m in members:
            m.close()


def test_committed_offsets_resume_without_loss_or_duplicates(broker, new_topic):
    topic, group = new_topic(3), _group()
    _produce(broker.bootstrap, topic, range(100), key=lambda v: f"k{v}")

    first = _consumer(broker.bootstrap, topic, group_id=group, enable_auto_commit=False,
                      auto_offset_reset="earliest", max_poll_records=7)
    got = _poll_until([first], lambda g: sum(map(len, g.values())) >= 40)
    seen_first = [r for batch in got.values() for r in batch]
    first.commit()  # everything polled has been processed: commit after processing
    committed = {tp: first.committed(tp) for tp in first.assignment()}
    first.close()
    assert sum(o or 0 for o in committed.values()) == len(seen_first)

    second = _consumer(broker.bootstrap, topic, group_id=group, enable_auto_commit=False,
                       auto_offset_reset="earliest")
    try:
        got = _poll_until([second], lambda g: sum(map(len, g.values())) >= 100 - len(seen_first))
        seen_second = [r for batch in got.values() for r in batch]
        for tp, offset in committed.items():  # each partition resumes exactly at its commit
            offsets = [r.offset for r in seen_second if r.partition == tp.partition]
            if offsets:
                assert min(offsets) == offset
        values = sorted(int(r.value) for r in seen_first + seen_second)
        assert values == list(range(100))
    finally:
        second.close()


def test_end_offsets_is_the_next_offset_to_be_written(broker, new_topic):
    topic = new_topic(1)
    tp = TopicPartition(topic, 0)
    _produce(broker.bootstrap, topic, range(10))
    probe = KafkaConsumer(bootstrap_servers=broker.bootstrap)
    try:
        assert probe.beginning_offsets([tp]) == {tp: 0}
        assert probe.end_offsets([tp]) == {tp: 10}  # last offset (9) + 1, not the last offset
        probe.assign([tp])
        probe.seek_to_end(tp)
        assert probe.position(tp) == 10
    finally:
        probe.close()


def test_latest_skips_what_was_there_and_earliest_reads_it(broker, new_topic):
    topic = new_topic(1)
    tp = TopicPartition(topic, 0)
    _produce(broker.bootstrap, topic, range(10))

    latest = _consumer(broker.bootstrap, topic, group_id=_group(), auto_offset_reset="latest")
    try:
        _poll_until([latest], lambda _g: latest.assignment())
        assert latest.position(tp) == 10
        assert not latest.poll(timeout_ms=1000)  # nothing old is delivered
        _produce(broker.bootstrap, topic, ["a", "b", "c"])
        got = _poll_until([latest], lambda g: sum(map(len, g.values())) >= 3)
        assert [(r.offset, r.value) for b in got.values() for r in b] == [(10, b"a"), (11, b"b"), (12, b"c")]
    finally:
        latest.close()

    earliest = _consumer(broker.bootstrap, topic, group_id=_group(), auto_offset_reset="earliest")
    try:
        got = _poll_until([earliest], lambda g: sum(map(len, g.values())) >= 13)
        assert [r.offset for b in got.values() for r in b] == list(range(13))
    finally:
        earliest.close()


def test_a_committed_offset_wins_over_auto_offset_reset(broker, new_topic):
    topic, group = new_topic(1), _group()
    tp = TopicPartition(topic, 0)
    _produce(broker.bootstrap, topic, range(5))
    c = _consumer(broker.bootstrap, topic, group_id=group, auto_offset_reset="earliest",
                  enable_auto_commit=False)
    _poll_until([c], lambda g: sum(map(len, g.values())) >= 5)
    c.commit()
    c.close()
    _produce(broker.bootstrap, topic, range(5, 8))
    # 'latest' only applies when the group has no committed offset: this group has one (5)
    again = _consumer(broker.bootstrap, topic, group_id=group, auto_offset_reset="latest")
    try:
        got = _poll_until([again], lambda g: sum(map(len, g.values())) >= 3)
        assert [r.offset for b in got.values() for r in b] == [5, 6, 7]
        assert again.committed(tp) in (5, 8)  # auto-commit may already have moved it on
    finally:
        again.close()
