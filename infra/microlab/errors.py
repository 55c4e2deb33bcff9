"""The error a user can act on, raised anywhere in microlab and shown without a traceback."""
from __future__ import annotations


class LabError(RuntimeError):
    """An error a user can act on; its message says what happened and what to do."""
