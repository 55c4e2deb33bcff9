"""The grader's checks for 01-monolith (instructor's course only; never in the handout).

Exercise 1 is judged against what one order really writes in the grader's own monolith;
exercise 2 against the answer key. Both are data answers, read back as JSON.
"""
from __future__ import annotations

import hashlib
import uuid

import httpx

from microlab_grading.exercise import Check, CheckFailed, Context, Exercise

TABLES = ("users", "inventory", "orders", "order_items", "payments")
QUIZ = {"q1": "b", "q2": "c", "q3": "a"}
SECRETS = ['"q1": "b", "q2": "c", "q3": "a"']


def _fingerprints(database_url: str) -> dict[str, str]:
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            return {t: hashlib.sha256(repr(conn.execute(text(f"SELECT * FROM {t} ORDER BY 1")).all()).encode())
                    .hexdigest() for t in TABLES}
    finally:
        engine.dispose()


def _observed(ctx: Context) -> set[str]:
    """Place a real order in the grader's monolith and see which tables changed (once)."""
    if "observed" not in ctx.cache:
        base, url = ctx.lab.url("monolith"), ctx.lab.database_url("monolith")
        tag = uuid.uuid4().hex[:8]
        uid = httpx.post(f"{base}/users", json={"name": "Grader", "email": f"g-{tag}@example.org"},
                         timeout=10).json()["id"]
        sku = max(httpx.get(f"{base}/inventory", timeout=10).json(), key=lambda i: i["stock"])["sku"]
        before = _fingerprints(url)
        httpx.post(f"{base}/orders", json={"user_id": uid, "items": [{"sku": sku, "quantity": ctx.rng.randint(1, 3)}]},
                   timeout=10).raise_for_status()
        after = _fingerprints(url)
        ctx.cache["observed"] = {t for t in TABLES if before[t] != after[t]}
    return ctx.cache["observed"]


def _answer(ctx: Context) -> set[str]:
    value = ctx.answers.get("ORDER_WRITES")
    if not isinstance(value, list) or not all(isinstance(t, str) for t in value):
        raise CheckFailed("ORDER_WRITES must be a set of table names")
    return set(value)


def _a_set(ctx: Context) -> None:
    ctx.expect(bool(_answer(ctx)), "ORDER_WRITES is empty")


def _names_tables(ctx: Context) -> None:
    unknown = sorted(_answer(ctx) - set(TABLES))
    ctx.expect(not unknown, f"{unknown} are not tables of the monolith")


def _finds(group: set[str], what: str):
    def run(ctx: Context) -> None:
        truth = _observed(ctx) & group
        missing = sorted(truth - _answer(ctx))
        ctx.expect(not missing, f"one order also writes {what} ({', '.join(missing)}): it is missing")
    return run


def _only_written(ctx: Context) -> None:
    extra = sorted(_answer(ctx) - _observed(ctx))
    ctx.expect(not extra, f"one order does not change {', '.join(extra)}")


def _question(q: str):
    def run(ctx: Context) -> None:
        given = str(ctx.answers.get("QUIZ", {}).get(q, "")).strip().lower() if isinstance(ctx.answers.get("QUIZ"), dict) else ""
        ctx.expect(given == QUIZ[q], f"{q} is not right")
    return run


GATE = "a set of table names"
EXERCISES = [
    Exercise("lab01_written_tables", cells=("lab01_tables_answer",), answers=("ORDER_WRITES",), lab="monolith",
             timeout=15,
             checks=(Check(GATE, 0.25, _a_set),
                     Check("the order and its lines", 0.5, _finds({"orders", "order_items"}, "the order tables"),
                           needs=(GATE,)),
                     Check("the stock it takes", 0.5, _finds({"inventory"}, "the stock"), needs=(GATE,)),
                     Check("the payment", 0.25, _finds({"payments"}, "the payment"), needs=(GATE,)),
                     Check("only tables of the monolith", 0.25, _names_tables, needs=(GATE,)),
                     Check("no table the order leaves alone", 0.25, _only_written, needs=(GATE,)))),
    Exercise("lab01_quiz", cells=("lab01_quiz_answer",), answers=("QUIZ",), timeout=15,
             checks=tuple(Check(q, 1.0, _question(q)) for q in QUIZ)),
]
