"""The request-log lines services wrote after a marker request of the grader's: what a
check's own calls (or a student's code it ran) made the services do, and nothing before."""
from __future__ import annotations

import time
import uuid

import httpx


class LogWindow:
    def __init__(self, lab, services: tuple[str, ...]):
        self.lab, self.marker = lab, f"grader-marker-{uuid.uuid4().hex[:12]}"
        for service in services:
            httpx.get(f"{lab.url(service)}/grader-marker", headers={"X-Request-ID": self.marker}, timeout=10)

    def lines(self, service: str) -> list[str]:
        time.sleep(0.3)  # a service writes its log line just after it answered
        lines = self.lab.logs(service, tail=5000).splitlines()
        start = max((i for i, line in enumerate(lines) if self.marker in line), default=None)
        if start is None:
            raise RuntimeError(f"the grader's marker request is not in {service}'s log")
        return lines[start + 1:]
