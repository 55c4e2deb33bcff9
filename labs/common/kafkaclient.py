"""The services' own Kafka client: librdkafka, through confluent-kafka.

The notebooks teach with kafka-python, and the shop's services used it too until its cost
showed in every order: its protocol work runs in Python, on the same interpreter (and GIL)
as the service's HTTP requests. Measured on these machines: a producer sends 31k msg/s
against librdkafka's 419k (bench/events.py), one record's end-to-end latency is 5.3 ms
against 1.3 ms, and a group join takes 0.2-1.6 s against 0.06-0.1 s. librdkafka's group
join also cannot stall the way kafka-python 3.0.12's can (tests/integration/kafka/kafkakit.py),
so the services need no watchdog.

Errors librdkafka reports on its own threads (broker down, connection refused) come back
through `error_cb` on the next poll, and are logged at most once per THROTTLE_S each.
"""
from __future__ import annotations

import functools
import logging
import re
import threading
import time
from collections.abc import Iterable
from concurrent.futures import wait
from dataclasses import dataclass

THROTTLE_S = 5.0  # the same librdkafka error is logged once per this many seconds
# How often a wait on the broker looks whether its service is stopping: a lab without a broker
# (03's) once took 3-6 s to stop, its services waiting out a topic creation nobody answered.
SLICE_S = 0.2

# Bounded waits: a client facing a dead broker gives up in seconds and tries again later.
CONSUMER_SETTINGS = {
    "enable.auto.commit": False,  # committed by the consumer, only after processing
    "auto.offset.reset": "earliest",
    # a restarted service gets its partitions back within seconds (the default 45 s session
    # keeps a killed member's partitions)
    "session.timeout.ms": 10000, "heartbeat.interval.ms": 1000,
    "topic.metadata.refresh.interval.ms": 5000,  # new partitions are seen in seconds
    # the broker answers a fetch as soon as one byte is there, so the wait only sets how often
    # an idle consumer asks again (at 100 ms, three services' fetches kept the broker busy)
    "fetch.wait.max.ms": 500,
    # librdkafka prefetches up to 64 MiB per consumer by default; a lab's events are a few
    # hundred bytes, and the services share one machine's memory with the notebook
    "queued.max.messages.kbytes": 2048,
    "reconnect.backoff.max.ms": 1000,
    "log.connection.close": False,  # the broker closing an idle connection is not news
}
PRODUCER_SETTINGS = {
    # a row counts as sent only once the broker has it: on one node "all" costs what 1 costs
    "acks": "all",
    "linger.ms": 0,  # send at once: the relay already hands over whole batches, then flushes
    "request.timeout.ms": 5000, "message.timeout.ms": 5000,
    "reconnect.backoff.max.ms": 1000,
    "log.connection.close": False,
}


@dataclass(frozen=True)
class Record:
    """One consumed record, read once from librdkafka's Message."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None


def record(message) -> Record:
    return Record(message.topic(), message.partition(), message.offset(), message.key(), message.value())


class _ErrorLog:
    """librdkafka's error callback: each distinct error logged once per THROTTLE_S."""

    def __init__(self, log: logging.Logger, who: str):
        self.log, self.who, self.last = log, who, {}

    def __call__(self, error) -> None:
        text, now = str(error), time.monotonic()
        if now - self.last.get(text, -THROTTLE_S) >= THROTTLE_S:
            self.last[text] = now
            self.log.warning("%s: Kafka: %s", self.who, text)


class _Repeats(logging.Filter):
    """librdkafka's own log lines, each distinct one at most once per THROTTLE_S: facing a
    broker that is down it logs every failed connect, about 20 lines a second."""

    def __init__(self):
        super().__init__()
        self.last: dict[str, float] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        text, now = re.sub(r"\d+", "#", record.getMessage()), time.monotonic()
        if now - self.last.get(text, -THROTTLE_S) < THROTTLE_S:
            return False
        self.last[text] = now
        return True


