"""`lab.trace(request_id)`: one request followed across gateway -> services -> events.

Put together from what the system itself records, nothing simulated:
- the notebook's call (microlab.calls) and, through a gateway, the latencies it reported;
- each service's log line for that request id (microlab.requestlog);
- the events of the saga: order.created carries the request id, and every later event about
  that order is keyed by the order id (choreography: no one else knows the request);
- which consumer groups handled each event: their committed offset on its partition is past it.
"""
from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime

from microlab import calls
from microlab.errors import LabError
from microlab.requestlog import Request

REJECTED_TOPIC = "events.rejected"


@dataclass(frozen=True)
class Step:
    lane: str  # "notebook", "gateway", a service, or "kafka"
    kind: str  # "call" | "gateway" | "http" | "event" | "handled"
    label: str
    start: datetime
    end: datetime


class Trace(list):
    """Steps of one request, in time order; a table in a notebook, `.plot()` for a swimlane."""

    def __init__(self, request_id: str, steps: list[Step], notes: list[str] = ()):
        super().__init__(sorted(steps, key=lambda s: (s.start, s.end)))
        self.request_id, self.notes = request_id, list(notes)

    @property
    def lanes(self) -> list[str]:
        """Lanes top to bottom in the order the request reached them."""
        return list(dict.fromkeys(s.lane for s in self))

    def _rows(self) -> list[tuple[str, str, str, str]]:
        t0 = self[0].start if self else None
        return [(f"+{(s.start - t0).total_seconds() * 1000:.0f} ms",
                 f"{(s.end - s.start).total_seconds() * 1000:.0f} ms", s.lane, s.label) for s in self]

    def __str__(self) -> str:
        if not self:
            return f"request {self.request_id}: nothing found" + "".join(f"\n  {n}" for n in self.notes)
        lines = [f"request {self.request_id}", f"  {'AT':>9} {'TOOK':>8}  {'WHERE':<19}WHAT"]
        lines += [f"  {at:>9} {took:>8}  {lane:<19}{what}" for at, took, lane, what in self._rows()]
        return "\n".join(lines + [f"  note: {n}" for n in self.notes])

    __repr__ = __str__

    def _repr_html_(self) -> str:
        rid = html.escape(self.request_id)
        notes = "".join(f"<p><i>{html.escape(n)}</i></p>" for n in self.notes)
        if not self:
            return f"<p>request <code>{rid}</code>: nothing found</p>{notes}"
        body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>"
                       for row in self._rows())
        head = "<tr><th>at</th><th>took</th><th>where</th><th>what</th></tr>"
        return f"<p>request <code>{rid}</code></p><table>{head}{body}</table>{notes}"

    def plot(self, ax=None):
        """The swimlane: one lane per component, a bar per step, arrows for events."""
        from microlab.plots import swimlane

        return swimlane(self, ax=ax)


def http_steps(request_id: str, requests: list[Request]) -> list[Step]:
    return [Step(r.service, "http", f"{r.method} {r.path} -> {r.status} ({r.ms:.1f} ms)", r.start, r.end)
            for r in requests if r.request_id == request_id]


def call_steps(call: calls.Call | None, gateway: str = "gateway") -> list[Step]:
    if call is None or call.start is None:
        return []
    path = "/" + call.url.split("://", 1)[-1].split("/", 1)[-1] if "/" in call.url.split("://", 1)[-1] else "/"
    steps = [Step("notebook", "call", f"{call.method} {path} -> {call.status}", call.start, call.end)]
    if call.via_gateway:
        steps.append(Step(gateway, "gateway", f"routed (gateway {call.proxy_ms} ms, upstream "
                                              f"{call.upstream_ms} ms)", call.start, call.end))
    return steps


def _producer(event_type: str) -> str:
    # the shop's events are named after the service that publishes them: order.* by order-service
    return f"{event_type.split('.', 1)[0]}-service"


def saga_events(request_id: str, events: list[dict]) -> list[dict]:
    """The events that carried the request: those with its id, then every event about the
    orders they announced, oldest first."""
    def value(e):
        return e["value"] if isinstance(e.get("value"), dict) else {}

    orders = {str(value(e).get("order_id")) for e in events if value(e).get("request_id") == request_id}
    found = [e for e in events if e.get("topic") != REJECTED_TOPIC
             and str(value(e).get("order_id", "")) in orders]
    return sorted(found, key=lambda e: (e["timestamp"], e["topic"], e["offset"]))


def event_steps(saga: list[dict], committed: dict[str, dict[tuple[str, int], int]]) -> list[Step]:
    """A step on the kafka lane per event, and one per consumer group that handled it (at the
    time of the first event that group published next about the order, when there is one)."""
    steps = []
    for i, e in enumerate(saga):
        at = datetime.fromisoformat(e["timestamp"])
        kind = e["value"].get("event_type", "?")
        steps.append(Step("kafka", "event", f"{kind} on {e['topic']}-{e['partition']}@{e['offset']} "
                                            f"(published by {_producer(kind)})", at, at))
        for reason in e.get("rejected") or []:
            steps.append(Step(reason.split(":", 1)[0], "handled", f"rejected {kind}: {reason}", at, at))
        for group, offsets in sorted(committed.items()):
            if offsets.get((e["topic"], e["partition"]), -1) <= e["offset"]:
                continue
            later = next((datetime.fromisoformat(n["timestamp"]) for n in saga[i + 1:]
                          if _producer(n["value"].get("event_type", "?")) == group), at)
            steps.append(Step(group, "handled", f"handled {kind}", at, max(later, at)))
    return steps


def assemble(request_id: str, call: calls.Call | None, requests: list[Request], events: list[dict],
             committed: dict[str, dict[tuple[str, int], int]], notes: list[str] = ()) -> Trace:
    http = http_steps(request_id, requests)
    if call is not None and call.start is None and http:
        call = calls.widen(call, min(s.start for s in http), max(s.end for s in http))
    steps = call_steps(call) + http + event_steps(saga_events(request_id, events), committed)
    return Trace(request_id, steps, notes)


def request_id_of(what) -> tuple[str, calls.Call | None]:
    """A request id, a response (requests/httpx), or None for the notebook's last call."""
    if what is None:
        call = calls.last()
        if call is None:
            raise LabError("no call made through microlab.calls.session() yet: pass a request id "
                             "or a response, e.g. lab.trace(response)")
        return call.request_id, call
    if isinstance(what, str):
        return what, calls.find(what)
    if hasattr(what, "headers") and hasattr(what, "request"):
        call = calls.Call.from_response(what)
        return call.request_id, calls.find(call.request_id) or call
    raise LabError(f"lab.trace takes a request id, a response or nothing, not {type(what).__name__}")


def follow(lab, what=None) -> Trace:
    """lab.trace(...): read the lab's logs and broker, then assemble the request's trace."""
    from microlab import observe

    request_id, call = request_id_of(what)
    rows, problem = observe.components(lab)
    notes = [f"lab status unavailable: {problem}"] if problem else []
    logged = []
    for row in rows:
        if row.kind == "service":
            logged.extend(observe.requests_of(lab, row.name))
    found, committed = [], {}
    if any(r.kind == "broker" and r.state == "healthy" for r in rows):
        found, committed, problem = observe.events(lab)
        if problem:
            notes.append(f"events not read: {problem}")
    down = [r.name for r in rows if r.state not in ("healthy", "starting")]
    if down:
        notes.append(f"not running, so not read: {', '.join(down)}")
    return assemble(request_id, call, logged, found, committed, notes)
