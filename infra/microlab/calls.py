"""The notebook's own HTTP calls, each with a request id a student can follow (lab.trace).

    from microlab.calls import session
    http = session()
    order = http.post(f"{lab.url('gateway')}/api/v1/orders", json={...})
    lab.trace()              # follows the last call made through `http`
    lab.trace(order)         # or any response (requests or httpx): its X-Request-ID

Every shop service answers with the X-Request-ID it logged (made up when the caller sent
none), so even a plain `requests.get` has an id to follow; the session sends its own first,
so the call is known from the first hop (the gateway) on, and remembers when it was made.
"""
from __future__ import annotations

import uuid
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import requests

HEADER = "X-Request-ID"
RECENT: deque["Call"] = deque(maxlen=200)  # this kernel's calls through session(), oldest first


@dataclass(frozen=True)
class Call:
    request_id: str
    method: str
    url: str
    status: int
    start: datetime | None  # None for a response not made through session(): time unknown
    end: datetime | None
    upstream_ms: int | None = None  # what a gateway said it spent waiting for the service
    proxy_ms: int | None = None  # what a gateway said it spent itself

    @classmethod
    def from_response(cls, response, timed: bool = False) -> "Call":
        """From a requests or httpx response; `timed` when it has only just arrived."""
        headers = response.headers
        end = datetime.now(timezone.utc) if timed else None
        start = end - response.elapsed if end is not None else None
        return cls(headers.get(HEADER) or response.request.headers.get(HEADER, "-"),
                   response.request.method, str(response.request.url), response.status_code,
                   start, end, _int(headers.get("X-Kong-Upstream-Latency")),
                   _int(headers.get("X-Kong-Proxy-Latency")))

    @property
    def via_gateway(self) -> bool:
        return self.upstream_ms is not None


def _int(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() else None


class TracedSession(requests.Session):
    """A requests.Session that gives every call a fresh X-Request-ID (unless one is passed)
    and remembers it in RECENT."""

    def request(self, method, url, **kwargs):
        headers = dict(kwargs.pop("headers", None) or {})
        headers.setdefault(HEADER, f"nb-{uuid.uuid4().hex[:12]}")
        kwargs.setdefault("timeout", 10)  # a notebook cell never hangs on a dead service
        response = super().request(method, url, headers=headers, **kwargs)
        RECENT.append(Call.from_response(response, timed=True))
        return response


def session() -> TracedSession:
    return TracedSession()


def find(request_id: str) -> Call | None:
    """The newest remembered call with that id."""
    return next((c for c in reversed(RECENT) if c.request_id == request_id), None)


def last() -> Call | None:
    return RECENT[-1] if RECENT else None


def widen(call: Call, start: datetime, end: datetime) -> Call:
    """A call of unknown time placed around what the services logged for it."""
    if call.start is not None:
        return call
    return Call(call.request_id, call.method, call.url, call.status, start - timedelta(milliseconds=1),
                end + timedelta(milliseconds=1), call.upstream_ms, call.proxy_ms)
