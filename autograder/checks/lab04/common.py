"""What the checks of 04 share: the grader's own definitions of the notebook's locked cells,
and waiting on the grader's own broker."""
from __future__ import annotations

import time

from microlab_grading.exercise import CheckFailed, Context

# The set-up cell defines KAFKA_BOOTSTRAP from the student's lab; the grader's comes from the
# environment of the interpreter that runs the answer.
PROVIDED = '''
import os

KAFKA_BOOTSTRAP = os.environ["KAFKA_BOOTSTRAP"]
'''


def run(ctx: Context, code: str, timeout: float | None = None):
    return ctx.result(code, env={"KAFKA_BOOTSTRAP": ctx.lab.kafka_bootstrap}, timeout=timeout)


def caught_up(ctx: Context, group: str, topic: str, timeout: float = 30.0) -> bool:
    """True once `group` has committed to the end of `topic` (False when time is up)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ctx.lab.lag(group, topic).total == 0:
            return True
        time.sleep(0.25)
    return False


def cached(ctx: Context, key: str, compute):
    """`compute(ctx)` once per exercise; a CheckFailed it raised is raised again for every check
    that needs it (each says the same thing, none runs the student's code twice)."""
    if key not in ctx.cache:
        try:
            ctx.cache[key] = compute(ctx)
        except CheckFailed as failed:
            ctx.cache[key] = failed
    if isinstance(ctx.cache[key], CheckFailed):
        raise CheckFailed(str(ctx.cache[key]))
    return ctx.cache[key]
