"""X-Request-ID: taken from the caller or made here, logged, and passed on to every call."""
from __future__ import annotations

import contextvars
import uuid

import requests

HEADER = "X-Request-ID"
current: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")


def new_id() -> str:
    return uuid.uuid4().hex


class PropagatingSession(requests.Session):
    """A requests.Session that sends the current request id with every outgoing call."""

    def request(self, method, url, **kwargs):
        headers = dict(kwargs.pop("headers", None) or {})
        headers.setdefault(HEADER, current.get())
        return super().request(method, url, headers=headers, **kwargs)
