"""The payment provider's sandbox rules: shared vocabulary for every app that charges cards.

The monolith and payment-service charge in their own code; both talk to the same (pretend)
provider, so both honour its card limit and its one deadly test card.

CRASH_CARD stands for a bug in the provider's native SDK that kills the whole process. In the
monolith it takes every feature down with it; in payment-service only payments go down.
That difference is what notebook 01 shows (it sends this very number to the monolith).
"""

LIMIT_CENTS = 200_000  # the card limit: larger charges are declined
CRASH_CARD = "4000-0000-0000-0666"
