"""Submissions the grader tests hand in: wrong in plausible ways, and hostile.

Each is the reference solution with some answer cells replaced (by grade_id), plus the
checks that must fail (grade_id -> words the failure message must contain).
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Submission:
    name: str
    answers: dict[str, str]
    fails: dict[str, str] = field(default_factory=dict)  # grade_id -> expected words in the message


REF_SERVICES = '''SERVICES = {
    "user-service": {"tables": ["users"], "endpoints": ["POST /users", "GET /users/{id}"]},
    "order-service": {"tables": ["orders", "order_items"], "endpoints": ["POST /orders", "GET /orders/{id}", "GET /users/{id}/orders"]},
    "inventory-service": {"tables": ["inventory"], "endpoints": ["GET /inventory", "GET /inventory/{sku}", "POST /inventory/reservations"]},
    "payment-service": {"tables": ["payments"], "endpoints": ["POST /payments", "GET /payments/{id}"]},
}'''


def _services(**replace) -> str:
    src = REF_SERVICES
    for old, new in replace.items():
        src = src.replace(old.replace("__", " "), new)
    return src


LAB02 = [
    Submission("shared-users", {
        "lab02_services": REF_SERVICES.replace('"tables": ["orders", "order_items"]', '"tables": ["orders", "order_items", "users"]'),
        "lab02_kinds": 'SUBDOMAIN_KIND = {"ordering": "core", "inventory": "supporting", "payments": "core", "accounts": "generic"}',
        "lab02_conway_answer": 'CONWAY = "a"',
    }, {"lab02_tables": "exactly one owner per table", "lab02_endpoints": "writes stay local",
        "lab02_subdomains": "'payments' classified as 'core'", "lab02_conway": "Conway"}),
    Submission("nanoservices", {
        "lab02_services": '''SERVICES = {
    "user-service": {"tables": ["users"], "endpoints": ["POST /users", "GET /users/{id}"]},
    "order-service": {"tables": ["orders"], "endpoints": ["POST /orders", "GET /orders/{id}", "GET /users/{id}/orders"]},
    "order-item-service": {"tables": ["order_items"], "endpoints": []},
    "inventory-service": {"tables": ["inventory"], "endpoints": ["GET /inventory", "GET /inventory/{sku}", "POST /inventory/reservations"]},
    "payment-service": {"tables": ["payments"], "endpoints": ["POST /payments", "GET /payments/{id}"]},
}''',
        "lab02_kinds": 'SUBDOMAIN_KIND = {"ordering": "supporting", "inventory": "supporting", "payments": "generic", "accounts": "generic"}',
        "lab02_conway_answer": 'CONWAY = "d"',
    }, {"lab02_split": "no nanoservices", "lab02_endpoints": "writes stay local",
        "lab02_subdomains": "'ordering'", "lab02_conway": "Conway"}),
    Submission("monolith-again", {
        "lab02_services": '''SERVICES = {
    "shop-service": {"tables": ["users", "orders", "order_items", "inventory", "payments"],
                     "endpoints": ["POST /users", "GET /users/{id}", "POST /orders", "GET /orders/{id}", "GET /users/{id}/orders",
                                   "GET /inventory", "GET /inventory/{sku}", "POST /inventory/reservations", "POST /payments", "GET /payments/{id}"]},
}''',
        "lab02_kinds": 'SUBDOMAIN_KIND = {"ordering": "core", "inventory": "generic", "payments": "generic", "accounts": "generic"}',
        "lab02_conway_answer": 'CONWAY = "b"',
    }, {"lab02_split": "not the monolith again", "lab02_subdomains": "'inventory'", "lab02_conway": "Conway"}),
    Submission("order-writes-elsewhere", {
        "lab02_services": REF_SERVICES.replace('"endpoints": ["POST /users", "GET /users/{id}"]', '"endpoints": ["POST /users", "GET /users/{id}", "POST /orders"]')
                                      .replace('"endpoints": ["POST /orders", "GET /orders/{id}"', '"endpoints": ["GET /orders/{id}"'),
    }, {"lab02_endpoints": "POST /orders in user-service writes 'order_items'"}),
    Submission("shared-inventory-remote-payments", {
        "lab02_services": '''SERVICES = {
    "user-service": {"tables": ["users"], "endpoints": ["POST /users", "GET /users/{id}"]},
    "order-service": {"tables": ["orders", "order_items", "inventory"],
                      "endpoints": ["POST /orders", "GET /orders/{id}", "GET /users/{id}/orders", "POST /payments", "GET /payments/{id}"]},
    "inventory-service": {"tables": ["inventory"], "endpoints": ["GET /inventory", "GET /inventory/{sku}", "POST /inventory/reservations"]},
    "payment-store": {"tables": ["payments"], "endpoints": []},
}''',
    }, {"lab02_tables": "exactly one owner per table", "lab02_split": "no remote tables",
        "lab02_endpoints": "writes stay local"}),
    Submission("payments-forgotten", {
        "lab02_services": REF_SERVICES.replace('"tables": ["payments"]', '"tables": []'),
    }, {"lab02_tables": "no service owns 'payments'", "lab02_endpoints": "serve your own data"}),
]

REF_GET = '''def get_user_orders(user_id):
    try:
        response = requests.get(f"{ORDER_SERVICE}/users/{user_id}/orders", timeout=5)
    except requests.RequestException as exc:
        raise ServiceError(str(exc)) from exc
    if response.status_code == 200:
        return response.json()
    if response.status_code == 404:
        return []
    raise ServiceError(f"Order service returned {response.status_code}")'''

REF_BREAKER = '''class CircuitBreaker:
    def __init__(self, failure_threshold=3, reset_timeout=10.0):
        self.failure_threshold, self.reset_timeout = failure_threshold, reset_timeout
        self.state, self.failures, self.opened_at = "closed", 0, 0.0

    def call(self, fn, *args, **kwargs):
        if self.state == "open":
            if time.monotonic() - self.opened_at < self.reset_timeout:
                raise CircuitOpenError("open")
            self.state = "half-open"
        try:
            result = fn(*args, **kwargs)
        except Exception:
            self.failures += 1
            if self.state == "half-open" or self.failures >= self.failure_threshold:
                self.state, self.opened_at = "open", time.monotonic()
            raise
        self.state, self.failures = "closed", 0
        return result'''

REF_PYBREAKER = '''import pybreaker
user_breaker = pybreaker.CircuitBreaker(fail_max=3, reset_timeout=10)

def fetch_user_protected(user_id):
    return user_breaker.call(fetch_user, user_id)'''

CLOSED_WHILE_OPEN = ('''            if time.monotonic() - self.opened_at < self.reset_timeout:
                raise CircuitOpenError("open")
            self.state = "half-open"''')

LAB03 = [
    Submission("no-timeout-never-half-opens", {
        "lab03_get_user_orders_answer": REF_GET.replace(", timeout=5", ""),
        "lab03_circuit_breaker_answer": REF_BREAKER.replace(CLOSED_WHILE_OPEN, '            raise CircuitOpenError("open")'),
    }, {"lab03_get_user_orders": "slow beyond the timeout", "lab03_circuit_breaker": "half-open"}),
    Submission("raises-on-404-breaker-unused", {
        "lab03_get_user_orders_answer": REF_GET.replace("        return []", "        raise ServiceError('no such user')"),
        "lab03_pybreaker_answer": REF_PYBREAKER.replace("return user_breaker.call(fetch_user, user_id)", "return fetch_user(user_id)"),
    }, {"lab03_get_user_orders": "404 returns []", "lab03_pybreaker": "opens after fail_max"}),
    Submission("calls-while-open-fail-max-5", {
        "lab03_circuit_breaker_answer": REF_BREAKER.replace(CLOSED_WHILE_OPEN, "            pass"),
        "lab03_pybreaker_answer": REF_PYBREAKER.replace("fail_max=3", "fail_max=5"),
    }, {"lab03_circuit_breaker": "open fails fast", "lab03_pybreaker": "fail_max=3"}),
    Submission("swallows-500-counts-all-failures", {
        "lab03_get_user_orders_answer": REF_GET.replace('    raise ServiceError(f"Order service returned {response.status_code}")', "    return []"),
        "lab03_circuit_breaker_answer": REF_BREAKER.replace('self.state, self.failures = "closed", 0', 'self.state = "closed"'),
    }, {"lab03_get_user_orders": "500 raises ServiceError", "lab03_circuit_breaker": "a success resets the count"}),
    Submission("connection-error-escapes-slow-reset", {
        "lab03_get_user_orders_answer": REF_GET.replace("except requests.RequestException", "except requests.Timeout"),
        "lab03_pybreaker_answer": REF_PYBREAKER.replace("reset_timeout=10", "reset_timeout=60"),
    }, {"lab03_get_user_orders": "service down raises ServiceError", "lab03_pybreaker": "reset_timeout=10"}),
    Submission("breaker-off-by-one", {
        "lab03_circuit_breaker_answer": REF_BREAKER.replace("self.failures >= self.failure_threshold", "self.failures > self.failure_threshold"),
    }, {"lab03_circuit_breaker": "opens at the threshold"}),
]

LAB01 = [
    Submission("forgot-inventory", {"lab01_tables_answer": 'ORDER_WRITES = {"orders", "order_items", "payments"}'},
               {"lab01_written_tables": "missing [\'inventory\']"}),
    Submission("users-too", {"lab01_tables_answer": 'ORDER_WRITES = {"users", "orders", "order_items", "inventory", "payments"}'},
               {"lab01_written_tables": "not written [\'users\']"}),
    Submission("orders-only", {"lab01_tables_answer": 'ORDER_WRITES = {"orders"}'}, {"lab01_written_tables": "missing"}),
    Submission("quiz-q1", {"lab01_quiz_answer": 'QUIZ = {"q1": "a", "q2": "c", "q3": "a"}'}, {"lab01_quiz": "q1 not right"}),
    Submission("quiz-q2", {"lab01_quiz_answer": 'QUIZ = {"q1": "b", "q2": "b", "q3": "a"}'}, {"lab01_quiz": "q2 not right"}),
    Submission("quiz-q3", {"lab01_quiz_answer": 'QUIZ = {"q1": "b", "q2": "c", "q3": "b"}'}, {"lab01_quiz": "q3 not right"}),
]

GOOD_QUIZ = 'QUIZ = {"q1": "b", "q2": "c", "q3": "a"}'
GOOD_TABLES = 'ORDER_WRITES = {"orders", "order_items", "inventory", "payments"}'

# Hostile submissions (graded with 01, the quickest live notebook). `fails` as above; an
# empty dict with `zero=True` semantics is handled in the test by name.
HOSTILE = [
    Submission("hostile-infinite-loop", {"lab01_quiz_answer": "while True:\n    pass\n" + GOOD_QUIZ},
               {"lab01_quiz": "QUIZ"}),
    Submission("hostile-sys-exit", {"lab01_quiz_answer": "import sys, subprocess\n"
                                    "subprocess.Popen(['sleep', '600'], start_new_session=True)\n"
                                    "sys.exit(0)\n" + GOOD_QUIZ}, {"lab01_quiz": "QUIZ"}),
    Submission("hostile-os-exit", {"lab01_quiz_answer": "import os\nos._exit(1)"},
               {"lab01_quiz": "", "lab01_written_tables": ""}),
    Submission("hostile-100mb-print", {"lab01_quiz_answer": "print('x' * 100_000_000)\n" + GOOD_QUIZ}, {}),
    Submission("hostile-delete-course", {"lab01_quiz_answer":
        "import os, pathlib, shutil\n"
        "for p in list(pathlib.Path.cwd().parents)[:4]:\n"
        "    if (p / 'nbgrader_config.py').exists() or (p / 'gradebook.db').exists():\n"
        "        shutil.rmtree(p, ignore_errors=True)\n"
        "shutil.rmtree(os.environ.get('MICROLAB_HOME', '/nonexistent'), ignore_errors=True)\n" + GOOD_QUIZ},
        {"lab01_quiz": "", "lab01_written_tables": ""}),
    Submission("hostile-monkey-patch", {
        "lab01_tables_answer": "import sys, types\n"
        "import microlab_grading.lab01_checks as c\n"
        "c.check_tables = c.check_quiz = c.check_tables_shape = c.check_quiz_shape = lambda *a, **k: None\n"
        "sys.modules['microlab_grading.lab01_checks'] = types.SimpleNamespace(check_tables=lambda *a: None, check_quiz=lambda *a: None)\n"
        "get_ipython().showtraceback = lambda *a, **k: None\n"
        "ORDER_WRITES = {'users'}",
        "lab01_quiz_answer": 'QUIZ = {"q1": "a", "q2": "a", "q3": "b"}',
    }, {"lab01_written_tables": "", "lab01_quiz": ""}),
    Submission("hostile-edits-locked-test", {
        "lab01_quiz_answer": 'QUIZ = {"q1": "d", "q2": "d", "q3": "d"}',
        "lab01_quiz": "pass  # the student emptied the test cell",
    }, {"lab01_quiz": "q1"}),
]
