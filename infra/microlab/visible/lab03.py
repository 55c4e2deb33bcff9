"""Visible checks of 03-sync-communication: a few public behaviours, against your own lab.
The grader runs many more in a lab of its own: other faults, other thresholds and timeouts."""
from __future__ import annotations

import uuid

from microlab import localhttp
from microlab.selfcheck import NotAnswered, check

UNKNOWN_USER = 987_654_321  # no lab creates that many users


def _user_with_an_order(lab) -> tuple[int, int]:
    tag = uuid.uuid4().hex[:8]
    user = localhttp.post(f"{lab.url('user-service')}/users", timeout=10,
                      json={"name": f"Check {tag}", "email": f"check-{tag}@example.org"}).json()
    stock = localhttp.get(f"{lab.url('inventory-service')}/inventory", timeout=10).json()
    order = localhttp.post(f"{lab.url('order-service')}/orders", timeout=10, json={
        "user_id": user["id"], "items": [{"sku": max(stock, key=lambda i: i["stock"])["sku"], "quantity": 1}]})
    return user["id"], order.json()["id"]


def _real_user(get_user_orders, lab) -> None:
    uid, oid = _user_with_an_order(lab)
    orders = get_user_orders(uid)
    if orders is None:
        raise NotAnswered("get_user_orders returns None: complete it")
    ids = [o.get("id") for o in orders] if isinstance(orders, list) and all(isinstance(o, dict) for o in orders) else None
    if ids != [oid]:
        raise AssertionError(f"user {uid} has one order, {oid}; get_user_orders({uid}) gave {orders!r:.150}")


def _unknown_user(get_user_orders) -> None:
    orders = get_user_orders(UNKNOWN_USER)
    if orders != []:
        raise AssertionError(f"user {UNKNOWN_USER} does not exist (404): expected [], got {orders!r:.150}")


def user_orders(get_user_orders, lab) -> bool:
    return check("lab03_get_user_orders", ("a real user's orders", lambda: _real_user(get_user_orders, lab)),
                 ("an unknown user gives []", lambda: _unknown_user(get_user_orders)))


class _Dependency:
    """Counts the calls that reach it; fails when told to."""

    def __init__(self):
        self.calls = 0

    def __call__(self, fail: bool):
        self.calls += 1
        if fail:
            raise ConnectionError("the dependency is down (a visible check)")
        return "answer"


def _new(breaker_cls, threshold: int):
    breaker = breaker_cls(failure_threshold=threshold, reset_timeout=30)
    if getattr(breaker, "state", None) is None:
        raise NotAnswered("a new CircuitBreaker has no state: complete it")
    return breaker


def _passes_through(breaker_cls) -> None:
    breaker, dependency = _new(breaker_cls, 2), _Dependency()
    got = breaker.call(dependency, False)
    if got != "answer" or dependency.calls != 1:
        raise AssertionError(f"a healthy call while closed must call fn once and return its result, got {got!r:.80}")
    try:
        breaker.call(dependency, True)
    except ConnectionError:
        return
    raise AssertionError("a failing call while closed must re-raise fn's exception")


def _opens_and_fails_fast(breaker_cls, open_error) -> None:
    breaker, dependency = _new(breaker_cls, 2), _Dependency()
    for _ in range(2):
        try:
            breaker.call(dependency, True)
        except (ConnectionError, open_error):
            pass
    state = str(breaker.state)
    if state != "open":
        raise AssertionError(f"after 2 failures with failure_threshold=2 the state is {state!r}, not 'open'")
    try:
        breaker.call(dependency, False)
    except open_error:
        if dependency.calls != 2:
            raise AssertionError("a call while open reached the dependency") from None
        return
    raise AssertionError("a call while open must raise CircuitOpenError without calling fn")


def circuit_breaker(breaker_cls, open_error) -> bool:
    return check("lab03_circuit_breaker", ("closed passes calls and errors through", lambda: _passes_through(breaker_cls)),
                 ("opens at failure_threshold and fails fast", lambda: _opens_and_fails_fast(breaker_cls, open_error)))


def _settings(user_breaker) -> None:
    import pybreaker

    if user_breaker is None:
        raise NotAnswered("user_breaker is None: create a pybreaker.CircuitBreaker")
    if not isinstance(user_breaker, pybreaker.CircuitBreaker):
        kind = type(user_breaker).__name__
        raise AssertionError(f"user_breaker must be a pybreaker.CircuitBreaker, it is a {kind}")  # noqa: TRY004
    if (user_breaker.fail_max, user_breaker.reset_timeout) != (3, 10):
        raise AssertionError(f"expected fail_max=3, reset_timeout=10; got fail_max={user_breaker.fail_max}, "
                             f"reset_timeout={user_breaker.reset_timeout}")


def _returns_user(fetch_user_protected, user_id: int) -> None:
    user = fetch_user_protected(user_id)
    if not isinstance(user, dict) or user.get("id") != user_id:
        raise AssertionError(f"fetch_user_protected({user_id}) must return that user, got {user!r:.120}")


def with_pybreaker(user_breaker, fetch_user_protected, user_id: int) -> bool:
    return check("lab03_pybreaker", ("user_breaker: fail_max=3, reset_timeout=10", lambda: _settings(user_breaker)),
                 ("fetch_user_protected returns the user", lambda: _returns_user(fetch_user_protected, user_id)))
