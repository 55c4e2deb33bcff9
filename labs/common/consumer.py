"""An idempotent Kafka consumer for one service: process, record, then commit.

Each event is handled in one database transaction that also stores the event's dedup key
(its id, or type + order id) in the service's own `processed_events` table, and queues any
events it publishes in the service's outbox. A redelivered event finds its key and is
skipped, so at-least-once delivery gives exactly-once effects. Offsets are committed only
after processing.

Bad events (malformed JSON, missing fields, unknown order) are rejected: stored with the
reason in `rejected_events`, announced on the `events.rejected` topic, logged, and skipped.
A dependency that is down (RetryLater) pauses the partition and retries; any other error is
retried a few times and then rejected, so nothing stalls a consumer for ever.

The consumer's topics are created before it subscribes, so its first join already gets their
partitions. The client is librdkafka's (kafkaclient.py): it reconnects and rejoins by itself,
and its errors reach the service's log.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, Session, mapped_column

from labs.common import events, faults, kafkaclient, outbox, requestid

ATTEMPTS = 3  # tries for an unexpected error before the event is rejected
BATCH = 100  # records taken per poll


def consumer_models(base) -> tuple[type, type]:
    """(ProcessedEvent, RejectedEvent) tables in a service's own database."""

    class ProcessedEvent(base):
        __tablename__ = "processed_events"
        key: Mapped[str] = mapped_column(String(100), primary_key=True)
        event_type: Mapped[str] = mapped_column(String(60))
        outcome: Mapped[str] = mapped_column(String(20))  # "done" | "rejected"
        processed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True),
                                                       default=lambda: datetime.now(timezone.utc))

    class RejectedEvent(base):
        __tablename__ = "rejected_events"
        id: Mapped[int] = mapped_column(Integer, primary_key=True)
        topic: Mapped[str] = mapped_column(String(100))
        partition: Mapped[int] = mapped_column(Integer)
        offset: Mapped[int] = mapped_column(Integer)
        reason: Mapped[str] = mapped_column(String(500))
        raw: Mapped[str] = mapped_column(Text)
        rejected_at: Mapped[datetime] = mapped_column(DateTime(timezone=True),
                                                      default=lambda: datetime.now(timezone.utc))

    return ProcessedEvent, RejectedEvent


@dataclass(frozen=True)
class Handler:
    """What a service does with one event type: `handle(session, event)` returns the events
    to publish as (topic, key, event) and raises BadEvent / RetryLater."""

    required: tuple[str, ...]
    handle: Callable[[Session, dict], list[tuple[str, str, dict]]]


@dataclass
class Tables:
    processed: type
    rejected: type
    outbox: type


