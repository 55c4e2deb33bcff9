"""The grader's checks for 03-sync-communication (instructor's course only; never in the handout).

All three exercises are code: the judge runs their answer cells' source in fresh interpreters,
after its own definitions of what the locked cells define (lab03/common.py), against a
"services" lab of its own which it breaks for real. The checks are in the package lab03/
next to this file: orders.py, breaker.py, library.py.
"""
from __future__ import annotations

from microlab_grading import checkparts
from microlab_grading.exercise import Exercise

common, orders, breaker, library = checkparts.load(__file__, "lab03", ("common", "orders", "breaker", "library"))

EXERCISES = [
    Exercise("lab03_get_user_orders", cells=("lab03_get_user_orders_answer",), provided=common.PROVIDED,
             lab="services", timeout=15, checks=orders.CHECKS),
    Exercise("lab03_circuit_breaker", cells=("lab03_circuit_breaker_answer",), provided=common.PROVIDED,
             lab="services", timeout=30, checks=breaker.CHECKS),
    Exercise("lab03_pybreaker", cells=("lab03_pybreaker_answer",), provided=common.PROVIDED,
             lab="services", timeout=20, checks=library.CHECKS),
]
# Lines of the reference solutions that no student handout may contain.
SECRETS = [
    'raise ServiceError(f"Order service unreachable: {exc}") from exc',
    'if self.state == "half-open" or self.failures >= self.failure_threshold:',
    "return user_breaker.call(fetch_user, user_id)",
]
