"""payment-service's call to the payment provider (its rules: labs/common/cards.py).

On CRASH_CARD the provider's SDK kills the process; here that takes only payments down.
"""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass

from labs.common.cards import CRASH_CARD, LIMIT_CENTS

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
