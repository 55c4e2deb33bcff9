"""The payment provider's rules, shared by payment-service and the monolith.

CRASH_CARD stands for a bug in a native payment SDK that kills the whole process. In the
monolith it takes every feature down with it; in payment-service only payments go down.
That difference is what notebook 01 shows.
"""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass

LIMIT_CENTS = 200_000  # the card limit: larger charges are declined
CRASH_CARD = "4000-0000-0000-0666"

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Charge:
    status: str  # "completed" | "failed"
    reason: str = ""


def charge(amount_cents: int, card: str | None = None) -> Charge:
    if card == CRASH_CARD:
        log.critical("payment SDK crashed on card %s: the process dies now", card)
        logging.shutdown()
        os._exit(70)  # a crash no try/except can catch, like a segfault in native code
    if amount_cents > LIMIT_CENTS:
        return Charge("failed", f"card limit exceeded ({amount_cents / 100:.2f} > {LIMIT_CENTS / 100:.2f})")
    return Charge("completed")
