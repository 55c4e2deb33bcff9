"""Create a consumer's topics before it subscribes.

A consumer that joins its group while a topic does not exist yet is assigned nothing and must
notice the topic later through a metadata refresh and a rebalance. That is the path on which
payment-service stalled in a loaded CI run: it joined before 'inventory' existed, was given
inventory-0..2 a moment later, reset its offsets, and then fetched nothing for minutes while
order-service read the same topic fine. Creating the topics first (an idempotent admin call:
"already exists" is the normal answer) means the first join already sees every partition
with a leader. Stalls with other causes are caught by the consumer's watchdog.
The broker's defaults decide partitions and replicas,
exactly as auto-creation would.
"""
from __future__ import annotations

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
