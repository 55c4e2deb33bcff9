"""Helpers for integration tests of a running lab (a uniquely named module: `conftest`
would be ambiguous in the full suite)."""
from __future__ import annotations


def owned_pids(lab) -> dict[str, int]:
    """component -> pid of the process group the local backend started for it."""
    return {o.component: int(o.ident) for o in lab.backend.owned() if o.kind == "process"}
