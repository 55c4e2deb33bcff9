"""A kafka-python group consumer for the tests, subscribed the way the shop's are.

A first join made before any metadata for the subscription forces a second join, which
kafka-python 3.0.12 never collects if it outlasts poll()'s timer (see labs/common/topics.py):
`labs.common.topics.subscribe` refreshes metadata right after subscribing so that no second
join is needed. Incremental fetch sessions are off only because a full fetch costs nothing
here (the fetch-session stall #2575 was fixed in 2.1.4; #3131 was a rebalance-listener bug).
"""
from __future__ import annotations

from kafka import KafkaConsumer

from labs.common.topics import subscribe


def subscribed_consumer(bootstrap: str, *topics: str, **config) -> KafkaConsumer:
    config.setdefault("enable_incremental_fetch_sessions", False)
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, **config)
    if topics:
        subscribe(consumer, topics, timeout_ms=15000)
    return consumer