class EventConsumer:
    def __init__(self, group: str, topics: tuple[str, ...], handlers: dict[str, Handler],
                 sessions, tables: Tables, bootstrap: str, log: logging.Logger, on_commit=None):
        self.group, self.topics, self.handlers = group, topics, handlers
        self.sessions, self.tables, self.bootstrap, self.log = sessions, tables, bootstrap, log
        self.on_commit = on_commit or (lambda: None)  # wakes the outbox relay: events out at once
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._failures: dict[tuple, int] = {}

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name=f"consumer-{self.group}", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:  # bounded: the service must stop within its grace period
            self._thread.join(timeout=3)

    # -- the loop ----------------------------------------------------------------
    def _connect(self):
        kafkaclient.ensure_topics(self.bootstrap, self.topics, self.group, self.log, stop=self._stop)
        consumer = kafkaclient.consumer(self.bootstrap, self.group, self.log)
        consumer.subscribe(list(self.topics))
        return consumer

    def _run(self) -> None:
        consumer, backoff = None, 0.5
        while not self._stop.is_set():
            if faults.consumer_paused():  # an injected incident: connected, taking nothing
                self._stop.wait(0.3)
                continue
            try:
                consumer = consumer or self._connect()
                self._poll_once(consumer)
                backoff = 0.5
            except _Pause as pause:
                self._stop.wait(pause.seconds)
            except kafkaclient.Interrupted:  # stopping while it waited for the broker
                break
            except Exception as exc:  # broker unreachable at start, a fatal client error: reconnect
                self.log.warning("consumer %s: %s: %s; retrying in %.1f s", self.group,
                                 type(exc).__name__, exc, backoff)
                consumer = _close(consumer)
                self._stop.wait(backoff)
                backoff = min(backoff * 2, 5.0)
        _close(consumer)

    def _poll_once(self, consumer) -> None:
        records = _records(_take(consumer))
        if records and faults.consumer_paused():  # paused while this poll waited: leave its batch
            for where in _firsts(records).values():
                consumer.seek(_position(*where))
            return
        done: dict[tuple[str, int], int] = {}  # (topic, partition) -> offset after the last processed
        held: set[tuple[str, int]] = set()  # partitions sought back to a record to retry
        for record in records:
            partition = (record.topic, record.partition)
            if partition in held:
                continue
            try:
                self.process(record)
            except events.RetryLater as exc:
                self.log.warning("consumer %s: %s; will retry offset %s of %s-%s", self.group, exc,
                                 record.offset, record.topic, record.partition)
                consumer.seek(_position(*partition, record.offset))  # not processed: read it again later
                held.add(partition)
                continue
            done[partition] = record.offset + 1
        if done:
            self._commit(consumer, done)
        if held:
            raise _Pause(1.0)

    def _commit(self, consumer, done: dict[tuple[str, int], int]) -> None:
        """Commit only what was processed, without waiting for the broker's answer: the next
        event is not held up by a round trip. A commit that fails (refused after a rebalance,
        or lost with the connection) is logged by kafkaclient's on_commit; those records come
        again and are found in processed_events."""
        consumer.commit(offsets=[_position(*p, offset) for p, offset in done.items()], asynchronous=True)

    # -- one event -----------------------------------------------------------------
    def process(self, record) -> None:
        where = (record.topic, record.partition, record.offset)
        try:
            event = events.parse(record.value)
            handler = self.handlers.get(event["event_type"])
            if handler is None:
                return  # another service's event on a shared topic
            events.require(event, handler.required)
        except events.BadEvent as bad:
            return self._reject(record, f"{where[0]}:{where[1]}:{where[2]}", "?", str(bad))
        # the calls a handler makes carry the request id that started the saga (lab.trace follows it)
        token = requestid.current.set(str(event.get("request_id") or "-"))
        try:
            self._handle(record, event, handler)
        finally:
            requestid.current.reset(token)

    def _handle(self, record, event: dict, handler: Handler) -> None:
        where = (record.topic, record.partition, record.offset)
        key = events.dedup_key(event)
        with self.sessions() as session:
            if session.get(self.tables.processed, key) is not None:
                self.log.info("consumer %s: duplicate %s (%s) skipped", self.group, event["event_type"], key)
                return
            try:
                published = handler.handle(session, event)
            except events.BadEvent as bad:
                session.rollback()
                return self._reject(record, key, event["event_type"], str(bad))
            except events.RetryLater:
                raise
            except Exception as exc:
                session.rollback()
                return self._retry_or_reject(record, key, event["event_type"], exc)
            for topic, out_key, out_event in published:
                outbox.add(session, self.tables.outbox, topic, out_key, out_event)
            session.add(self.tables.processed(key=key, event_type=event["event_type"], outcome="done"))
            session.commit()
        self._failures.pop(where, None)
        if published:
            self.on_commit()

    def _retry_or_reject(self, record, key: str, event_type: str, exc: Exception) -> None:
        where = (record.topic, record.partition, record.offset)
        self._failures[where] = self._failures.get(where, 0) + 1
        if self._failures[where] < ATTEMPTS:
            raise events.RetryLater(f"{type(exc).__name__}: {exc} (attempt {self._failures[where]})")
        self._failures.pop(where, None)
        self.log.exception("consumer %s: giving up on %s", self.group, key)
        self._reject(record, key, event_type, f"failed {ATTEMPTS} times: {type(exc).__name__}: {exc}")

    def _reject(self, record, key: str, event_type: str, reason: str) -> None:
        raw = (record.value or b"").decode("utf-8", "replace")[:2000]
        self.log.warning("consumer %s: rejected %s-%s@%s: %s", self.group, record.topic,
                         record.partition, record.offset, reason)
        note = {"topic": record.topic, "partition": record.partition, "offset": record.offset,
                "consumer": self.group, "reason": reason, "raw": raw[:500]}
        with self.sessions() as session:
            if session.get(self.tables.processed, key) is not None:
                return  # rejected before (a redelivery)
            session.add(self.tables.rejected(topic=record.topic, partition=record.partition,
                                             offset=record.offset, reason=reason[:500], raw=raw))
            outbox.add(session, self.tables.outbox, events.REJECTED, record.topic,
                       events.new_event("event.rejected", **note))
            session.add(self.tables.processed(key=key, event_type=event_type[:60], outcome="rejected"))
            session.commit()
        self.on_commit()


class _Pause(Exception):
    def __init__(self, seconds: float):
        super().__init__(f"pause {seconds} s")
        self.seconds = seconds


def _take(consumer) -> list:
    """Up to BATCH messages, returned as soon as one is there: consume() alone would wait for
    a full batch or its whole timeout; what is already fetched comes with the first."""
    first = consumer.poll(0.5)
    if first is None:
        return []
    return [first, *consumer.consume(num_messages=BATCH - 1, timeout=0)]


def _records(messages) -> list[kafkaclient.Record]:
    """The records of one poll; a per-partition error (a topic deleted under us) is logged by
    librdkafka's error callback and skipped here."""
    return [kafkaclient.record(m) for m in messages if m.error() is None]


def _firsts(records) -> dict[tuple[str, int], tuple[str, int, int]]:
    firsts: dict[tuple[str, int], tuple[str, int, int]] = {}
    for r in records:
        firsts.setdefault((r.topic, r.partition), (r.topic, r.partition, r.offset))
    return firsts


def _position(topic: str, partition: int, offset: int):
    from confluent_kafka import TopicPartition

    return TopicPartition(topic, partition, offset)


def _close(consumer) -> None:
    if consumer is not None:
        try:
            consumer.close()  # leaves the group: its partitions go to the next member at once
        except Exception:  # closing against a dead broker may complain; nothing to keep
            pass
    return None
