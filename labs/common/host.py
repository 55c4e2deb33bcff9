"""Run a student's own code as a lab component (what `lab.deploy` starts):

    python -m labs.common.host FILE --port 8080

FILE defines either a FastAPI `app` (DEPLOY_MODE=app: a service of its own) or a function
`handle(event)` (DEPLOY_MODE=consumer: called once per event of DEPLOY_TOPICS, in consumer
group DEPLOY_GROUP). Either way the component is hosted like the shop's services: the same
request log (with request ids), /health, fault injection, and its own database in
DATABASE_URL; so a student's service is operated, observed and graded like any other.

A consumer commits an event's offset only after `handle` returned (at-least-once: a crash
between the two delivers the event again). An event that is not JSON, or on which `handle`
keeps failing, is logged with the reason and skipped, so one bad event never stalls it.
"""
from __future__ import annotations

import argparse
import importlib.util
import os
import sys
import threading
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy.orm import DeclarativeBase

from labs.common import events
from labs.common.app import create_app
from labs.common.consumer import ATTEMPTS, EventConsumer
from labs.common.db import Database

READY_PATH = "/deployed/ready"  # 200 once the code is serving (a consumer: once assigned)


class _NoTables(DeclarativeBase):
    """The host keeps no tables: the database is the student's, through DATABASE_URL."""


def load(path: Path):
    """The student's file as a module (its errors reach the log as a traceback, then exit 1)."""
    spec = importlib.util.spec_from_file_location(path.stem.replace("-", "_"), path)
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(path.parent))
    spec.loader.exec_module(module)
    return module


class StudentConsumer(EventConsumer):
    """The shop's consumer loop (librdkafka's client, reconnects, commit after processing)
    with the student's `handle(event)` as the only handler."""

    def __init__(self, handle, group: str, topics: tuple[str, ...], bootstrap: str, log):
        super().__init__(group, topics, {}, None, None, bootstrap, log)
        self.handle = handle
        self.assigned = threading.Event()
        self.handled = 0

    def _poll_once(self, consumer) -> None:
        if consumer.assignment():
            self.assigned.set()
        super()._poll_once(consumer)

    def process(self, record) -> None:
        where = f"{record.topic}[{record.partition}]@{record.offset}"
        key = record.key.decode("utf-8", "replace") if record.key else None
        try:
            event = events.parse(record.value)
        except events.BadEvent as bad:
            self.log.warning("skipped %s key=%s: %s", where, key, bad)
            return
        try:
            self.handle(event)
        except Exception as exc:
            self._failed(record, where, exc)
            return
        self._failures.pop((record.topic, record.partition, record.offset), None)
        self.handled += 1
        self.log.info("handled %s key=%s %s", where, key, event.get("event_type", "?"))

    def _failed(self, record, where: str, exc: Exception) -> None:
        spot = (record.topic, record.partition, record.offset)
        self._failures[spot] = self._failures.get(spot, 0) + 1
        if self._failures[spot] < ATTEMPTS:
            raise events.RetryLater(f"handle() raised {type(exc).__name__}: {exc} "
                                    f"(attempt {self._failures[spot]} of {ATTEMPTS})")
        self._failures.pop(spot, None)
        self.log.exception("gave up on %s after %d attempts: handle() raised %s", where, ATTEMPTS,
                           type(exc).__name__)


def _status_router(consumer: StudentConsumer | None) -> APIRouter:
    router = APIRouter(tags=["deployed"])

    @router.get(READY_PATH)
    def ready():
        if consumer is not None and not consumer.assigned.is_set():
            return JSONResponse({"ready": False, "why": "not assigned any partition yet"}, 503)
        body = {"ready": True}
        if consumer is not None:
            body |= {"group": consumer.group, "topics": list(consumer.topics), "handled": consumer.handled}
        return body

    return router


def service_app(name: str, module, db: Database):
    if not hasattr(module, "app"):
        raise SystemExit(f"{name}: the code defines no `app` (a FastAPI application)")
    host = create_app(name, db, [_status_router(None)])
    host.mount("/", module.app)  # the host's own routes (health, admin) are matched first
    return host


def consumer_app(name: str, module, db: Database):
    if not callable(getattr(module, "handle", None)):
        raise SystemExit(f"{name}: the code defines no function `handle(event)`")
    bootstrap = events.bootstrap_servers()
    if bootstrap is None:
        raise SystemExit(f"{name}: KAFKA_BOOTSTRAP is not set: a consumer needs the broker")
    topics = tuple(t for t in os.environ["DEPLOY_TOPICS"].split(",") if t)
    group = os.environ["DEPLOY_GROUP"]
    host = None

    def start(_app):
        consumer.log = host.state.log
        consumer.start()

    consumer = StudentConsumer(module.handle, group, topics, bootstrap, None)
    host = create_app(name, db, [_status_router(consumer)], on_start=start,
                      on_stop=lambda _app: consumer.stop())
    return host


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    args = parser.parse_args()
    import uvicorn

    name = os.environ.get("SERVICE_NAME", args.file.stem)
    db = Database(_NoTables, f"{args.file.stem}.db")
    module = load(args.file)
    make = consumer_app if os.environ.get("DEPLOY_MODE") == "consumer" else service_app
    uvicorn.run(make(name, module, db), host=args.host, port=args.port, access_log=False)


if __name__ == "__main__":
    main()
