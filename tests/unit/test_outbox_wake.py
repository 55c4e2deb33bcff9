"""The outbox relay is woken by the commit that wrote a row, and only by that."""
from sqlalchemy import create_engine
from sqlalchemy.orm import DeclarativeBase, sessionmaker

from labs.common import outbox


class Base(DeclarativeBase):
    pass


Outbox = outbox.outbox_model(Base)


def sessions():
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    return sessionmaker(engine)


def test_the_commit_that_wrote_the_row_wakes_the_relay_once():
    woken = []
    with sessions()() as session:
        outbox.add(session, Outbox, "orders", "1", {"event_type": "x"}, wake=lambda: woken.append(1))
        assert woken == []  # not before the row is committed
        session.commit()
        assert woken == [1]
        session.commit()  # a later commit of the same session wrote no row
        assert woken == [1]


def test_a_rolled_back_row_wakes_nobody():
    woken = []
    with sessions()() as session:
        outbox.add(session, Outbox, "orders", "1", {"event_type": "x"}, wake=lambda: woken.append(1))
        session.rollback()
        session.commit()
    assert woken == []
    with sessions()() as session:
        assert session.query(Outbox).count() == 0


def test_without_a_relay_nothing_is_called():
    with sessions()() as session:
        outbox.add(session, Outbox, "orders", None, {"event_type": "x"})
        session.commit()
        assert session.query(Outbox).count() == 1
