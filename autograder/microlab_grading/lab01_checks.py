"""Checks for 01-monolith: a short quiz, and which tables one order really writes in the
live monolith's single database (observed, not remembered)."""
from __future__ import annotations

import hashlib
import uuid

import httpx

LAB = "lab01"
QUIZ = {"q1": "b", "q2": "c", "q3": "a"}
TABLES = ("users", "inventory", "orders", "order_items", "payments")


class CheckFailed(AssertionError):
    pass


def check_quiz_shape(answers) -> None:
    if not isinstance(answers, dict) or set(answers) != set(QUIZ) or \
            not all(str(v).strip().lower() in ("a", "b", "c", "d") for v in answers.values()):
        raise CheckFailed(f"[lab01_quiz] shape: QUIZ must map {sorted(QUIZ)} to one letter a-d each")


def check_quiz(answers) -> None:
    check_quiz_shape(answers)
    wrong = sorted(q for q, a in QUIZ.items() if str(answers[q]).strip().lower() != a)
    if wrong:
        raise CheckFailed(f"[lab01_quiz] check 'answers' failed: {', '.join(wrong)} not right")


def check_tables_shape(tables) -> None:
    if not isinstance(tables, (set, list, tuple)) or not set(tables) <= set(TABLES):
        raise CheckFailed(f"[lab01_written_tables] shape: ORDER_WRITES must be a set of names from {TABLES}")


def _fingerprints(database_url: str) -> dict[str, str]:
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            return {t: hashlib.sha256(repr(conn.execute(text(f"SELECT * FROM {t} ORDER BY 1")).all()).encode()).hexdigest()
                    for t in TABLES}
    finally:
        engine.dispose()


def tables_one_order_writes() -> set[str]:
    """Place a real order in the live monolith and see which tables changed."""
    from microlab import Lab

    lab = Lab(name=LAB, quiet=True)
    base, url = lab.url("monolith"), lab.database_url("monolith")
    tag = uuid.uuid4().hex[:8]
    uid = httpx.post(f"{base}/users", json={"name": "Check", "email": f"c-{tag}@example.org"}, timeout=10).json()["id"]
    sku = max(httpx.get(f"{base}/inventory", timeout=10).json(), key=lambda i: i["stock"])["sku"]
    before = _fingerprints(url)
    httpx.post(f"{base}/orders", json={"user_id": uid, "items": [{"sku": sku, "quantity": 1}]}, timeout=10).raise_for_status()
    after = _fingerprints(url)
    return {t for t in TABLES if before[t] != after[t]}


def check_tables(tables) -> None:
    check_tables_shape(tables)
    truth = tables_one_order_writes()
    if set(tables) != truth:
        missing, extra = sorted(truth - set(tables)), sorted(set(tables) - truth)
        raise CheckFailed(f"[lab01_written_tables] check 'one order, observed' failed: "
                          f"missing {missing or 'nothing'}, not written {extra or 'nothing'}")


def visible(grade_id: str, check, *args) -> None:
    from microlab_grading import selfcheck

    selfcheck.run(grade_id, check, *args)
