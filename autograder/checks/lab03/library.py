"""Exercise 3 of 03, pybreaker: user_breaker's settings, and fetch_user_protected calling
the grader's own fetch_user through it, observed in user-service's own request log."""
from __future__ import annotations

from microlab_grading.exercise import Check, CheckFailed, Context

from .common import new_user, requests_logged, run

FAIL_MAX, RESET_TIMEOUT = 3, 10  # what the exercise asks for

OBSERVE = '''
import pybreaker as _grader_pybreaker


def _grader_protected(user_id):
    try:
        return {"returned": fetch_user_protected(user_id)}
    except _grader_pybreaker.CircuitBreakerError:
        return {"raised": "CircuitBreakerError", "open": True}
    except BaseException as exc:
        return {"raised": type(exc).__name__, "message": str(exc)[:200], "open": False}


def _grader_breaker():
    breaker = globals().get("user_breaker")
    return {"pybreaker": isinstance(breaker, _grader_pybreaker.CircuitBreaker), "type": type(breaker).__name__,
            "fail_max": getattr(breaker, "fail_max", None), "reset_timeout": getattr(breaker, "reset_timeout", None),
            "state": str(getattr(breaker, "current_state", None))}
'''


def _healthy(ctx: Context) -> tuple[dict, dict]:
    if "healthy" not in ctx.cache:
        user = new_user(ctx)
        code = OBSERVE + f"result = {{'breaker': _grader_breaker(), 'user': _grader_protected({user['id']})}}"
        ctx.cache["healthy"] = user, run(ctx, code)
    return ctx.cache["healthy"]


def _failing(ctx: Context) -> tuple[dict, int]:
    """user-service answering 500: FAIL_MAX calls for one user, then calls for another."""
    if "failing" not in ctx.cache:
        failing, quiet, later = new_user(ctx)["id"], new_user(ctx)["id"], ctx.rng.randint(2, 4)
        code = OBSERVE + (
            f"_grader_first = [_grader_protected({failing}) for _ in range({FAIL_MAX - 1})]\n"
            f"result = {{'first': _grader_first, 'state_before': _grader_breaker()['state'],\n"
            f"          'last': _grader_protected({failing}), 'state_after': _grader_breaker()['state'],\n"
            f"          'open': [_grader_protected({quiet}) for _ in range({later})]}}")
        with ctx.faulted("user-service", error_rate=1.0):
            found = run(ctx, code)
        ctx.cache["failing"] = found, quiet
    return ctx.cache["failing"]


def settings(ctx: Context) -> None:
    breaker = _healthy(ctx)[1]["breaker"]
    ctx.expect(breaker["pybreaker"], f"user_breaker must be a pybreaker.CircuitBreaker, it is a {breaker['type']}")
    ctx.expect((breaker["fail_max"], breaker["reset_timeout"]) == (FAIL_MAX, RESET_TIMEOUT),
               f"expected fail_max={FAIL_MAX}, reset_timeout={RESET_TIMEOUT}; user_breaker has "
               f"fail_max={breaker['fail_max']}, reset_timeout={breaker['reset_timeout']}")


def returns_user(ctx: Context) -> None:
    user, found = _healthy(ctx)
    outcome = found["user"]
    if outcome.get("returned") != user:
        got = f"raised {outcome['raised']}: {outcome.get('message', '')}"[:90] if "raised" in outcome else \
            f"returned {outcome.get('returned')!r:.60}"
        raise CheckFailed(f"fetch_user_protected({user['id']}) {got}; expected that user, as user-service has it")


def opens_after_fail_max(ctx: Context) -> None:
    found, _ = _failing(ctx)
    ctx.expect(all("raised" in c for c in [*found["first"], found["last"]]), "a failing fetch_user must raise")
    ctx.expect(found["state_before"] == "closed" and found["state_after"] == "open",
               f"state {found['state_before']!r} after {FAIL_MAX - 1} failures, {found['state_after']!r} after "
               f"{FAIL_MAX}; expected 'closed', then 'open' (is fetch_user called through user_breaker?)")


def fails_fast(ctx: Context) -> None:
    found, quiet = _failing(ctx)
    reached = requests_logged(ctx, "user-service", f"/users/{quiet}")
    raised = sorted({c.get("raised", "nothing") for c in found["open"]})
    ctx.expect(reached == 0 and all(c.get("open") for c in found["open"]),
               f"{reached} request(s) reached user-service, the calls raised {', '.join(raised)}; "
               "expected none, and pybreaker.CircuitBreakerError")


CHECKS = (
    Check(f"user_breaker: fail_max={FAIL_MAX}, reset_timeout={RESET_TIMEOUT}", 0.5, settings),
    Check("fetch_user_protected returns the user", 0.5, returns_user),
    Check(f"opens after {FAIL_MAX} failures", 0.5, opens_after_fail_max),
    Check("no request reaches user-service while open", 0.5, fails_fast, needs=(f"opens after {FAIL_MAX} failures",)),
)
