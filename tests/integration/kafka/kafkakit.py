"""kafka-python group consumers for the tests, and how to subscribe one so that its first join
is its only join.

The shop's services use librdkafka (labs/common/kafkaclient.py); the tests, like the notebooks
and microlab's own readers, use kafka-python, whose 3.0.12 group join can stall:

A consumer that joins its group while a topic does not exist yet is assigned nothing and must
notice the topic later through a metadata refresh and a second join. The group leader compares
the metadata it assigned with (a snapshot taken at assignment) with every later metadata
response, and rejoins when they differ; but that rejoin never sets `rejoin_needed`, so if its
JoinGroup/SyncGroup round trip outlasts the caller's poll() timer no later poll collects it and
the member stays REBALANCING, heartbeats off, for ever (test_consumer_stall.py shows it). A
first join made before any metadata response for the new subscription has an empty snapshot
and always forces that rejoin. `subscribe()` below waits for such a response before the first
poll, so the first join's snapshot already holds every partition and nothing forces a second.

Every member of one group must subscribe to the same topics: a member with more topics grows
the leader's group subscription, which changes its next snapshot and forces the same rejoin.
Incremental fetch sessions are off only because a full fetch costs nothing here (the
fetch-session stall #2575 was fixed in 2.1.4; #3131 was a rebalance-listener bug).
"""
from __future__ import annotations

import time
from collections.abc import Iterable

from kafka import KafkaConsumer


def subscribed_consumer(bootstrap: str, *topics: str, **config) -> KafkaConsumer:
    config.setdefault("enable_incremental_fetch_sessions", False)
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, **config)
    if topics:
        subscribe(consumer, topics, timeout_ms=15000)
    return consumer


def subscribe(consumer, topics: Iterable[str], timeout_ms: int = 5000) -> None:
    """`consumer.subscribe(topics)`, then wait until the group coordinator's metadata snapshot
    has the partitions of every topic, so that the first join does not force a second.

    Uses kafka-python 3.0.12 internals: `topics()` would refresh metadata publicly but
    waits without a timeout (kafka-python #3121). Raises KafkaTimeoutError after `timeout_ms`."""
    from kafka.errors import KafkaTimeoutError

    names = sorted(set(topics))
    consumer.subscribe(names)
    deadline = time.monotonic() + timeout_ms / 1000
    while not snapshot_has_partitions(consumer, names):
        left_ms = (deadline - time.monotonic()) * 1000
        if left_ms <= 0:
            raise KafkaTimeoutError(f"no partition metadata for {names} after subscribing")
        # a refresh already in flight may have been asked for the old topic list: ask again
        # until a response covers the subscription
        update = consumer._cluster.request_update()
        consumer._net.run(consumer._manager.wait_for, update, left_ms)


def snapshot_has_partitions(consumer, topics: Iterable[str]) -> bool:
    """Whether the metadata snapshot the leader would assign with knows every topic's partitions."""
    snapshot = consumer._coordinator._metadata_snapshot
    return all(snapshot.get(topic) for topic in topics)
