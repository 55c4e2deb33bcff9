"""Fault injection for the labs: added latency and a share of failing requests.

Set at start-up through FAULT_LATENCY_MS / FAULT_ERROR_RATE, and at run time through
PUT /admin/faults (which `lab.fault(...)` calls).
"""
from __future__ import annotations

import os
import random
from dataclasses import asdict, dataclass

from pydantic import BaseModel, Field


class FaultSettings(BaseModel):
    latency_ms: int = Field(0, ge=0, le=120_000, description="added to every request")
    error_rate: float = Field(0.0, ge=0.0, le=1.0, description="share of requests answered 500")


@dataclass
class Faults:
    latency_ms: int = 0
    error_rate: float = 0.0

    @classmethod
    def from_env(cls) -> "Faults":
        return cls(int(os.environ.get("FAULT_LATENCY_MS", 0)), float(os.environ.get("FAULT_ERROR_RATE", 0)))

    def reset_from_env(self) -> None:
        """Start-up settings; run at every start so a restarted app forgets old faults."""
        fresh = Faults.from_env()
        self.latency_ms, self.error_rate = fresh.latency_ms, fresh.error_rate

    def set(self, settings: FaultSettings) -> dict:
        self.latency_ms, self.error_rate = settings.latency_ms, settings.error_rate
        return asdict(self)

    def should_fail(self) -> bool:
        return self.error_rate > 0 and random.random() < self.error_rate

    def as_dict(self) -> dict:
        return asdict(self)
