"""Checks for 03-sync-communication, run against the live lab with real faults injected.

Each check builds its own `Lab` handle (never the notebook's `lab` variable), creates its
own data through the services' APIs, injects faults with `lab.fault`, and observes what
really reached the service (a counting call, or the service's own request log). Every
fault is cleared again, whatever the student's code did.
"""
from __future__ import annotations

import time
import uuid
from contextlib import contextmanager

import httpx

LAB = "lab03"
TIMEOUT_S = 5  # the course text's timeout
SLOW_MS = 6500  # beyond the timeout


class CheckFailed(AssertionError):
    pass


def _lab():
    from microlab import Lab

    return Lab(name=LAB, quiet=True)


@contextmanager
def fault(lab, service: str, **settings):
    lab.fault(service, **settings)
    try:
        yield
    finally:
        lab.fault(service)


def _expect(grade_id: str, check: str, ok: bool, why: str) -> None:
    if not ok:
        raise CheckFailed(f"[{grade_id}] check '{check}' failed: {why}")


def make_user_with_order(lab) -> tuple[int, int]:
    tag = uuid.uuid4().hex[:8]
    user = httpx.post(f"{lab.url('user-service')}/users", json={"name": f"Check {tag}", "email": f"check-{tag}@example.org"}, timeout=10)
    user.raise_for_status()
    uid = user.json()["id"]
    order = httpx.post(f"{lab.url('order-service')}/orders",
                       json={"user_id": uid, "items": [{"sku": _a_sku(lab), "quantity": 1}]}, timeout=10)
    order.raise_for_status()
    return uid, order.json()["id"]


def _a_sku(lab) -> str:
    items = httpx.get(f"{lab.url('inventory-service')}/inventory", timeout=10).json()
    return max(items, key=lambda i: i["stock"])["sku"]


def _call(fn, *args):
    started = time.monotonic()
    try:
        return fn(*args), None, time.monotonic() - started
    except Exception as exc:  # the student's function decides what to raise
        return None, exc, time.monotonic() - started


# -- exercise 1: get_user_orders -------------------------------------------------------------
G1 = "lab03_get_user_orders"


def check_orders_ok(get_user_orders, service_error) -> None:
    lab = _lab()
    uid, oid = make_user_with_order(lab)
    result, exc, _ = _call(get_user_orders, uid)
    _expect(G1, "200 returns the orders", exc is None, f"raised {type(exc).__name__}: {exc}")
    ids = [o.get("id") for o in result] if isinstance(result, list) else None
    _expect(G1, "200 returns the orders", ids == [oid], f"expected a list with order {oid}, got {result!r:.200}")


def check_orders_404(get_user_orders, service_error) -> None:
    result, exc, _ = _call(get_user_orders, 987_654_321)
    _expect(G1, "404 returns []", exc is None, f"an unknown user must give [], but it raised {type(exc).__name__}: {exc}")
    _expect(G1, "404 returns []", result == [], f"an unknown user must give [], got {result!r:.200}")


def check_orders_500(get_user_orders, service_error) -> None:
    lab = _lab()
    uid, _ = make_user_with_order(lab)
    with fault(lab, "order-service", error_rate=1.0):
        result, exc, _ = _call(get_user_orders, uid)
    _expect(G1, "500 raises ServiceError", isinstance(exc, service_error),
            f"the order service answered 500; expected ServiceError, got "
            f"{type(exc).__name__ if exc else 'a return value ' + repr(result)[:80]}")


def check_orders_slow(get_user_orders, service_error) -> None:
    lab = _lab()
    uid, _ = make_user_with_order(lab)
    with fault(lab, "order-service", latency_ms=SLOW_MS):
        result, exc, took = _call(get_user_orders, uid)
    _expect(G1, "slow beyond the timeout", took < TIMEOUT_S + 1.5,
            f"the call waited {took:.1f} s for a service that answers after {SLOW_MS / 1000:.0f} s; "
            f"use timeout={TIMEOUT_S}")
    _expect(G1, "slow beyond the timeout", isinstance(exc, service_error),
            f"a timeout must become ServiceError, got {type(exc).__name__ if exc else repr(result)[:80]}")


