"""Create a consumer's topics before it subscribes, and subscribe so that its first join is its
only join.

A consumer that joins its group while a topic does not exist yet is assigned nothing and must
notice the topic later through a metadata refresh and a second join. Creating the topics first
(an idempotent admin call: "already exists" is the normal answer) means the topic and its
leaders exist when the consumer joins. The broker's defaults decide partitions and replicas,
exactly as auto-creation would.

That is not enough on its own with kafka-python 3.0.12. The group leader compares the
metadata it assigned with (a snapshot taken at assignment) with every later metadata
response, and rejoins when they differ; but that rejoin never sets `rejoin_needed`, so if its
JoinGroup/SyncGroup round trip outlasts the caller's poll() timer no later poll collects it and
the member stays REBALANCING, heartbeats off, for ever (see consumer.py). A first join made
before any metadata response for the new subscription has an empty snapshot and always forces
that rejoin. `subscribe()` below waits for such a response before the first poll, so the
first join's snapshot already holds every partition and nothing forces a second join.

Every member of one group must subscribe to the same topics: a member with more topics grows
the leader's group subscription, which changes its next snapshot and forces the same rejoin.
In the shop each service is its own group with one fixed topic list (labs/*/eventflow.py).
"""
from __future__ import annotations

import time
from collections.abc import Iterable


def ensure(bootstrap: str, topics: Iterable[str], client_id: str, timeout_ms: int = 10000) -> None:
    """Create the missing `topics` and wait until each has a leader for every partition.

    Raises a kafka error if the broker cannot be reached (the caller retries with backoff)."""
    from kafka import KafkaAdminClient

    names = sorted(set(topics))
    if not names:
        return
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id=f"{client_id}-topics",
                             bootstrap_timeout_ms=5000, request_timeout_ms=timeout_ms)
    try:
        # raise_errors=False: TOPIC_ALREADY_EXISTS is expected from the second service on
        admin.create_topics(names, timeout_ms=timeout_ms, raise_errors=False)
        admin.wait_for_topics(names, timeout_ms=timeout_ms)
    finally:
        admin.close()


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