def _client_log(log: logging.Logger) -> logging.Logger:
    """The logger handed to librdkafka: the service's own, with repeats held back."""
    child = log.getChild("librdkafka")
    if not any(isinstance(f, _Repeats) for f in child.filters):
        child.addFilter(_Repeats())
    return child


def consumer(bootstrap: str, group: str, log: logging.Logger):
    from confluent_kafka import Consumer

    def on_commit(error, _partitions) -> None:  # the answer to an asynchronous commit
        if error is not None:
            log.warning("consumer %s: offsets not committed (%s); those events will come again "
                        "and be skipped as duplicates", group, error.str())

    return Consumer({"bootstrap.servers": bootstrap, "group.id": group, "client.id": group,
                     **CONSUMER_SETTINGS, "error_cb": _ErrorLog(log, f"consumer {group}"), "logger": _client_log(log),
                     "on_commit": on_commit})


def producer(bootstrap: str, log: logging.Logger, client_id: str = "outbox-relay"):
    from confluent_kafka import Producer

    return Producer({"bootstrap.servers": bootstrap, "client.id": client_id, **PRODUCER_SETTINGS,
                     "error_cb": _ErrorLog(log, client_id), "logger": _client_log(log)})


def ensure_topics(bootstrap: str, topics: Iterable[str], client_id: str, log: logging.Logger,
                  timeout: float = 10.0, stop: threading.Event | None = None) -> None:
    """Create the missing `topics` (the broker's defaults decide partitions and replicas, as
    auto-creation would) and wait until every partition has a leader, so that a consumer
    subscribing next is assigned them in its first join. Raises KafkaException when the
    broker cannot be reached in `timeout` seconds (the caller retries with backoff), and
    Interrupted as soon as `stop` is set."""
    from confluent_kafka import KafkaError, KafkaException
    from confluent_kafka.admin import NewTopic

    names = sorted(set(topics))
    if not names:
        return
    admin = _admin(bootstrap, client_id, log)
    deadline = time.monotonic() + timeout
    futures = list(admin.create_topics([NewTopic(n) for n in names], request_timeout=timeout).values())
    _settle(futures, deadline, stop)
    for future in futures:
        try:
            future.result(timeout=0)
        except KafkaException as exc:  # "already exists" is the normal answer from the second service on
            if exc.args[0].code() != KafkaError.TOPIC_ALREADY_EXISTS:
                raise
    while not _all_led(admin, names, max(0.1, deadline - time.monotonic())):
        if time.monotonic() >= deadline:
            raise KafkaException(KafkaError(KafkaError._TIMED_OUT, f"no leader for every partition of {names}"))
        _interrupted(stop)
        time.sleep(0.05)


@functools.lru_cache(maxsize=8)
def _admin(bootstrap: str, client_id: str, log: logging.Logger):
    """One admin client per service and broker, for the process's life: destroying one whose
    request was still waiting on an absent broker blocked its thread for seconds (measured:
    a lab without a broker took 3-6 s to stop), and each reconnect made a new one."""
    from confluent_kafka.admin import AdminClient

    return AdminClient({"bootstrap.servers": bootstrap, "client.id": f"{client_id}-topics",
                        "reconnect.backoff.max.ms": 1000, "log.connection.close": False,
                        "error_cb": _ErrorLog(log, f"{client_id} topics"), "logger": _client_log(log)})


class Interrupted(Exception):
    """The service is stopping: a wait on the broker gave up early."""


def _interrupted(stop: threading.Event | None) -> None:
    if stop is not None and stop.is_set():
        raise Interrupted("stopping")


def _settle(futures: list, deadline: float, stop: threading.Event | None) -> None:
    """Wait for `futures` until `deadline`, in slices, so that a stop is seen at once."""
    pending = set(futures)
    while pending and time.monotonic() < deadline:
        _interrupted(stop)
        _, pending = wait(pending, timeout=min(SLICE_S, max(0.0, deadline - time.monotonic())))


def _all_led(admin, names: list[str], timeout: float) -> bool:
    found = admin.list_topics(timeout=timeout).topics
    return all(n in found and found[n].error is None and found[n].partitions
               and all(p.leader >= 0 for p in found[n].partitions.values()) for n in names)
