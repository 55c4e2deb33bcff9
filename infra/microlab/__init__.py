"""microlab: run the shop's services for real, from a notebook or the `microlab` CLI."""
from microlab.errors import LabError
from microlab.lab import Lab

__all__ = ["Lab", "LabError"]
