"""Exercise 3 of 07, GREETING: the student's service deployed in the grader's lab; real
answers while user-service is healthy, then the grader's own load with user-service slow and
failing (p95, the share of good answers, and user-service's own log counting the calls
that reached it), then recovery."""
from __future__ import annotations

import statistics
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
from microlab.requestlog import parse
from microlab_grading.exercise import Check, CheckFailed, Context, NotAnswered
from microlab_grading.logwindow import LogWindow

from .common import new_user, run

NAME = "greeting"
CLIENTS, EACH = 8, 25  # 200 greetings: the first wave (8 calls that wait for the breaker to open) stays under 5%
SLOW_MS, FAILING = 1500, 0.3
BUDGET_S = 30.0


def _deployed(ctx: Context) -> None:
    if "deployed" in ctx.cache:
        return
    code = run(ctx, "result = globals().get('GREETING')")
    if not isinstance(code, str) or "app" not in code:
        raise NotAnswered("GREETING must be the source of your service (a string defining app = FastAPI())")
    try:
        ctx.lab.deploy(NAME, code)
    except Exception as exc:  # the student's code did not start: its log says why
        raise CheckFailed(f"your greeting service did not start: {str(exc)[-300:]}") from None
    ctx.cache["deployed"] = True


def _greet(client: httpx.Client, url: str) -> tuple[float, int, object]:
    started = time.perf_counter()
    try:
        response = client.get(url)
        body = response.json() if response.status_code == 200 else None
        return time.perf_counter() - started, response.status_code, body
    except (httpx.HTTPError, ValueError):
        return time.perf_counter() - started, 0, None


def _in_stock(ctx: Context) -> int:
    items = httpx.get(f"{ctx.lab.url('inventory-service')}/inventory", timeout=10).json()
    return sum(1 for item in items if item["stock"] > 0)


def _real(ctx: Context, user: dict, body) -> bool:
    return (isinstance(body, dict) and body.get("name") == user["name"] and body.get("degraded") is False
            and body.get("user_id") == user["id"] and body.get("in_stock") == _in_stock(ctx))


def healthy(ctx: Context) -> None:
    _deployed(ctx)
    ctx.cache["users"] = users = [new_user(ctx) for _ in range(2)]
    with httpx.Client(timeout=10) as client:
        for user in users:
            _, status, body = _greet(client, f"{ctx.lab.url(NAME)}/greeting/{user['id']}")
            if status != 200 or not _real(ctx, user, body):
                raise CheckFailed(f"with user-service healthy, GET /greeting/{user['id']} should answer "
                                  f"{{'user_id': {user['id']}, 'name': {user['name']!r}, 'degraded': False, "
                                  f"'in_stock': {_in_stock(ctx)}}}; got {status} {str(body)[:160]}")


def _load(ctx: Context) -> dict:
    """CLIENTS threads asking for greetings until TOTAL were asked or the budget is spent
    (a service that waits on every call must not hold the grader for minutes)."""
    if "load" not in ctx.cache:
        user = ctx.cache["users"][0]
        url = f"{ctx.lab.url(NAME)}/greeting/{user['id']}"
        window = LogWindow(ctx.lab, ("user-service",))
        ctx.lab.fault("user-service", latency_ms=SLOW_MS, error_rate=FAILING)
        tickets, deadline, answers = iter(range(CLIENTS * EACH)), time.monotonic() + BUDGET_S, []

        def client_loop(client: httpx.Client) -> None:
            while next(tickets, None) is not None and time.monotonic() < deadline:
                answers.append(_greet(client, url))
        try:
            with httpx.Client(timeout=3, limits=httpx.Limits(max_connections=CLIENTS)) as client, \
                    ThreadPoolExecutor(CLIENTS) as pool:
                list(pool.map(lambda _: client_loop(client), range(CLIENTS)))
        finally:
            ctx.lab.fault("user-service")
        missed = CLIENTS * EACH - len(answers)  # never asked: the budget ran out waiting on the service
        reached = [r for r in parse("\n".join(window.lines("user-service"))) if r.path.startswith("/users/")]
        ctx.cache["load"] = {"answers": answers + [(BUDGET_S, 0, None)] * missed, "reached": len(reached),
                             "user": user}
    return ctx.cache["load"]


def p95_under(ctx: Context) -> None:
    took = sorted(t for t, _, _ in _load(ctx)["answers"])
    p95 = statistics.quantiles(took, n=20)[-1] * 1000
    if p95 >= 600:
        raise CheckFailed(f"with user-service {SLOW_MS} ms slow and failing {FAILING:.0%}, your p95 was {p95:.0f} ms "
                          f"over {len(took)} greetings ({CLIENTS} at once); the target is under 600 ms")


def good_answers(ctx: Context) -> None:
    load = _load(ctx)
    user, answers = load["user"], load["answers"]
    real = {"user_id": user["id"], "name": user["name"], "degraded": False}
    fallback = {"user_id": user["id"], "name": None, "degraded": True}

    def good(body) -> bool:  # a real greeting, or a fallback that says it is one
        return isinstance(body, dict) and {k: body.get(k) for k in real} in (real, fallback)
    bad = [(status, body) for _, status, body in answers if status != 200 or not good(body)]
    if len(bad) > 0.05 * len(answers):
        status, body = bad[0]
        raise CheckFailed(f"{len(answers) - len(bad)} of {len(answers)} greetings were real or a marked fallback "
                          f"(name None, degraded True); the target is 95%. One of the others: {status} {str(body)[:100]}")


def breaker_held(ctx: Context) -> None:
    load = _load(ctx)
    asked = len(load["answers"])
    if load["reached"] > asked // 2:
        raise CheckFailed(f"user-service's log shows {load['reached']} calls for {asked} greetings: a circuit breaker "
                          "stops calling a failing service (it should have held most of them back)")


def recovers(ctx: Context) -> None:
    _load(ctx)
    user = ctx.cache["users"][1]
    deadline = time.monotonic() + 15
    with httpx.Client(timeout=10) as client:
        while time.monotonic() < deadline:
            _, status, body = _greet(client, f"{ctx.lab.url(NAME)}/greeting/{user['id']}")
            if status == 200 and _real(ctx, user, body):
                return
            time.sleep(0.5)
    raise CheckFailed(f"15 s after user-service recovered, greetings still answer {status} {str(body)[:120]}")


HEALTHY = "real answers while user-service is healthy"
CHECKS = (
    Check(HEALTHY, 1.0, healthy),
    Check("p95 under 600 ms under failure", 1.0, p95_under, needs=(HEALTHY,)),
    Check("at least 95% answers under failure", 0.75, good_answers, needs=(HEALTHY,)),
    Check("a breaker holds calls back", 0.75, breaker_held, needs=(HEALTHY,)),
    Check("real names come back after recovery", 0.5, recovers, needs=(HEALTHY,)),
)
