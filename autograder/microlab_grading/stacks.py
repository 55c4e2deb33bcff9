"""The smallest lab that serves an assignment's checks.

Checks name the stack the notebook uses ("services"); the course may say in
checks/stacks.json that the grader's own lab can be smaller, e.g.
{"03-sync-communication": {"services": "services-no-broker"}}: 03's checks make synchronous
calls only, so the grader's lab needs no broker (no JVM: seconds instead of tens of seconds).
"""
from __future__ import annotations

import json
from pathlib import Path

FILE = "stacks.json"


def lean_map(course: Path, assignment: str) -> dict[str, str]:
    path = course / "checks" / FILE
    if not path.exists():
        return {}
    return dict(json.loads(path.read_text()).get(assignment, {}))


def lean(course: Path, assignment: str, stack: str) -> str:
    return lean_map(course, assignment).get(stack, stack)


class LeanLab:
    """A `Lab` whose `up(stack)` starts the lean stack instead (checks bring a stopped
    service back with `lab.up("services")`)."""

    def __init__(self, lab, mapping: dict[str, str]):
        self._lab, self._mapping = lab, mapping

    def up(self, stack: str = "services"):
        self._lab.up(self._mapping.get(stack, stack))
        return self

    def __getattr__(self, name: str):
        return getattr(self._lab, name)
