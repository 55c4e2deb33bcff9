"""Exercise 1 of 03, get_user_orders: called in fresh interpreters against the grader's own
services while the grader breaks them for real (a 500, a 503 from the user-service behind it,
a 502 from the gateway in front of a stopped order-service, the order-service stopped, a
slow answer beyond and within the 5 s timeout). An error counts only as the grader's own
ServiceError: an answer cell that rebinds the name gains nothing."""
from __future__ import annotations

from microlab import localhttp
from microlab_grading.exercise import Check, CheckFailed, Context

from .common import new_user, place_order, run, stopped

TIMEOUT_S = 5  # what the exercise asks for (the course text's value)
LATE_S = 1.5  # how much later than the timeout a call may come back (a loaded machine)
GATEWAY_PREFIX = "/order-service"  # where the grader's gateway routes to order-service
# Raising ServiceError (or returning []) proves nothing by itself: a function that always does
# would pass those checks, so they count only once real orders come back.
REAL = "a real user's orders"

# Calls the student's function, records how it ended (the grader's clock, the grader's class).
CALL = '''
def _grader_outcome(user_id):
    started = provided["grader_clock"]()
    try:
        outcome = {"returned": get_user_orders(user_id)}
    except BaseException as exc:
        outcome = {"raised": type(exc).__name__, "service_error": isinstance(exc, provided["ServiceError"])}
    outcome["seconds"] = provided["grader_clock"]() - started
    return outcome
'''


def _comparable(orders) -> list | None:
    """Orders without their status, which the order flow moves on in the background."""
    if not isinstance(orders, list) or not all(isinstance(o, dict) for o in orders):
        return None
    return [{k: v for k, v in o.items() if k != "status"} for o in orders]


def _customer(ctx: Context) -> tuple[int, list]:
    """A user of the grader's own, with 1-3 orders, and those orders as the grader reads them."""
    if "customer" not in ctx.cache:
        uid = new_user(ctx)["id"]
        for _ in range(ctx.rng.randint(1, 3)):
            place_order(ctx, uid)
        truth = localhttp.get(f"{ctx.lab.url('order-service')}/users/{uid}/orders", timeout=10)
        truth.raise_for_status()
        ctx.cache["customer"] = uid, truth.json()
    return ctx.cache["customer"]


def _answered(ctx: Context, order_service: str | None, timeout: float | None = None) -> dict:
    uid, _ = _customer(ctx)
    return run(ctx, CALL + f"result = _grader_outcome({uid})", order_service, timeout)


def _sees(url: str, status: int) -> None:
    """The grader's own view of a fault, before it judges the student's code under it."""
    got = localhttp.get(url, timeout=10).status_code
    if got != status:
        raise RuntimeError(f"the grader's lab answered {got} to {url}, not {status}: the fault did not take")


def _ended(outcome: dict) -> str:
    """How one call ended, briefly: several failed checks share one line of the gradebook."""
    return f"raised {outcome['raised']}" if "raised" in outcome else f"returned {outcome.get('returned')!r:.60}"


def _service_error(outcome: dict, situation: str) -> None:
    if "raised" not in outcome:
        raise CheckFailed(f"{situation}: {_ended(outcome)}, expected ServiceError")
    if not outcome["service_error"]:
        raise CheckFailed(f"raised {outcome['raised']}, not the notebook's ServiceError")


def _returns_orders(outcome: dict, truth: list, situation: str) -> None:
    if "raised" in outcome or _comparable(outcome["returned"]) != _comparable(truth):
        ids = [o["id"] for o in truth]
        raise CheckFailed(f"{situation}: {_ended(outcome)}, expected the user's orders (ids {ids})")


def _healthy(ctx: Context) -> dict:
    """A real user and an unknown one, in one run (nothing is broken yet)."""
    if "healthy" not in ctx.cache:
        uid, _ = _customer(ctx)
        unknown = ctx.rng.randint(10**6, 10**9)
        _sees(f"{ctx.lab.url('order-service')}/users/{unknown}/orders", 404)
        ctx.cache["unknown"] = unknown
        ctx.cache["healthy"] = run(ctx, CALL + f"result = {{'real': _grader_outcome({uid}), "
                                   f"'unknown': _grader_outcome({unknown})}}")
    return ctx.cache["healthy"]