def check_orders_down(get_user_orders, service_error) -> None:
    lab = _lab()
    uid, _ = make_user_with_order(lab)
    stop_service(lab, "order-service")
    try:
        result, exc, took = _call(get_user_orders, uid)
    finally:
        lab.up("services")
    _expect(G1, "service down raises ServiceError", isinstance(exc, service_error),
            f"with the order service down, expected ServiceError, got "
            f"{type(exc).__name__ if exc else 'a return value ' + repr(result)[:80]}")


def stop_service(lab, name: str) -> None:
    """Really stop one component of the lab (its process, or its container)."""
    lab.stop(name)


# -- exercise 2: CircuitBreaker ----------------------------------------------------------------
G2 = "lab03_circuit_breaker"


class _Counted:
    """fetch a user from the live user-service, counting the requests that really left."""

    def __init__(self, lab, uid: int):
        self.url = f"{lab.url('user-service')}/users/{uid}"
        self.sent = 0

    def __call__(self):
        self.sent += 1
        response = httpx.get(self.url, timeout=5)
        response.raise_for_status()
        return response.json()


def _state(breaker) -> str:
    return str(getattr(breaker, "state", "?")).lower().replace("_", "-")


def _new(breaker_cls, threshold=3, reset=0.5):
    try:
        return breaker_cls(failure_threshold=threshold, reset_timeout=reset)
    except Exception as exc:
        raise CheckFailed(f"[{G2}] check 'constructor' failed: CircuitBreaker(failure_threshold="
                          f"{threshold}, reset_timeout={reset}) raised {type(exc).__name__}: {exc}")


def _trip(breaker, fetch, times: int) -> None:
    for _ in range(times):
        _, exc, _ = _call(breaker.call, fetch)
        _expect(G2, "failures pass through while closed", exc is not None and not _is_open_error(exc),
                f"a failing call while closed must re-raise the service's error, got {exc!r:.120}")


def _is_open_error(exc) -> bool:
    return type(exc).__name__ == "CircuitOpenError"


def check_breaker_opens(breaker_cls, open_error) -> None:
    lab = _lab()
    uid, _ = make_user_with_order(lab)
    breaker, fetch = _new(breaker_cls), _Counted(lab, uid)
    result, exc, _ = _call(breaker.call, fetch)
    _expect(G2, "closed passes calls through", exc is None and isinstance(result, dict) and result.get("id") == uid,
            f"a healthy call through the breaker must return the user, got {exc or result!r:.120}")
    _expect(G2, "starts closed", _state(breaker) == "closed", f"state is {_state(breaker)!r}")
    with fault(lab, "user-service", error_rate=1.0):
        _trip(breaker, fetch, 3)
        _expect(G2, "opens at the threshold", _state(breaker) == "open",
                f"after 3 failures with failure_threshold=3 the state is {_state(breaker)!r}")
        before = fetch.sent
        _, exc, _ = _call(breaker.call, fetch)
    _expect(G2, "open fails fast", isinstance(exc, open_error),
            f"a call while open must raise CircuitOpenError, got {exc!r:.120}")
    _expect(G2, "open fails fast", fetch.sent == before,
            "a call while open still reached the user service")


def check_breaker_threshold(breaker_cls, open_error) -> None:
    lab = _lab()
    uid, _ = make_user_with_order(lab)
    breaker, fetch = _new(breaker_cls), _Counted(lab, uid)
    with fault(lab, "user-service", error_rate=1.0):
        _trip(breaker, fetch, 2)
        _expect(G2, "stays closed below the threshold", _state(breaker) == "closed",
                f"2 failures with failure_threshold=3 left the state {_state(breaker)!r}")
    _call(breaker.call, fetch)  # one success
    with fault(lab, "user-service", error_rate=1.0):
        for _ in range(2):  # no per-call expectation: what matters is the state afterwards
            _call(breaker.call, fetch)
    _expect(G2, "a success resets the count", _state(breaker) == "closed",
            "2 failures, 1 success, 2 failures opened the breaker: the failure count must restart "
            f"after a success (state {_state(breaker)!r})")


