"""The transactional outbox: an event is a row written in the same transaction as the change
it announces, and a relay thread publishes rows to Kafka afterwards.

So an order placed while Kafka is down is not lost: its row waits in the service's own
database and goes out when Kafka is back. A row may be published twice (crash between
send and marking it sent); consumers drop the duplicate by its event_id.
"""
from __future__ import annotations

import logging
import threading
import time
from datetime import datetime, timezone

from sqlalchemy import DateTime, Integer, String, Text, select
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Mapped, Session, mapped_column

from labs.common import events, kafkaclient

BATCH = 200
FLUSH_S = 7.0  # past the producer's message.timeout.ms: every row of a batch has its answer


def outbox_model(base) -> type:
    """The outbox table in a service's own database (its DeclarativeBase `base`)."""

    class OutboxEvent(base):
        __tablename__ = "outbox"
        id: Mapped[int] = mapped_column(Integer, primary_key=True)
        topic: Mapped[str] = mapped_column(String(100))
        key: Mapped[str | None] = mapped_column(String(100), nullable=True)
        payload: Mapped[str] = mapped_column(Text)
        created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True),
                                                     default=lambda: datetime.now(timezone.utc))
        published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True,
                                                              index=True)

    return OutboxEvent


def add(session: Session, model: type, topic: str, key: str | None, event: dict, wake=None) -> None:
    """Queue `event` for `topic`; it is published only if the caller's transaction commits.
    `wake()` (the relay's) is called right after that commit, so the row goes out at once
    instead of at the relay's next poll."""
    session.add(model(topic=topic, key=key, payload=events.encode(event)))
    if wake is not None:
        session.info[WAKE_KEY] = wake


WAKE_KEY = "outbox.wake"  # session.info: whom to wake once this session's transaction commits


@sa_event.listens_for(Session, "after_commit")
def _wake_after_commit(session: Session) -> None:
    wake = session.info.pop(WAKE_KEY, None)
    if wake is not None:
        wake()


@sa_event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session: Session) -> None:
    session.info.pop(WAKE_KEY, None)  # nothing was written: nothing to send


class Relay:
    """Publishes unsent outbox rows, oldest first; woken right after a commit for low latency."""

    def __init__(self, sessions, model: type, bootstrap: str, log: logging.Logger):
        self.sessions, self.model, self.bootstrap, self.log = sessions, model, bootstrap, log
        self._wake, self._stop = threading.Event(), threading.Event()
        self._thread: threading.Thread | None = None
        self.published = 0

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="outbox-relay", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:  # bounded: unsent rows stay in the outbox for next time
            self._thread.join(timeout=3)

    def _run(self) -> None:
        producer, backoff = None, 0.5
        while not self._stop.is_set():
            self._wake.clear()  # before looking: a commit from now on is seen by the wait below
            try:
                producer = producer or kafkaclient.producer(self.bootstrap, self.log)
                if self._publish_batch(producer):
                    backoff = 0.5
                    continue  # more rows may be waiting
            except Exception as exc:  # Kafka down or slow: keep the rows, retry with backoff
                self.log.warning("outbox relay: cannot publish to Kafka at %s (%s: %s); retrying in %.1f s",
                                 self.bootstrap, type(exc).__name__, exc, backoff)
                _drop_queued(producer)
                self._stop.wait(backoff)
                backoff = min(backoff * 2, 5.0)
                continue
            self._wake.wait(timeout=1.0)
        _drop_queued(producer)

    def _publish_batch(self, producer) -> int:
        with self.sessions() as session:
            rows = session.scalars(select(self.model).where(self.model.published_at.is_(None))
                                   .order_by(self.model.id).limit(BATCH)).all()
            if not rows:
                return 0
            failed: list[str] = []
            for r in rows:
                producer.produce(r.topic, value=r.payload.encode(), key=r.key.encode() if r.key else None,
                                 on_delivery=lambda err, _msg: err is None or failed.append(str(err)))
            left = self._flush(producer)
            if left and self._stop.is_set():  # stopping: the rows stay unsent (_run drops the queue)
                return 0
            if failed or left:
                raise RuntimeError(f"Kafka did not acknowledge {len(failed) + left} of {len(rows)} events"
                                   + (f": {failed[0]}" if failed else ""))
            now = datetime.now(timezone.utc)
            for row in rows:
                row.published_at = now
            session.commit()
        self.published += len(rows)
        return len(rows)

    def _flush(self, producer) -> int:
        """What is still queued after waiting past message.timeout.ms (each row then has its
        answer), or as soon as the relay is stopping: a service without a broker stops at once."""
        deadline = time.monotonic() + FLUSH_S
        left = producer.flush(kafkaclient.SLICE_S)
        while left and not self._stop.is_set() and time.monotonic() < deadline:
            left = producer.flush(kafkaclient.SLICE_S)
        return left


def _drop_queued(producer) -> None:
    """Forget what a failed batch left queued: its rows are still unsent in the outbox and go
    again, in order, with the next batch (rather than also later, out of order, from here)."""
    if producer is not None:
        producer.purge()
        producer.flush(0)
