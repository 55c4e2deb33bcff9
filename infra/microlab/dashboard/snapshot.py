"""One look at a lab, taken off the kernel's thread: what the dashboard shows at a refresh."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from microlab import observe
from microlab.backends.base import ComponentStatus
from microlab.requestlog import Request


@dataclass
class Snapshot:
    taken: datetime
    components: list[ComponentStatus]
    requests: dict[str, list[Request]] = field(default_factory=dict)  # per service, oldest first
    broker: observe.Broker = field(default_factory=observe.Broker)
    problem: str | None = None  # the lab's status could not be read at all

    @property
    def lab_down(self) -> bool:
        """Nothing of the lab is left (lab.down(), or never up): time to stop refreshing."""
        return self.problem is None and not self.components

    def state(self, name: str) -> str:
        return next((c.state for c in self.components if c.name == name), "not started")

    @property
    def all_requests(self) -> list[Request]:
        return sorted((r for rs in self.requests.values() for r in rs), key=lambda r: r.end)


def take(lab) -> Snapshot:
    rows, problem = observe.components(lab)
    snap = Snapshot(datetime.now().astimezone(), rows, problem=problem)
    for row in rows:
        if row.kind == "service":
            snap.requests[row.name] = observe.requests_of(lab, row.name)
    kafka_up = any(r.kind == "broker" and r.state == "healthy" for r in rows)
    if any(r.kind == "broker" for r in rows):
        snap.broker = observe.broker(lab, kafka_up)
    return snap
