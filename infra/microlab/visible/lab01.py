"""Visible checks of 01-monolith: the answers' shape. Whether they are right is decided by
the grader (which places its own order in its own monolith)."""
from __future__ import annotations

from microlab.selfcheck import NotAnswered, check

TABLES = ("users", "inventory", "orders", "order_items", "payments")  # the monolith's tables
LETTERS = ("a", "b", "c", "d")


def _tables_shape(tables) -> None:
    if not tables:
        raise NotAnswered("ORDER_WRITES is empty: set it to the tables one order changes")
    if not isinstance(tables, (set, list, tuple)) or not all(isinstance(t, str) for t in tables):
        raise AssertionError(f"ORDER_WRITES must be a set of table names, got {type(tables).__name__}")
    unknown = sorted(set(tables) - set(TABLES))
    if unknown:
        raise AssertionError(f"{unknown} are not tables of the monolith; its tables: {', '.join(TABLES)}")


def tables(order_writes) -> bool:
    return check("lab01_written_tables", ("a set of the monolith's table names", lambda: _tables_shape(order_writes)))


def _quiz_shape(answers) -> None:
    if not isinstance(answers, dict) or set(answers) != {"q1", "q2", "q3"}:
        raise AssertionError('QUIZ must be a dict with the keys "q1", "q2" and "q3"')
    if all(v is None for v in answers.values()):
        raise NotAnswered("QUIZ has no answers yet")
    bad = sorted(q for q, v in answers.items() if str(v).strip().lower() not in LETTERS)
    if bad:
        raise AssertionError(f"{', '.join(bad)}: answer with one letter, a to d")


def quiz(answers) -> bool:
    return check("lab01_quiz", ("one letter a-d per question", lambda: _quiz_shape(answers)))
