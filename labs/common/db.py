"""One database per app, through SQLAlchemy 2: SQLite embedded, PostgreSQL in containers.

The URL comes from DATABASE_URL, so the same service code runs on both.
"""
from __future__ import annotations

import os
from collections.abc import Iterator

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker


class Database:
    def __init__(self, base: type[DeclarativeBase], default_file: str):
        self.base = base
        self.default_url = f"sqlite:///./{default_file}"
        self.engine: Engine | None = None
        self.sessions: sessionmaker[Session] | None = None

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

    def close(self) -> None:
        if self.engine is not None:
            self.engine.dispose()

    def session(self) -> Iterator[Session]:
        """FastAPI dependency: one session per request, closed afterwards."""
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
