"""One service's part in the event flow: its outbox, its relay and (optionally) its consumer.

    messaging = Messaging("order-service", Base, db, group="order-service",
                          topics=(INVENTORY, PAYMENTS), handlers={...})
    messaging.publish(session, ORDERS, str(order.id), event)  # inside the change's transaction
    messaging.start() / messaging.stop()                       # from the app's lifespan

Without KAFKA_BOOTSTRAP (unit tests, a service run alone) nothing connects: events still
wait in the outbox, and the service works as before.
"""
from __future__ import annotations

import logging
import os

from sqlalchemy.orm import Session

from labs.common import events, outbox
from labs.common.consumer import EventConsumer, Handler, Tables, consumer_models
from labs.common.db import Database


class Messaging:
    def __init__(self, service: str, base, db: Database | None = None, group: str | None = None,
                 topics: tuple[str, ...] = (), handlers: dict[str, Handler] | None = None):
        self.service, self.db, self.group, self.topics = service, db, group, topics
        self.handlers = handlers or {}
        self.outbox_model = outbox.outbox_model(base)
        processed, rejected = consumer_models(base)
        self.tables = Tables(processed, rejected, self.outbox_model)
        self.log = logging.getLogger(f"{os.environ.get('SERVICE_NAME', service)}.events")
        self.relay: outbox.Relay | None = None
        self.consumer: EventConsumer | None = None

    def publish(self, session: Session, topic: str, key: str | None, event: dict) -> None:
        """Queue an event in the caller's transaction; the relay is woken right after that
        transaction commits (an explicit `wake()` afterwards changes nothing)."""
        outbox.add(session, self.outbox_model, topic, key, event, wake=self.wake)

    def wake(self) -> None:
        if self.relay is not None:
            self.relay.wake()

    def start(self, app=None) -> None:
        """Start relay and consumer (an app's on_start: the database is app.state.db)."""
        if app is not None:
            self.db = app.state.db
        bootstrap = events.bootstrap_servers()
        if bootstrap is None:
            self.log.info("KAFKA_BOOTSTRAP not set: events stay in the outbox, no consumer runs")
            return
        self.relay = outbox.Relay(self.db.sessions, self.outbox_model, bootstrap, self.log)
        self.relay.start()
        if self.group and self.handlers:
            self.consumer = EventConsumer(self.group, self.topics, self.handlers, self.db.sessions,
                                          self.tables, bootstrap, self.log, on_commit=self.wake)
            self.consumer.start()
        self.log.info("events: outbox relay%s on Kafka at %s", f" and consumer group {self.group!r}"
                      if self.consumer else "", bootstrap)

    def stop(self, _app=None) -> None:
        for part in (self.consumer, self.relay):
            if part is not None:
                part.stop()
        self.consumer = self.relay = None
