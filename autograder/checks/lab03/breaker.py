"""Exercise 2 of 03, the student's CircuitBreaker: built with thresholds and reset timeouts
drawn per student (a breaker that ignores its arguments fails), driven in a fresh interpreter
against a dependency that counts the calls reaching it, and once against the grader's
failing user-service, whose own log says which requests reached it."""
from __future__ import annotations

from microlab_grading.exercise import Check, CheckFailed, Context

from .common import new_user, requests_logged, run

LONG_S = 60  # a reset timeout no scenario waits for: the breaker stays open once it opened
SLACK_S = 0.15  # how long after reset_timeout the trial call is made

# Every scenario gets a fresh breaker, so one mistake fails only the checks about it.
SCENARIOS = '''
def _grader_breaker_scenarios(p):  # one global name: the student's own names stay theirs
    class _Down(Exception):
        """The dependency's own failure: a closed breaker lets it through as it is."""

    class _Dependency:
        """Stands for a service: counts the calls that reached it, fails when told to."""
        def __init__(self):
            self.calls = 0

        def __call__(self, token, down):
            self.calls += 1
            if down:
                raise _Down(token)
            return {"token": token}

    def _state(breaker):
        return str(getattr(breaker, "state", None)).lower().replace("_", "-").rsplit(".", 1)[-1]

    def _call(breaker, dep, down=False):
        before, token = dep.calls, f"call-{dep.calls}"
        try:
            ended = "returned" if breaker.call(dep, token, down) == {"token": token} else "another value"
        except provided["CircuitOpenError"]:
            ended = "open"
        except _Down as exc:
            ended = "re-raised" if exc.args == (token,) else "another failure of fn"
        except BaseException as exc:
            ended = f"{type(exc).__name__}: {exc}"[:80]
            if type(exc).__name__ == "CircuitOpenError":
                ended = "own CircuitOpenError class"
        return {"ended": ended, "reached": dep.calls - before, "state": _state(breaker)}

    def _tripped(threshold, reset):
        breaker, dep = CircuitBreaker(failure_threshold=threshold, reset_timeout=reset), _Dependency()
        for _ in range(threshold):
            _call(breaker, dep, down=True)
        return breaker, dep, provided["grader_clock"]()

    def _wait(since, seconds):
        provided["grader_sleep"](max(0.0, since + seconds - provided["grader_clock"]()))

    def _timed(breaker, dep, since):
        """A call, and when it was made: a loaded machine may make it later than planned."""
        at = provided["grader_clock"]() - since
        return {**_call(breaker, dep), "at": at}

    def _closed(p):
        breaker, dep = CircuitBreaker(failure_threshold=p["threshold"], reset_timeout=p["long"]), _Dependency()
        calls = [_call(breaker, dep), _call(breaker, dep, down=True), _call(breaker, dep)]
        return {"initial": _state(breaker), "calls": calls}

    def _threshold(p):
        found = {}
        for t in p["thresholds"]:
            breaker, dep = CircuitBreaker(failure_threshold=t, reset_timeout=p["long"]), _Dependency()
            found[str(t)] = [_call(breaker, dep, down=True) for _ in range(t)]
        return found

    def _fail_fast(p):
        breaker, dep, _ = _tripped(p["threshold"], p["long"])
        return [_call(breaker, dep) for _ in range(p["calls_while_open"])]

    def _reset_count(p):
        breaker, dep = CircuitBreaker(failure_threshold=p["threshold"], reset_timeout=p["long"]), _Dependency()
        calls = [_call(breaker, dep, down=True) for _ in range(p["threshold"] - 1)] + [_call(breaker, dep)]
        return calls + [_call(breaker, dep, down=True) for _ in range(p["threshold"] - 1)] + [_call(breaker, dep)]

    def _half_open(p):
        breaker, dep, opened = _tripped(p["threshold"], p["reset"])
        _wait(opened, 0.6 * p["reset"])
        early = _timed(breaker, dep, opened)
        _wait(opened, p["reset"] + p["slack"])
        return {"early": early, "trial": _call(breaker, dep), "after": [_call(breaker, dep) for _ in range(2)]}

    def _reopen(p):
        breaker, dep, opened = _tripped(p["threshold"], p["reset_again"])
        _wait(opened, p["reset_again"] + p["slack"])
        trial = _call(breaker, dep, down=True)
        failed = provided["grader_clock"]()
        at_once = _call(breaker, dep)
        _wait(failed, 0.6 * p["reset_again"])
        later = _timed(breaker, dep, failed)
        _wait(failed, p["reset_again"] + p["slack"])
        return {"trial": trial, "at_once": at_once, "later": later, "next_trial": _call(breaker, dep)}

    def _scenario(fn, p):
        try:
            return fn(p)
        except BaseException as exc:  # the constructor or `state` failed: this scenario only
            return {"error": f"{type(exc).__name__}: {exc}"[:200]}

    scenarios = (_closed, _threshold, _fail_fast, _reset_count, _half_open, _reopen)
    return {fn.__name__[1:]: _scenario(fn, p) for fn in scenarios}
'''

