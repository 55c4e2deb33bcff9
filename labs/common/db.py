"""One database per app, through SQLAlchemy 2: SQLite embedded, PostgreSQL in containers.

The URL comes from DATABASE_URL, so the same service code runs on both.
"""
from __future__ import annotations

import os
import threading
from collections.abc import AsyncIterator

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker


class Database:
    def __init__(self, base: type[DeclarativeBase], default_file: str):
        self.base = base
        self.default_url = f"sqlite:///./{default_file}"
        self.engine: Engine | None = None
        self.sessions: sessionmaker[Session] | None = None
        self.write_lock: threading.Lock | None = None  # SQLite only: held by the writing session

    def connect(self, url: str | None = None) -> None:
        """Open the engine and create the schema (start-up, not import time)."""
        url = url or os.environ.get("DATABASE_URL", self.default_url)
        if url.startswith("sqlite"):
            self.engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
            event.listen(self.engine, "connect", _sqlite_pragmas)
        else:
            self.engine = create_engine(url, pool_pre_ping=True, pool_size=5)
        self.base.metadata.create_all(self.engine)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        if url.startswith("sqlite"):
            self.write_lock = _queue_writers(self.sessions)

    def close(self) -> None:
        if self.engine is not None:
            self.engine.dispose()

    async def session(self) -> AsyncIterator[Session]:
        """FastAPI dependency: one session per request, closed afterwards.

        Async on purpose, although the endpoints using it are not: FastAPI runs a plain
        generator dependency in its thread pool twice per request (to open it and to close
        it), and each hand-over to a worker thread and back costs more than what it runs
        here. Making a Session does no I/O; closing one returns its connection to the pool."""
        with self.sessions() as session:
            yield session

    def ping(self) -> None:
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")  # readers (a notebook peeking in) never block writers
    # WAL + NORMAL: a commit survives a killed process (what the labs do) without an fsync each
    # time (about 5 ms per commit on these disks, several commits per order in the event flow)
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


_HOLDS_WRITE = "db.holds_write_lock"  # session.info: this session's thread holds the lock


def _queue_writers(sessions: sessionmaker) -> threading.Lock:
    """One writer at a time per process, queued on a lock, for an SQLite file.

    SQLite lets one transaction write at a time; another writer gets SQLITE_BUSY and its busy
    handler sleeps 1, 2, 5, 10... ms between tries, so two of the service's own threads
    colliding (a request placing an order while the consumer records an event) cost the
    second one milliseconds of sleep after the first had long committed. Taking a lock from
    the first flush (when SQLite takes its write lock) to the commit or rollback lets the
    second go on the moment the first is done. Other processes (a notebook writing to the
    file) still meet SQLite's own busy handler."""
    lock = threading.Lock()

    def before_flush(session, _context, _instances) -> None:
        # past the timeout SQLite's own busy handler decides, as without the lock
        if not session.info.get(_HOLDS_WRITE) and lock.acquire(timeout=30):
            session.info[_HOLDS_WRITE] = True

    def release(session) -> None:
        if session.info.pop(_HOLDS_WRITE, False):
            lock.release()

    def ended(session, transaction) -> None:  # also a session closed without commit or rollback
        if transaction.parent is None:
            release(session)

    event.listen(sessions, "before_flush", before_flush)
    event.listen(sessions, "after_commit", release)
    event.listen(sessions, "after_rollback", release)
    event.listen(sessions, "after_transaction_end", ended)
    return lock