def check_breaker_half_open(breaker_cls, open_error) -> None:
    lab = _lab()
    uid, _ = make_user_with_order(lab)
    breaker, fetch = _new(breaker_cls, reset=0.5), _Counted(lab, uid)
    with fault(lab, "user-service", error_rate=1.0):
        _trip(breaker, fetch, 3)
        time.sleep(0.7)
        before = fetch.sent
        _, exc, _ = _call(breaker.call, fetch)
        _expect(G2, "half-open lets one trial call through", fetch.sent == before + 1,
                f"after reset_timeout the next call must reach the service as a trial; "
                f"it {'did not' if fetch.sent == before else 'made several requests'} ({exc!r:.80})")
        _expect(G2, "a failed trial re-opens", _state(breaker) == "open", f"state is {_state(breaker)!r}")
        before = fetch.sent
        _, exc, _ = _call(breaker.call, fetch)
        _expect(G2, "a failed trial re-opens", isinstance(exc, open_error) and fetch.sent == before,
                "right after a failed trial the breaker must fail fast again")
    time.sleep(0.7)
    result, exc, _ = _call(breaker.call, fetch)
    _expect(G2, "a good trial closes", exc is None and _state(breaker) == "closed",
            f"after reset_timeout a successful trial must close the breaker (state {_state(breaker)!r}, {exc!r:.80})")
    before = fetch.sent
    _call(breaker.call, fetch)
    _expect(G2, "a good trial closes", fetch.sent == before + 1, "once closed, calls must pass through")


# -- exercise 3: pybreaker ----------------------------------------------------------------------
G3 = "lab03_pybreaker"


def requests_logged(lab, service: str, path: str) -> int:
    return sum(1 for line in lab.logs(service, tail=2000).splitlines() if f" {path} -> " in line)


def check_pybreaker(user_breaker, fetch_user_protected) -> None:
    import pybreaker

    lab = _lab()
    _expect(G3, "a pybreaker.CircuitBreaker", isinstance(user_breaker, pybreaker.CircuitBreaker),
            f"user_breaker is {type(user_breaker).__name__}")
    _expect(G3, "fail_max=3, reset_timeout=10", (user_breaker.fail_max, user_breaker.reset_timeout) == (3, 10),
            f"got fail_max={user_breaker.fail_max}, reset_timeout={user_breaker.reset_timeout}")
    uid, _ = make_user_with_order(lab)
    user_breaker.close()
    path = f"GET /users/{uid}"
    try:
        with fault(lab, "user-service", error_rate=1.0):
            errors = [_call(fetch_user_protected, uid)[1] for _ in range(3)]
            _expect(G3, "failures counted", all(e is not None for e in errors), "a failing service must raise")
            _expect(G3, "opens after fail_max", user_breaker.current_state == "open",
                    f"after 3 failures the breaker is {user_breaker.current_state!r}: does "
                    "fetch_user_protected call through user_breaker?")
            sent = requests_logged(lab, "user-service", path)
            _, exc, _ = _call(fetch_user_protected, uid)
            time.sleep(0.2)  # let the log line land if a request did go out
            _expect(G3, "open fails fast", isinstance(exc, pybreaker.CircuitBreakerError)
                    and requests_logged(lab, "user-service", path) == sent,
                    "while open, calls must raise CircuitBreakerError without reaching user-service")
    finally:
        user_breaker.close()


def visible(grade_id: str, check, *args) -> None:
    from microlab_grading import selfcheck

    selfcheck.run(grade_id, check, *args)
