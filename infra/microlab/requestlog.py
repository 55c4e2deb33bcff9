"""The requests a service answered, read back from its own log.

Every shop service logs one line per request (labs/common/app.py):

    2026-12-02 00:47:15,123 INFO order-service request_id=ab12 POST /orders -> 201 (12.3 ms)

The time at the start is when the line was written, i.e. when the answer left; `start` is that
minus the duration. Health checks and the admin API are the lab's own traffic, not the
student's, so `parse` leaves them out unless asked.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

LINE = re.compile(
    r"^(?P<stamp>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) \S+ (?P<service>\S+) "
    r"request_id=(?P<rid>\S+) (?P<method>[A-Z]+) (?P<path>\S+) -> (?P<status>\d{3}) "
    r"\((?P<ms>[\d.]+) ms\)")
LAB_TRAFFIC = ("/health", "/admin/")


@dataclass(frozen=True)
class Request:
    service: str
    request_id: str
    method: str
    path: str
    status: int
    ms: float
    end: datetime  # timezone-aware (the service's local time, as its log writes it)

    @property
    def start(self) -> datetime:
        return self.end - timedelta(milliseconds=self.ms)

    @property
    def failed(self) -> bool:
        return self.status >= 500


def parse_line(line: str) -> Request | None:
    match = LINE.match(line.strip())
    if match is None:
        return None
    # asctime is the writer's local time without a zone: read it as this machine's local time
    end = datetime.strptime(match["stamp"], "%Y-%m-%d %H:%M:%S,%f").astimezone()
    return Request(match["service"], match["rid"], match["method"], match["path"],
                   int(match["status"]), float(match["ms"]), end)


def parse(text: str, include_lab_traffic: bool = False) -> list[Request]:
    """The request lines of a log, oldest first; other lines (startup, Kafka, tracebacks) skipped."""
    found = (parse_line(line) for line in text.splitlines())
    return [r for r in found if r is not None
            and (include_lab_traffic or not r.path.startswith(LAB_TRAFFIC))]


def per_second(requests: list[Request], now: datetime, window_s: int = 60) -> tuple[list[int], list[int]]:
    """(requests, failed requests) in each of the last `window_s` seconds before `now`, oldest first."""
    total, failed = [0] * window_s, [0] * window_s
    for r in requests:
        age = int((now - r.end).total_seconds())
        if 0 <= age < window_s:
            total[window_s - 1 - age] += 1
            failed[window_s - 1 - age] += r.failed
    return total, failed
