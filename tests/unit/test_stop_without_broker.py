"""A service whose broker does not answer still stops at once: its relay and consumer give up
their waits on Kafka when asked to stop (their stop() joins them for at most 3 s, and a lab
without a broker once took 3-6 s to stop because of it)."""
import logging
import time

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import DeclarativeBase, sessionmaker

from labs.common import outbox
from labs.common.consumer import EventConsumer, Tables, consumer_models

NOBODY = "127.0.0.1:9"  # the discard port: nothing listens there on these machines
LOG = logging.getLogger("test.stop")


class Base(DeclarativeBase):
    pass


Outbox = outbox.outbox_model(Base)
Processed, Rejected = consumer_models(Base)


@pytest.fixture
def sessions(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'service.db'}")
    Base.metadata.create_all(engine)
    return sessionmaker(engine)


def test_a_relay_waiting_on_an_absent_broker_stops_and_keeps_its_row(sessions):
    with sessions() as session:
        outbox.add(session, Outbox, "orders", "1", {"event_type": "order.created"})
        session.commit()
    relay = outbox.Relay(sessions, Outbox, NOBODY, LOG)
    relay.start()
    time.sleep(1.0)  # the row is handed to the producer, which waits for an answer (up to 7 s)
    relay.stop()
    assert not relay._thread.is_alive()
    with sessions() as session:
        assert session.query(Outbox).filter(Outbox.published_at.is_(None)).count() == 1


def test_a_consumer_waiting_on_an_absent_broker_stops(sessions):
    consumer = EventConsumer("stop-test", ("orders",), {"order.created": lambda s, e: []}, sessions,
                             Tables(Processed, Rejected, Outbox), NOBODY, LOG)
    consumer.start()
    time.sleep(1.0)  # creating its topics, which nobody answers (up to 10 s)
    consumer.stop()
    assert not consumer._thread.is_alive()