# The breaker guarding the grader's own fetch_user against a failing user-service.
LIVE = '''
def _grader_live(threshold, reset, user_id, extra):
    breaker, ended = CircuitBreaker(failure_threshold=threshold, reset_timeout=reset), []
    for _ in range(threshold + extra):
        try:
            breaker.call(provided["fetch_user"], user_id)
            ended.append("returned")
        except provided["CircuitOpenError"]:
            ended.append("open")
        except BaseException as exc:
            own = type(exc).__name__ == "CircuitOpenError"
            ended.append("own CircuitOpenError class" if own else type(exc).__name__)
    return ended
'''


def params(ctx: Context) -> dict:
    if "params" not in ctx.cache:
        thresholds = ctx.rng.sample([2, 3, 4, 5], 2)  # two: one constant cannot match both
        ctx.cache["params"] = {
            "thresholds": thresholds, "threshold": thresholds[0], "long": LONG_S, "slack": SLACK_S,
            # the two reset windows do not overlap: one hard-coded reset timeout fails one of them
            "reset": round(ctx.rng.uniform(0.5, 0.65), 2), "reset_again": round(ctx.rng.uniform(1.4, 1.7), 2),
            "calls_while_open": ctx.rng.randint(2, 4)}
    return ctx.cache["params"]


def scenario(ctx: Context, name: str):
    if "scenarios" not in ctx.cache:
        ctx.cache["scenarios"] = run(ctx, SCENARIOS + f"result = _grader_breaker_scenarios({params(ctx)!r})")
    found = ctx.cache["scenarios"][name]
    if isinstance(found, dict) and "error" in found:
        p = params(ctx)
        raise CheckFailed(f"CircuitBreaker(failure_threshold={p['threshold']}, reset_timeout=...) "
                          f"failed: {found['error']}")
    return found


# How a call ended (see _call above), briefly: the failed checks of one exercise share one
# line of the gradebook.
ENDED = {"returned": "fn's value", "re-raised": "fn's error", "open": "CircuitOpenError"}


def _expect(call: dict, ended: str | None, reached: int, situation: str) -> None:
    """`ended` None: however the call ended, only how often it reached fn matters."""
    if ended and call["ended"] != ended:
        raise CheckFailed(f"{situation}: {ENDED.get(call['ended'], call['ended'])}, expected {ENDED[ended]}")
    if call["reached"] != reached:
        raise CheckFailed(f"{situation}: {call['reached']} call(s) of fn, expected {reached}")


def passes_through(ctx: Context) -> None:
    found = scenario(ctx, "closed")
    ctx.expect(found["initial"] == "closed", f"a new breaker's state is {found['initial']!r}, not 'closed'")
    ok, failing, again = found["calls"]
    _expect(ok, "returned", 1, "a healthy call")
    _expect(failing, "re-raised", 1, "a failing call")
    _expect(again, "returned", 1, "a healthy call after one failure")


