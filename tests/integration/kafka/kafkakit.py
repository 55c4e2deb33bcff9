"""A kafka-python group consumer that joins only once its topics' partitions are known.

A first join without partition metadata assigns nothing and forces a second join, which
kafka-python 3.0.12 sometimes never finishes under load (seen here: "Elected group leader
-- performing partition assignments" and then nothing). Incremental fetch sessions are
off for the same reason (kafka-python #2575, #3131); a full fetch costs nothing here.
"""
from __future__ import annotations

import time

from kafka import KafkaConsumer


def subscribed_consumer(bootstrap: str, *topics: str, **config) -> KafkaConsumer:
    config.setdefault("enable_incremental_fetch_sessions", False)
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, **config)
    deadline = time.monotonic() + 15
    while not all(consumer.partitions_for_topic(t) for t in topics):
        assert time.monotonic() < deadline, f"no partition metadata for {topics}"
        time.sleep(0.1)
    if topics:
        consumer.subscribe(topics)
    return consumer
