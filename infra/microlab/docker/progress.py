"""Progress of image builds and pulls: a widget bar in a notebook, a terminal bar in
the CLI (tqdm.auto picks), and a LabError carrying the engine's own message on failure."""
from __future__ import annotations

import re
import sys
import threading
from contextlib import contextmanager

from tqdm.auto import tqdm as auto_tqdm  # tqdm.autonotebook warns (TqdmExperimentalWarning) in a notebook

from microlab.errors import LabError

_STEP = re.compile(r"^Step (\d+)/(\d+)")


def tqdm(**kwargs):
    """A widget in a notebook, a bar on a terminal, nothing in a CI log (the text
    report lines say the same there without a line per refresh)."""
    in_notebook = any(cls.__module__ == "tqdm.notebook" for cls in auto_tqdm.__mro__)
    return auto_tqdm(disable=not (in_notebook or sys.stderr.isatty()), **kwargs)


class BuildFailed(LabError):
    pass


class PullFailed(LabError):
    pass


def follow_build(events, label: str) -> None:
    """Consume `api.build(decode=True)` events, one bar step per Dockerfile step."""
    bar = tqdm(total=1, desc=label, unit="step", leave=False)
    tail: list[str] = []
    try:
        for event in events:
            if "error" in event or "errorDetail" in event:
                msg = event.get("error") or event["errorDetail"].get("message", "")
                raise BuildFailed(f"building {label} failed: {msg.strip()}\n" + "".join(tail[-10:]))
            line = event.get("stream", "")
            if line:
                tail.append(line)
                step = _STEP.match(line)
                if step:
                    bar.total = int(step[2])
                    bar.n = int(step[1]) - 1
                    bar.refresh()
        bar.n = bar.total
        bar.refresh()
    finally:
        bar.close()


def follow_pull(events, ref: str) -> None:
    """Consume `api.pull(stream=True, decode=True)` events into one bytes bar."""
    layers: dict[str, tuple[int, int]] = {}
    bar = tqdm(total=0, desc=f"pull {ref}", unit="B", unit_scale=True, leave=False)
    try:
        for event in events:
            if "error" in event:
                raise PullFailed(f"pulling {ref} failed: {event['error']}")
            detail = event.get("progressDetail") or {}
            if event.get("status") == "Downloading" and detail.get("total"):
                layers[event["id"]] = (detail.get("current", 0), detail["total"])
                bar.total = sum(t for _, t in layers.values())
                bar.n = sum(c for c, _ in layers.values())
                bar.refresh()
    finally:
        bar.close()


@contextmanager
def phase_bar(label: str, total: int):
    """A bar for long silent phases (debootstrap): it ticks its clock every second."""
    bar = tqdm(total=total, desc=label, unit="step", leave=False)
    stop = threading.Event()

    def tick():
        while not stop.wait(1.0):
            bar.refresh()

    ticker = threading.Thread(target=tick, daemon=True)
    ticker.start()
    try:
        yield bar
    finally:
        stop.set()
        ticker.join()
        bar.close()
