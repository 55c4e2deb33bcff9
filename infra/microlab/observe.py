"""Reading a running lab for the dashboard and lab.trace: its components, the requests each
service logged, the broker's topics, offsets and events.

Every read is bounded and answers "down" (a short reason) instead of raising: a component a
student has just stopped is a normal sight here, not an error.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from microlab import requestlog
from microlab.backends.base import ComponentStatus
from microlab.requestlog import Request

LOG_TAIL = 2000  # lines per service: enough for a few minutes of a notebook's traffic


@dataclass
class Broker:
    ends: dict[str, dict[int, int]] = field(default_factory=dict)  # topic -> partition -> end
    lags: list = field(default_factory=list)  # offsets.GroupLag rows
    problem: str | None = None  # why nothing could be read (Kafka down)


def reason(exc: Exception) -> str:
    return str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__


def components(lab) -> tuple[list[ComponentStatus], str | None]:
    """The lab's components as its status shows them, or ([], why not)."""
    try:
        return list(lab.status()), None
    except Exception as exc:  # an engine gone away: show it, keep the notebook alive
        return [], reason(exc)


def requests_of(lab, service: str, tail: int = LOG_TAIL) -> list[Request]:
    """The student's requests `service` answered (health checks left out); [] when it has no log."""
    try:
        return requestlog.parse(lab.logs(service, tail=tail))
    except Exception:  # stopped, removed, never started: no requests to show
        return []


def broker(lab, running: bool) -> Broker:
    if not running:
        return Broker(problem="kafka is not running")
    from microlab.broker import offsets

    try:
        bootstrap = lab.kafka_bootstrap
        ends = offsets.end_offsets(bootstrap)
        return Broker(ends, offsets.lags(ends, offsets.committed_offsets(bootstrap)))
    except Exception as exc:  # broker down or still electing: say so in the panel
        return Broker(problem=reason(exc))


def events(lab, limit: int = 500) -> tuple[list[dict], dict, str | None]:
    """(recent events of every topic, committed offsets {group: {(topic, partition): offset}},
    problem) for following a request through the broker."""
    from microlab.broker import client, offsets

    try:
        bootstrap = lab.kafka_bootstrap
        found = []
        for topic in client.topics(bootstrap):
            found.extend(client.recent_events(bootstrap, topic, limit=limit))
        committed = {g: {(tp.topic, tp.partition): at for tp, at in offs.items()}
                     for g, offs in offsets.committed_offsets(bootstrap).items()}
        return found, committed, None
    except Exception as exc:
        return [], {}, reason(exc)
