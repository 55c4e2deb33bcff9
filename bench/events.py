"""What the event flow costs on the local backend (real Apache Kafka on the JVM).

Measured in one run, each next to a baseline taken in the same run:
  broker ready     first start (storage format + start) and restart, until a kafka-python
                   client fetches metadata            vs  a bare JVM start (`java -version`)
  produce          msgs/s with the outbox relay's own producer (librdkafka through confluent-kafka,
                   kafkaclient.PRODUCER_SETTINGS: acks=all, linger 0), then flush
                                                      vs  kcat (librdkafka's CLI) sending the same
  order -> reserved  POST /orders until inventory.reserved for that order is on Kafka
                   (outbox, relay, inventory's consumer, its outbox, relay), p50/p99
                                                      vs  the POST /orders round trip alone
Targets (issue 4): broker ready <= 5 s. Issue 15: POST /orders p50 <= 10 ms; POST ->
inventory.reserved p50 <= 20 ms, p99 <= 60 ms over 200 orders.
Run: .venv/bin/python bench/events.py [--messages 20000] [--orders 200]
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import statistics
import subprocess
import tempfile
import threading
import time
import uuid
from pathlib import Path

import requests

from labs.common import kafkaclient
from labs.common.kafkaclient import ensure_topics
from microlab import Lab
from microlab.broker.java import find_java
from microlab.broker.single import SingleNodeBroker


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def jvm_start_s() -> float:
    java, _ = find_java()
    started = time.perf_counter()
    subprocess.run([java, "-version"], capture_output=True, check=True)
    return time.perf_counter() - started


def broker_starts(rounds: int) -> tuple[list[float], list[float]]:
    first, again = [], []
    for _ in range(rounds):
        with tempfile.TemporaryDirectory(prefix="bench-kafka-") as tmp:
            node = SingleNodeBroker(Path(tmp) / "home")
            node.start()
            first.append(node.ready_after)
            node.restart()
            again.append(node.ready_after)
            node.stop()
    return first, again


def produce_rate(bootstrap: str, n: int, payload: bytes) -> float:
    """The outbox relay's own producer (librdkafka, kafkaclient.PRODUCER_SETTINGS)."""
    topic = f"bench-{uuid.uuid4().hex[:6]}"
    ensure_topics(bootstrap, [topic], "bench", logging.getLogger("bench"))
    producer = kafkaclient.producer(bootstrap, logging.getLogger("bench"), client_id="bench")
    producer.produce(topic, payload)
    producer.flush(30)  # connections warm
    started = time.perf_counter()
    for i in range(n):
        while True:
            try:
                producer.produce(topic, payload, key=str(i).encode())
                break
            except BufferError:  # librdkafka's local queue is full: let it drain
                producer.poll(0.01)
    producer.flush(120)
    return n / (time.perf_counter() - started)


def kcat_rate(bootstrap: str, n: int, payload: bytes) -> float | None:
    kcat = shutil.which("kcat")
    if kcat is None:
        return None
    topic = f"bench-kcat-{uuid.uuid4().hex[:6]}"
    lines = b"\n".join(payload for _ in range(n)) + b"\n"
    subprocess.run([kcat, "-P", "-b", bootstrap, "-t", topic], input=payload + b"\n", check=True)
    started = time.perf_counter()
    subprocess.run([kcat, "-P", "-b", bootstrap, "-t", topic, "-X", "acks=all"], input=lines, check=True)
    return n / (time.perf_counter() - started)


class ReservedWatcher:
    """Notes when each order's order.created and inventory.reserved reach Kafka: a consumer of
    its own (librdkafka, as the services'), reading both topics from their ends. The bench
    waits on a condition, not a polling loop: the observer must not take the CPU the
    services are measured on."""

    def __init__(self, bootstrap: str):
        from confluent_kafka import OFFSET_END, Consumer, TopicPartition

        self.seen: dict[int, float] = {}
        self.created: dict[int, float] = {}
        self._stop, self._news = threading.Event(), threading.Condition()
        self.consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": f"bench-{uuid.uuid4().hex[:6]}",
                                  "enable.auto.commit": False, "fetch.wait.max.ms": 100})
        found = self.consumer.list_topics(timeout=10).topics
        self.consumer.assign([TopicPartition(t, p, OFFSET_END) for t in ("orders", "inventory")
                              for p in found[t].partitions])
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            message = self.consumer.poll(0.1)
            if message is None or message.error() is not None:
                continue
            now = time.perf_counter()
            event = json.loads(message.value())
            seen = {"inventory.reserved": self.seen, "order.created": self.created}.get(event.get("event_type"))
            if seen is not None:
                with self._news:
                    seen.setdefault(event["order_id"], now)
                    self._news.notify_all()

    def wait_for(self, order_id: int, timeout: float = 30.0) -> float:
        with self._news:
            if not self._news.wait_for(lambda: order_id in self.seen, timeout):
                raise TimeoutError(f"no inventory.reserved for order {order_id}")
            return self.seen[order_id]

    def close(self) -> None:
        self._stop.set()
        self.thread.join()
        self.consumer.close()


