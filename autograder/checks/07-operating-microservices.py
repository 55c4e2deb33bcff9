"""The grader's checks for 07-operating-microservices (instructor's course only; never in the handout).

All three code exercises are judged on a "services" lab of the grader's own: the trace and
the diagnosis run in fresh interpreters on snapshots the grader took of its lab (orders it
placed through its gateway, incidents it injected, service and kind drawn per student), and
their claims are checked in the services' real logs; the greeting service is deployed into
the lab and measured under the grader's own load. The incidents run last: they fault the
services the other two use. The written answer is graded by hand (its rubric is in the
source notebook). The checks are in lab07/.
"""
from __future__ import annotations

from microlab_grading import checkparts
from microlab_grading.exercise import Exercise

common, tracing, resilience, diagnose = checkparts.load(__file__, "lab07", ("common", "tracing", "resilience",
                                                                              "diagnose"))

EXERCISES = [
    Exercise("lab07_trace", cells=("lab07_trace_answer",), provided=common.PROVIDED, lab=common.LAB, timeout=30,
             checks=tracing.CHECKS),
    Exercise("lab07_resilience", cells=("lab07_resilience_answer",), provided=common.PROVIDED, lab=common.LAB,
             timeout=30, checks=resilience.CHECKS),
    Exercise("lab07_diagnose", cells=("lab07_diagnose_answer",), provided=common.PROVIDED, lab=common.LAB,
             timeout=30, checks=diagnose.CHECKS),
]
# Lines of the reference solutions that no student handout may contain.
SECRETS = [
    'slow = {s: found for s, found in requests.items() if found and min(float(m["ms"]) for m in found) >= 1000}',
    'orders = {e["value"].get("order_id") for e in every if e["value"].get("request_id") == request_id}',
    "breaker = pybreaker.CircuitBreaker(fail_max=3, reset_timeout=5)",
]
