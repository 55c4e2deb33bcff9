"""microlab: run the shop's services for real, from a notebook or the `microlab` CLI."""
from microlab.errors import LabError

__all__ = ["Lab", "LabError"]


def __getattr__(name: str):
    # `Lab` (and httpx behind it) is imported on first use, not by every process that imports a
    # part of microlab: the broker's and the gateway's launchers start ~0.5-1.5 s sooner
    if name == "Lab":
        from microlab.lab import Lab

        return Lab
    raise AttributeError(f"module 'microlab' has no attribute {name!r}")