def real_user(ctx: Context) -> None:
    uid, truth = _customer(ctx)
    _returns_orders(_healthy(ctx)["real"], truth, f"for user {uid}")


def unknown_user(ctx: Context) -> None:
    outcome = _healthy(ctx)["unknown"]
    if "raised" in outcome or outcome["returned"] != []:
        raise CheckFailed(f"user {ctx.cache['unknown']} (a 404): {_ended(outcome)}, expected []")


def answers_500(ctx: Context) -> None:
    url = ctx.lab.url("order-service")
    with ctx.faulted("order-service", error_rate=1.0):
        _sees(f"{url}/users/{_customer(ctx)[0]}/orders", 500)
        outcome = _answered(ctx, url)
    _service_error(outcome, "order-service answered 500")


def answers_503(ctx: Context) -> None:
    url = ctx.lab.url("order-service")
    with ctx.faulted("user-service", error_rate=1.0):  # order-service cannot check the user
        _sees(f"{url}/users/{_customer(ctx)[0]}/orders", 503)
        outcome = _answered(ctx, url)
    _service_error(outcome, "order-service answered 503")


def _gateway(ctx: Context) -> str:
    """The grader's gateway, routing GATEWAY_PREFIX to order-service (once per grading)."""
    if "gateway" not in ctx.cache:
        ctx.lab.gateway.apply({"_format_version": "3.0", "services": [{
            "name": "order-service", "url": "http://order-service:8080",
            "routes": [{"name": "order-service-route", "paths": [GATEWAY_PREFIX]}]}]})
        ctx.cache["gateway"] = ctx.lab.gateway.url + GATEWAY_PREFIX
    return ctx.cache["gateway"]


def _outage(ctx: Context) -> dict:
    """order-service stopped: called through the gateway (502) and directly (no answer)."""
    if "outage" not in ctx.cache:
        gateway, uid = _gateway(ctx), _customer(ctx)[0]
        with stopped(ctx, "order-service"):
            _sees(f"{gateway}/users/{uid}/orders", 502)
            ctx.cache["outage"] = {"gateway": _answered(ctx, gateway), "direct": _answered(ctx, None)}
    return ctx.cache["outage"]


def answers_502(ctx: Context) -> None:
    _service_error(_outage(ctx)["gateway"], "the gateway answered 502")


def service_stopped(ctx: Context) -> None:
    _service_error(_outage(ctx)["direct"], "order-service was stopped")


def slow_beyond_timeout(ctx: Context) -> None:
    latency = ctx.rng.randint(9000, 11000)
    with ctx.faulted("order-service", latency_ms=latency):
        outcome = _answered(ctx, None, timeout=latency / 1000 + 15)
    situation = f"an answer after {latency / 1000:.1f} s"
    if outcome["seconds"] > TIMEOUT_S + LATE_S:
        raise CheckFailed(f"{situation}: the call waited {outcome['seconds']:.1f} s, not timeout={TIMEOUT_S}")
    _service_error(outcome, situation)


def slow_within_timeout(ctx: Context) -> None:
    latency = ctx.rng.randint(2000, 3500)
    with ctx.faulted("order-service", latency_ms=latency):
        outcome = _answered(ctx, None)
    _returns_orders(outcome, _customer(ctx)[1], f"an answer after {latency / 1000:.1f} s")


CHECKS = (
    Check(REAL, 1.0, real_user),
    Check("an unknown user gives []", 0.5, unknown_user, needs=(REAL,)),
    Check("a 500 raises ServiceError", 0.5, answers_500, needs=(REAL,)),
    Check("a 502 raises ServiceError", 0.5, answers_502, needs=(REAL,)),
    Check("a 503 raises ServiceError", 0.5, answers_503, needs=(REAL,)),
    Check("a stopped service raises ServiceError", 0.75, service_stopped, needs=(REAL,)),
    Check("a slow answer beyond the timeout raises ServiceError", 0.75, slow_beyond_timeout, needs=(REAL,)),
    Check("a slow answer within the timeout is waited for", 0.5, slow_within_timeout),
)
