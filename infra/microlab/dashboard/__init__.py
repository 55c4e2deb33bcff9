"""`lab.dashboard()`: a live ipywidgets panel of one lab (see panel.py)."""
from microlab.dashboard.panel import Dashboard

__all__ = ["Dashboard"]
