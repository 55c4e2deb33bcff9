"""The grader's checks for 02-decomposition (instructor's course only; never in the handout).

Exercise 1's three grade cells are judged by the split's public rules, the very functions
the notebook's visible checks run (microlab.visible.lab02), applied to SERVICES as the grader
reads it from the answer cell's source. Exercises 2 and 3 are judged against the answer key
below, which the visible checks never see. All answers are data, read back as JSON.
"""
from __future__ import annotations

from microlab import selfcheck
from microlab.visible import lab02 as rules

from microlab_grading.exercise import Check, CheckFailed, Context, Exercise, NotAnswered

# The kinds the shop's story allows (sign-up by email is a commodity, at most supporting).
ALLOWED_KINDS = {"ordering": {"core"}, "inventory": {"supporting"}, "payments": {"generic"},
                 "accounts": {"generic", "supporting"}}
HINTS = {  # what to re-read when a kind is wrong (the feedback does not give the key away)
    "ordering": "what does the shop win its customers with?",
    "inventory": "the shop counts its own stock, plainly: needed, but does it win customers?",
    "payments": "who really takes the card payments?",
    "accounts": "is signing up with an email address something the shop competes on?",
}
FOLLOWS_FROM_CONWAY = {"a": False, "b": False, "c": True, "d": False}
SECRETS = ['"a": False, "b": False, "c": True, "d": False', '"ordering": "core"',
           '"inventory": "supporting"', '"payments": "generic"']
POINTS = {  # rule name -> points; per grade cell they add up to the cell's points
    "every table has an owner": 1.25, "one owner per table": 1.25, "only the monolith's tables": 0.5,
    "every endpoint has a service": 0.75, "one service per endpoint": 0.5, "only the shop's endpoints": 0.25,
    "writes stay local": 1.0, "reads stay local": 0.5,
    "not the monolith again": 0.75, "no nanoservices": 0.5, "no empty services": 0.25,
    "no table behind a network": 0.5,
}
# What the notebook's locked cells define that a split may be computed from.
PROVIDED = "from microlab.visible.lab02 import ENDPOINTS, TABLES\n"


def _rule(rule):
    """A public rule of the split as a grader check: the student's own kernel has no say."""
    def run(ctx: Context) -> None:
        try:
            rule(rules.parse(ctx.answers.get("SERVICES")))
        except selfcheck.NotAnswered as exc:
            raise NotAnswered(str(exc)) from None
        except AssertionError as exc:
            raise CheckFailed(str(exc)) from None
    return run


def _split_exercise(grade_id: str) -> Exercise:
    return Exercise(grade_id, cells=("lab02_services",), answers=("SERVICES",), provided=PROVIDED, timeout=15,
                    checks=tuple(Check(name, POINTS[name], _rule(rule)) for name, rule in rules.RULES[grade_id]))


def _kind(subdomain: str):
    def run(ctx: Context) -> None:
        kinds = ctx.answers.get("SUBDOMAIN_KIND")
        given = kinds.get(subdomain) if isinstance(kinds, dict) else None
        if given is None:
            raise NotAnswered(f"SUBDOMAIN_KIND gives no kind for {subdomain!r}")
        given = str(given).strip().lower()
        ctx.expect(given in ALLOWED_KINDS[subdomain], f"{subdomain} is not {given!r}: {HINTS[subdomain]}")
    return run


def _statement(letter: str):
    def run(ctx: Context) -> None:
        statements = ctx.answers.get("CONWAY")
        given = statements.get(letter) if isinstance(statements, dict) else None
        if not isinstance(given, bool):
            raise NotAnswered(f"CONWAY[{letter!r}] is not True or False")
        ctx.expect(given == FOLLOWS_FROM_CONWAY[letter], f"not what Conway's law says about statement {letter}: "
                   "a system mirrors the communication structure of the organisation that builds it")
    return run


EXERCISES = [
    *(_split_exercise(grade_id) for grade_id in rules.RULES),
    Exercise("lab02_subdomains", cells=("lab02_kinds",), answers=("SUBDOMAIN_KIND",), timeout=15,
             checks=tuple(Check(f"{s} classified", 0.5, _kind(s)) for s in rules.SUBDOMAINS)),
    Exercise("lab02_conway", cells=("lab02_conway_answer",), answers=("CONWAY",), timeout=15,
             checks=tuple(Check(f"statement {s}", 0.25, _statement(s)) for s in rules.STATEMENTS)),
]
