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

The consumer's topics are created before it subscribes, and it subscribes so that its first
join needs no second one (see topics.py). A second join can still be forced (a topic's
partition count changes), and kafka-python 3.0.12 may never finish it: the leader's
metadata-forced rejoin does not set `rejoin_needed`, so when its JoinGroup/SyncGroup round trip
outlasts poll()'s timer the finished join is never collected (`ConsumerCoordinator.poll()`
re-enters the join only while `need_rejoin()` is true) and the member stays REBALANCING with
heartbeats off, fetching nothing new, for ever. A watchdog matches exactly that state and
recreates the KafkaConsumer once it has lasted JOIN_STUCK_AFTER seconds.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, Session, mapped_column

from labs.common import events, faults, outbox, requestid, topics

ATTEMPTS = 3  # tries for an unexpected error before the event is rejected
JOIN_STUCK_AFTER = 3.0  # seconds a finished join may stay uncollected before reconnecting


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
        self._stuck_since: float | None = None  # when the watchdog first saw the stuck join

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name=f"consumer-{self.group}", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:  # bounded: the service must stop within its grace period
            self._thread.join(timeout=3)

    # -- the loop ----------------------------------------------------------------
    def _connect(self):
        from kafka import KafkaConsumer

        topics.ensure(self.bootstrap, self.topics, client_id=self.group)
        self._stuck_since = None
        consumer = KafkaConsumer(bootstrap_servers=self.bootstrap, group_id=self.group,
                             client_id=self.group, enable_auto_commit=False,
                             auto_offset_reset="earliest", max_poll_records=100,
                             # a restarted service gets its partitions back within seconds
                             # (the default 45 s session keeps a killed member's partitions)
                             session_timeout_ms=10000, heartbeat_interval_ms=1000,
                             bootstrap_timeout_ms=5000, request_timeout_ms=15000,
                             reconnect_backoff_max_ms=1000,
                             # new partitions and leaders are seen in seconds, not 5 minutes
                             metadata_max_age_ms=5000,
                             # the broker answers a fetch as soon as one byte is there; the
                             # shorter wait bounds how long an idle poll sits on a fetch
                             fetch_min_bytes=1, fetch_max_wait_ms=100,
                             # full fetches cost nothing at the lab's size. Not a stall fix: the
                             # fetch-session stall (kafka-python #2575) was fixed in 2.1.4, and
                             # #3131 was a rebalance-listener bug (fixed in 3.0.9)
                             enable_incremental_fetch_sessions=False)
        try:
            topics.subscribe(consumer, self.topics)
        except Exception:
            _close(consumer)
            raise
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
                self._check_join(consumer)
                backoff = 0.5
            except _Pause as pause:
                self._stop.wait(pause.seconds)
            except Exception as exc:  # broker down, rebalance, network: reconnect with backoff
                self.log.warning("consumer %s: %s: %s; retrying in %.1f s", self.group,
                                 type(exc).__name__, exc, backoff)
                consumer = _close(consumer)
                self._stop.wait(backoff)
                backoff = min(backoff * 2, 5.0)
        _close(consumer)

    def _poll_once(self, consumer) -> None:
        batches = consumer.poll(timeout_ms=500)
        if batches and faults.consumer_paused():  # paused while this poll waited: leave its batch
            for tp, records in batches.items():
                consumer.seek(tp, records[0].offset)
            return
        pause = None
        for tp, records in batches.items():
            for record in records:
                try:
                    self.process(record)
                except events.RetryLater as exc:
                    self.log.warning("consumer %s: %s; will retry offset %s of %s-%s", self.group, exc,
                                     record.offset, record.topic, record.partition)
                    consumer.seek(tp, record.offset)  # not processed: read it again later
                    pause = _Pause(1.0)
                    break
        if batches:
            consumer.commit()  # only what was processed (the positions after seek-backs)
        if pause:
            raise pause

    def _check_join(self, consumer) -> None:
        """Raise _Stalled once the stuck join (module doc) has lasted JOIN_STUCK_AFTER seconds.

        The grace period covers the moment between the join finishing on kafka-python's IO
        thread and the poll that collects it."""
        if not join_uncollected(consumer):
            self._stuck_since = None
            return
        now = time.monotonic()
        self._stuck_since = self._stuck_since or now
        if now - self._stuck_since >= JOIN_STUCK_AFTER:
            raise _Stalled(f"group join finished {now - self._stuck_since:.1f} s ago but was never "
                           "collected (kafka-python 3.0.12); recreating the Kafka consumer")

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


def join_uncollected(consumer) -> bool:
    """kafka-python 3.0.12's stuck join: REBALANCING although the broker has answered JoinGroup
    and SyncGroup (the join task is done), and no poll will collect it (need_rejoin() is False).

    A rebalance that is only slow (the broker still waiting for other members) has its join task
    still running, so it never matches. Reads coordinator internals: no public API tells a
    finished join from a running one."""
    from kafka.structs import MemberState

    coordinator = consumer._coordinator
    task = coordinator._join_task
    return (consumer.group_metadata().state == MemberState.REBALANCING
            and task is not None and task.is_done and not coordinator.need_rejoin())


class _Stalled(Exception):
    """The client will never finish its group join by itself: reconnect (logged by the loop)."""


class _Pause(Exception):
    def __init__(self, seconds: float):
        super().__init__(f"pause {seconds} s")
        self.seconds = seconds


def _close(consumer) -> None:
    if consumer is not None:
        try:
            consumer.close(autocommit=False, timeout_ms=2000)  # bounded even if Kafka is gone
        except Exception:  # closing against a dead broker may complain; nothing to keep
            pass
    return None