def opens_at_threshold(ctx: Context) -> None:
    for threshold, calls in scenario(ctx, "threshold").items():
        for n, call in enumerate(calls, 1):
            state = "open" if n == len(calls) else "closed"
            ctx.expect(call["state"] == state, f"failure_threshold={threshold}: {call['state']!r} after {n} "
                       f"failure(s), expected {state!r}")
            _expect(call, None, 1, f"failure_threshold={threshold}, failure {n}")


def fails_fast(ctx: Context) -> None:
    for n, call in enumerate(scenario(ctx, "fail_fast"), 1):
        _expect(call, "open", 0, f"call {n} while open")


def resets_on_success(ctx: Context) -> None:
    t = params(ctx)["threshold"]
    for call in scenario(ctx, "reset_count")[t:]:
        ctx.expect(call["reached"] == 1, f"failure_threshold={t}: {t - 1} failure(s), a success, {t - 1} "
                   f"failure(s) opened it; only consecutive failures count")


def trial_after_reset(ctx: Context) -> None:
    reset, found = params(ctx)["reset"], scenario(ctx, "half_open")
    if found["early"]["at"] < reset:  # else the machine was too slow to tell: the student's benefit
        _expect(found["early"], "open", 0, f"{found['early']['at']:.2f} s into reset_timeout={reset}")
    _expect(found["trial"], None, 1, f"{reset + SLACK_S:.2f} s after opening (reset_timeout={reset})")


def good_trial_closes(ctx: Context) -> None:
    found = scenario(ctx, "half_open")
    _expect(found["trial"], "returned", 1, "a good trial")
    ctx.expect(found["trial"]["state"] == "closed", f"after a good trial the state is {found['trial']['state']!r}")
    for call in found["after"]:
        _expect(call, "returned", 1, "a call after a good trial")


def bad_trial_reopens(ctx: Context) -> None:
    reset, found = params(ctx)["reset_again"], scenario(ctx, "reopen")
    _expect(found["trial"], None, 1, f"{reset + SLACK_S:.2f} s after opening (reset_timeout={reset})")
    _expect(found["at_once"], "open", 0, "right after a failed trial")
    if found["later"]["at"] < reset:
        _expect(found["later"], "open", 0, f"{found['later']['at']:.2f} s after a failed trial")
    _expect(found["next_trial"], None, 1, f"{reset + SLACK_S:.2f} s after a failed trial")


def stops_calling_user_service(ctx: Context) -> None:
    threshold, extra, uid = params(ctx)["threshold"], params(ctx)["calls_while_open"], new_user(ctx)["id"]
    with ctx.faulted("user-service", error_rate=1.0):
        ended = run(ctx, LIVE + f"result = _grader_live({threshold}, {LONG_S}, {uid}, {extra})", timeout=20)
    reached = requests_logged(ctx, "user-service", f"/users/{uid}")
    then = ", ".join(sorted({ENDED.get(e, e) for e in ended[threshold:]}))
    ctx.expect(reached == threshold and ended[threshold:] == ["open"] * extra,
               f"user-service got {reached} request(s), then {then}; expected {threshold}, then CircuitOpenError")


CHECKS = (
    Check("closed passes calls and errors through", 0.5, passes_through),
    Check("opens at failure_threshold", 1.0, opens_at_threshold),
    Check("fails fast while open", 0.75, fails_fast, needs=("opens at failure_threshold",)),
    Check("stops calling a failing user-service", 0.5, stops_calling_user_service),
    Check("a success resets the failure count", 0.75, resets_on_success),
    Check("a trial call after reset_timeout", 0.5, trial_after_reset),
    Check("a successful trial closes", 0.5, good_trial_closes),
    Check("a failed trial opens again", 0.5, bad_trial_reopens),
)
