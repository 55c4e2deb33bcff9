"""A service's SQLite writers queue on one lock, held from a session's first write to its end."""
from sqlalchemy import Integer
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from labs.common.db import Database


class Base(DeclarativeBase):
    pass


class Row(Base):
    __tablename__ = "rows"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)


def _db(tmp_path) -> Database:
    db = Database(Base, "unused.db")
    db.connect(f"sqlite:///{tmp_path / 'w.db'}")
    return db


def test_the_lock_is_held_from_the_first_write_to_commit_or_rollback_or_close(tmp_path):
    db = _db(tmp_path)
    with db.sessions() as session:
        session.get(Row, 1)  # a read takes no lock
        assert not db.write_lock.locked()
        session.add(Row(id=1))
        session.flush()
        assert db.write_lock.locked()
        session.add(Row(id=2))
        session.flush()  # the same session again: no second acquire (it would deadlock)
        session.commit()
        assert not db.write_lock.locked()
        session.add(Row(id=3))
        session.flush()
        session.rollback()
        assert not db.write_lock.locked()
        session.add(Row(id=4))
        session.flush()
    assert not db.write_lock.locked()  # closed without commit: released all the same
    with db.sessions() as session:
        assert sorted(r.id for r in session.query(Row)) == [1, 2]
    db.close()
