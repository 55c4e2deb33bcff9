"""Fault injection for the labs: added latency and a share of failing requests, on every
request a service answers, or only on its outgoing calls to one other service (an edge).

Set at start-up through FAULT_LATENCY_MS / FAULT_ERROR_RATE, and at run time through
PUT /admin/faults (which `lab.fault(...)` calls); {"edge": "user-service", ...} sets the
faults of this service's calls to user-service, applied by `outgoing()` in its clients.
The admin routes answer only calls carrying the lab's token (`require_admin`): without
it, any program on the machine, another lab's notebook included, could change them.
"""
from __future__ import annotations

import hmac
import os
import random
import time
from dataclasses import asdict, dataclass, field

from fastapi import Header, HTTPException
from pydantic import BaseModel, Field

from labs.common.errors import Unavailable

TOKEN_ENV = "MICROLAB_ADMIN_TOKEN"  # the same names as microlab.admintoken
TOKEN_HEADER = "X-Microlab-Admin-Token"


class FaultSettings(BaseModel):
    latency_ms: int = Field(0, ge=0, le=120_000, description="added to every request")
    error_rate: float = Field(0.0, ge=0.0, le=1.0, description="share of requests answered 500")
    edge: str | None = Field(None, max_length=100, description="only this service's calls to that service")
    consumer_paused: bool = Field(False, description="its Kafka consumer stops taking events (HTTP still answers)")


@dataclass
class Fault:
    latency_ms: int = 0
    error_rate: float = 0.0

    def should_fail(self) -> bool:
        return self.error_rate > 0 and random.random() < self.error_rate


@dataclass
class Faults(Fault):
    edges: dict[str, Fault] = field(default_factory=dict)  # callee -> faults of our calls to it
    consumer_paused: bool = False  # an incident that /health does not show: events pile up

    @classmethod
    def from_env(cls) -> "Faults":
        return cls(int(os.environ.get("FAULT_LATENCY_MS", 0)), float(os.environ.get("FAULT_ERROR_RATE", 0)))

    def reset_from_env(self) -> None:
        """Start-up settings; run at every start so a restarted app forgets old faults.
        This app's faults are also the process's, for its outgoing calls (`outgoing`)."""
        global _current
        fresh = Faults.from_env()
        self.latency_ms, self.error_rate, self.edges = fresh.latency_ms, fresh.error_rate, {}
        self.consumer_paused = False
        _current = self

    def set(self, settings: FaultSettings) -> dict:
        if settings.edge:
            if settings.latency_ms or settings.error_rate:
                self.edges[settings.edge] = Fault(settings.latency_ms, settings.error_rate)
            else:
                self.edges.pop(settings.edge, None)
        else:
            self.latency_ms, self.error_rate = settings.latency_ms, settings.error_rate
            self.consumer_paused = settings.consumer_paused
        return self.as_dict()

    def as_dict(self) -> dict:
        found = {"latency_ms": self.latency_ms, "error_rate": self.error_rate}
        if self.edges:
            found["edges"] = {name: asdict(f) for name, f in sorted(self.edges.items())}
        if self.consumer_paused:
            found["consumer_paused"] = True
        return found


_current: Faults | None = None


def consumer_paused() -> bool:
    """Asked by the service's Kafka consumer before each poll (lab.fault(..., consumer_paused=True))."""
    return _current is not None and _current.consumer_paused


def outgoing(callee: str, timeout: float) -> None:
    """Called by a client before it calls `callee`: the edge's latency (a slower one than
    the client's timeout is that timeout), and its share of failures as a 5xx would be."""
    fault = _current.edges.get(callee) if _current is not None else None
    if fault is None:
        return
    if fault.latency_ms:
        time.sleep(min(fault.latency_ms / 1000, timeout))
        if fault.latency_ms / 1000 > timeout:
            raise Unavailable(f"{callee} did not answer within {timeout:g} s (injected latency on this edge)")
    if fault.should_fail():
        raise Unavailable(f"{callee} answered 500 (injected fault on this edge); try again later")


def require_admin(x_microlab_admin_token: str | None = Header(None)) -> None:
    """A FastAPI dependency of the admin routes. A service started without a token (a unit
    test's app, a developer's uvicorn) has no lab to protect and stays open."""
    expected = os.environ.get(TOKEN_ENV, "")
    if not expected:
        return
    if not x_microlab_admin_token:
        raise HTTPException(401, f"admin calls need the lab's token in the {TOKEN_HEADER} header "
                                 "(lab.fault(...) sends it)")
    if not hmac.compare_digest(x_microlab_admin_token.encode(), expected.encode()):
        raise HTTPException(403, "wrong admin token: this service belongs to another lab")
