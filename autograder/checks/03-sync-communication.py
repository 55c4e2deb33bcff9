"""The grader's checks for 03-sync-communication (instructor's course only; never in the handout).

All three exercises are code: the judge runs their answer cells' source in fresh interpreters,
after its own definitions of what the locked cells define (lab03/common.py), against a
"services" lab of its own which it breaks for real. The checks are in the package lab03/
next to this file: orders.py, breaker.py, library.py.
"""
from __future__ import annotations

import importlib
import importlib.util
import sys
from pathlib import Path

from microlab_grading.exercise import Exercise


def _parts():
    """The lab03/ package beside this file (the course's checks are loaded by path)."""
    folder = Path(__file__).with_name("lab03")
    name = "course_checks_lab03"
    spec = importlib.util.spec_from_file_location(name, folder / "__init__.py", submodule_search_locations=[str(folder)])
    package = importlib.util.module_from_spec(spec)
    sys.modules[name] = package  # its modules import each other relatively
    spec.loader.exec_module(package)
    return [importlib.import_module(f"{name}.{part}") for part in ("common", "orders", "breaker", "library")]


common, orders, breaker, library = _parts()

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
