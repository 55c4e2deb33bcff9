"""Wrong answers to 03's exercises (see wrongs.py), and the sub-checks the grader must fail
each on."""
from __future__ import annotations

import wrongs
from wrongs import Wrong

ORDERS, BREAKER, LIBRARY = "lab03_get_user_orders", "lab03_circuit_breaker", "lab03_pybreaker"
CELLS = {ORDERS: "lab03_get_user_orders_answer", BREAKER: "lab03_circuit_breaker_answer",
         LIBRARY: "lab03_pybreaker_answer"}


RAISE_OTHER = '    else:\n        raise ServiceError(f"Order service returned {response.status_code}")'
TRY_GET = ('    try:\n        response = requests.get(f"{ORDER_SERVICE}/users/{user_id}/orders", timeout=5)\n'
           '    except requests.RequestException as exc:\n'
           '        raise ServiceError(f"Order service unreachable: {exc}") from exc\n')
ERRORS = ("a 500 raises ServiceError", "a 502 raises ServiceError", "a 503 raises ServiceError",
          "a stopped service raises ServiceError", "a slow answer beyond the timeout raises ServiceError")
WRONG_ORDERS = [
    Wrong("only-500-is-an-error", ORDERS,
          ((RAISE_OTHER, RAISE_OTHER.replace("    else:", "    elif response.status_code == 500:")),),
          ("a 502 raises ServiceError", "a 503 raises ServiceError")),
    Wrong("requests-exceptions-escape", ORDERS,  # the course text's version, as quoted
          ((TRY_GET, '    response = requests.get(f"{ORDER_SERVICE}/users/{user_id}/orders", timeout=5)\n'),),
          ("a stopped service raises ServiceError", "a slow answer beyond the timeout raises ServiceError")),
    Wrong("rebinds-ServiceError", ORDERS, (("def get_user_orders", "ServiceError = Exception\n\ndef get_user_orders"),),
          ERRORS),
    Wrong("no-timeout", ORDERS, ((", timeout=5)", ")"),), ("a slow answer beyond the timeout raises ServiceError",)),
    Wrong("timeout-too-short", ORDERS, ((", timeout=5)", ", timeout=1)"),),
          ("a slow answer within the timeout is waited for",)),
]
WRONG_BREAKER = [
    # the other checks use one of the drawn thresholds too: which of them fail depends on it
    Wrong("hard-coded-threshold", BREAKER, (("self.failure_threshold = failure_threshold", "self.failure_threshold = 3"),),
          ("opens at failure_threshold",), only=False),
    Wrong("never-resets-the-count", BREAKER,
          (('self.state, self.failures = "closed", 0', 'self.state = "closed"'),), ("a success resets the failure count",)),
    Wrong("no-half-open", BREAKER,  # after reset_timeout it simply closes: a failed trial does not reopen it
          (('            self.state = "half-open"', '            self.state, self.failures = "closed", 0'),),
          ("a failed trial opens again",)),
    Wrong("own-CircuitOpenError", BREAKER,
          (("class CircuitBreaker:", "class CircuitOpenError(Exception):\n    pass\n\n\nclass CircuitBreaker:"),),
          ("fails fast while open", "stops calling a failing user-service",
           "a trial call after reset_timeout", "a failed trial opens again")),
    Wrong("stays-open-for-ever", BREAKER,
          (("if time.monotonic() - self.opened_at < self.reset_timeout:", "if True:"),),
          ("a trial call after reset_timeout", "a successful trial closes", "a failed trial opens again")),
]
PROTECTED = "return user_breaker.call(fetch_user, user_id)"
SETTINGS = "pybreaker.CircuitBreaker(fail_max=3, reset_timeout=10)"
NEVER_OPENS = ("opens after 3 failures", "no request reaches user-service while open")
WRONG_LIBRARY = [
    Wrong("bypasses-the-breaker", LIBRARY, ((PROTECTED, "return fetch_user(user_id)"),), NEVER_OPENS),
    Wrong("fail-max-5", LIBRARY, (("fail_max=3", "fail_max=5"),),
          ("user_breaker: fail_max=3, reset_timeout=10", *NEVER_OPENS)),
    Wrong("reset-timeout-60", LIBRARY, (("reset_timeout=10", "reset_timeout=60"),),
          ("user_breaker: fail_max=3, reset_timeout=10",)),
    Wrong("excludes-http-errors", LIBRARY,
          ((SETTINGS, SETTINGS.replace(")", ", exclude=[requests.HTTPError])")),), NEVER_OPENS),
    Wrong("a-new-breaker-per-call", LIBRARY, ((PROTECTED, f"return {SETTINGS}.call(fetch_user, user_id)"),),
          NEVER_OPENS),
]
WRONG = [*WRONG_ORDERS, *WRONG_BREAKER, *WRONG_LIBRARY]


PER_EXERCISE = [WRONG_ORDERS, WRONG_BREAKER, WRONG_LIBRARY]


# Forgeries: each answer cell pretends instead of doing; all of them together must earn 0.
# The visible checks are patched to pass (the grader never runs them), an ever-failing call
# looks like "raises ServiceError" everywhere, a breaker that never calls fn looks like one
# that fails fast, and a look-alike object carries pybreaker's settings.
PASS_VISIBLE = "import microlab.visible.lab03 as _v\n_v.user_orders = _v.circuit_breaker = lambda *a, **k: True\n"
FORGED = {
    CELLS[ORDERS]: PASS_VISIBLE + ("def get_user_orders(user_id):\n"
                                   "    raise ServiceError('order-service is unavailable')\n"),
    CELLS[BREAKER]: ("class CircuitBreaker:\n"
                     "    def __init__(self, failure_threshold=3, reset_timeout=30):\n"
                     "        self.failure_threshold, self.reset_timeout, self.state = failure_threshold, reset_timeout, 'open'\n\n"
                     "    def call(self, fn, *args, **kwargs):\n"
                     "        raise CircuitOpenError('open')\n"),
    CELLS[LIBRARY]: ("import pybreaker\n\n\nclass _LooksLikeABreaker:\n    fail_max, reset_timeout = 3, 10\n\n\n"
                     "user_breaker = _LooksLikeABreaker()\n\n\n"
                     "def fetch_user_protected(user_id):\n"
                     "    raise pybreaker.CircuitBreakerError('open')\n"),
}


# A forged report: the harness reports through a descriptor of the process the answer cells
# run in, so a cell can write a report of its own there and end the run before any check does.
WRITE_OVER_THE_REPORT = ("import os\n"
                         "for _fd in range(3, 256):\n"
                         "    try:\n"
                         "        os.lseek(_fd, 0, os.SEEK_SET)\n"
                         "        os.write(_fd, b'{\"result\": true}' + b' ' * 64)\n"
                         "    except OSError:\n"
                         "        pass\n"
                         "os._exit(0)\n")
FORGED_REPORT = {cell: WRITE_OVER_THE_REPORT for cell in CELLS.values()}


def submissions(reference: dict[str, str]) -> dict[str, dict[str, str]]:
    return wrongs.grouped(PER_EXERCISE, reference, CELLS) | {"forged": FORGED, "forged-report": FORGED_REPORT}


def submission_of(wrong: Wrong) -> str:
    return wrongs.submission_of(wrong, PER_EXERCISE)
