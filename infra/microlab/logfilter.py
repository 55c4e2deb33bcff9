"""What a student does not want in a component's log: the lab's own background chatter.

Every probe of `GET /health` (microlab's readiness checks, Docker's health check) and
kafka-python's periodic metadata refresh write a line every few seconds; a student's own
request is lost among them. `lab.logs()` and `microlab logs` leave them out unless asked
(`everything=True`, `--all`).
"""
from __future__ import annotations

import re

NOISE = re.compile(
    r"GET /(?:health|deployed/ready)\b"  # health probes' request lines (deployed code: its readiness)
    r"|\bUpdated (?:cluster )?metadata\b"  # kafka.cluster, every metadata_max_age / 5 s
    r"|\bMetadataRequest\b|\bmetadata request\b"  # kafka-python asking for it
)

# Ask the backend for this many lines per line shown: the noise is most of a quiet log.
OVERSAMPLE = 20


def is_noise(line: str) -> bool:
    return NOISE.search(line) is not None


def lines_to_read(tail: int, everything: bool) -> int:
    """How many lines to ask a backend for: more than shown, within reason for a big tail."""
    return tail if everything else max(tail, min(tail * OVERSAMPLE + 200, 20_000))


def keep(text: str, tail: int, everything: bool) -> tuple[str, int]:
    """(the last `tail` lines worth reading, how many noise lines were left out)."""
    lines = text.splitlines()
    if everything:
        return "\n".join(lines[-tail:] if tail > 0 else []), 0
    kept = [line for line in lines if not is_noise(line)]
    shown = kept[-tail:] if tail > 0 else []
    return "\n".join(shown), len(lines) - len(kept)