def order_latencies(lab: Lab, n: int) -> tuple[list[float], list[float], list[float]]:
    users, orders = lab.url("user-service"), lab.url("order-service")
    http = requests.Session()
    user = http.post(f"{users}/users", json={"name": "Bench", "email": f"b-{uuid.uuid4().hex[:6]}@x.io"}).json()
    body = {"user_id": user["id"], "items": [{"sku": "SKU-STICKER", "quantity": 1}]}
    http.post(f"{orders}/orders", json=body).raise_for_status()  # topics exist, consumers joined
    time.sleep(2)
    watcher = ReservedWatcher(lab.kafka_bootstrap)
    post_ms, flow_ms, created_ms = [], [], []
    try:
        for _ in range(n):
            started = time.perf_counter()
            r = http.post(f"{orders}/orders", json=body)
            posted = time.perf_counter()
            r.raise_for_status()
            seen = watcher.wait_for(r.json()["id"])
            post_ms.append((posted - started) * 1000)
            flow_ms.append((seen - started) * 1000)
            created_ms.append((watcher.created.get(r.json()["id"], seen) - started) * 1000)
    finally:
        watcher.close()
    return post_ms, flow_ms, created_ms


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=20000)
    parser.add_argument("--orders", type=int, default=200)
    parser.add_argument("--starts", type=int, default=3)
    args = parser.parse_args()
    print(f"machine load (/proc/loadavg): {loadavg()} on {os.cpu_count()} cores")

    jvm = statistics.median(jvm_start_s() for _ in range(3))
    first, again = broker_starts(args.starts)
    print(f"broker ready, first start (format + start): median {statistics.median(first):.2f} s "
          f"(all: {', '.join(f'{s:.2f}' for s in first)})")
    print(f"broker ready, restart:                      median {statistics.median(again):.2f} s "
          f"(all: {', '.join(f'{s:.2f}' for s in again)})")
    print(f"  baseline bare JVM start {jvm:.2f} s -> ratio {statistics.median(again) / jvm:.1f}x; "
          f"target <= 5 s: {'met' if statistics.median(first) <= 5 else 'MISSED'}")

    lab = Lab(backend="local", name=f"bench-events-{uuid.uuid4().hex[:6]}", quiet=True)
    try:
        lab.up("services")
        payload = json.dumps({"event_type": "bench", "order_id": 1, "pad": "x" * 60}).encode()
        rate = produce_rate(lab.kafka_bootstrap, args.messages, payload)
        base = kcat_rate(lab.kafka_bootstrap, args.messages, payload)
        ratio = f" -> relay/kcat {rate / base:.2f}" if base else " (kcat not installed: no baseline)"
        print(f"produce: the relay's producer {rate:,.0f} msgs/s ({len(payload)} B); "
              f"baseline kcat {base or 0:,.0f} msgs/s{ratio}")

        post, flow, created = order_latencies(lab, args.orders)
        p50, p99 = statistics.median(flow), pct(flow, 99)
        print(f"order POST -> inventory.reserved on Kafka: p50 {p50:.1f} ms, p99 {p99:.1f} ms "
              f"({args.orders} orders, sequential); order.created on Kafka after p50 "
              f"{statistics.median(created):.1f} ms")
        post50 = statistics.median(post)
        print(f"  baseline POST /orders alone: p50 {post50:.1f} ms, p99 {pct(post, 99):.1f} ms "
              f"-> ratio {p50 / post50:.1f}x")
        print(f"targets: POST p50 <= 10 ms {met(post50 <= 10)}; POST -> reserved p50 <= 20 ms "
              f"{met(p50 <= 20)}, p99 <= 60 ms {met(p99 <= 60)}")
    finally:
        lab.down()
    print(f"machine load after: {loadavg()}")


def met(ok: bool) -> str:
    return "met" if ok else "MISSED"


def loadavg() -> str:
    return Path("/proc/loadavg").read_text().strip()


if __name__ == "__main__":
    main()
