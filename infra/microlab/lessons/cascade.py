"""03-sync-communication's cascade: how long one call takes while a dependency gets slower."""
from __future__ import annotations

import time


def timed_under_latency(lab, service: str, ramp_ms: list[int], call, expected=(Exception,)) -> list[float]:
    """Seconds `call()` took at each added latency of `service` (raising one of `expected`
    counts as an answer: a timeout or an open breaker is what is being timed); faults cleared after."""
    took = []
    try:
        for latency in ramp_ms:
            lab.fault(service, latency_ms=latency)
            started = time.perf_counter()
            try:
                call()
            except expected:
                pass
            took.append(time.perf_counter() - started)
    finally:
        lab.fault(service)
    return took
