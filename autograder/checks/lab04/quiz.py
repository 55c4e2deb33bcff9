"""Exercise 4 of 04: sync or async, each step its own point, each explained in the feedback."""
from __future__ import annotations

from microlab_grading.exercise import Check, CheckFailed, Context

KEY = {
    "user": ("sync", "order-service must know the user exists before it accepts the order: its own "
                     "answer depends on it, now"),
    "email": ("async", "nobody waits for the e-mail; it can go when the mailer gets to it, and a mailer "
                       "that is down must not fail the payment"),
    "stock_page": ("sync", "a page showing data answers a question now: a query to the owner (or a read "
                           "model), not an event"),
    "search_index": ("async", "the index may lag the catalogue by seconds; catalogue changes are events "
                              "the search service consumes at its pace"),
}


def _step(step: str):
    def check(ctx: Context) -> None:
        answers = ctx.answers.get("SYNC_OR_ASYNC")
        given = answers.get(step) if isinstance(answers, dict) else None
        right, why = KEY[step]
        if given != right:
            raise CheckFailed(f"{step}: {given!r}; it is {right!r}: {why}")

    return check


CHECKS = tuple(Check(f"{step} is {right}", 1.0, _step(step)) for step, (right, _) in KEY.items())
