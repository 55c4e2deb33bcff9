"""One-line plots for the notebooks: each function returns a matplotlib Figure (shown by Jupyter
when it is a cell's last value) or draws on the `ax` it is given.

Figures are made without pyplot, so nothing is drawn twice in a notebook and the dashboard
can render them from its refresh thread.
"""
from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from matplotlib.figure import Figure

from microlab.requestlog import Request

STATUS_COLOURS = {"2xx": "#2e7d32", "3xx": "#1565c0", "4xx": "#ef6c00", "5xx": "#c62828"}


def _shown_in_notebooks() -> None:
    """Let IPython show a bare Figure as a PNG (pyplot's inline backend does so only once
    pyplot is imported, which these plots never need)."""
    try:
        from IPython import get_ipython
        from IPython.core.pylabtools import print_figure
    except ImportError:
        return
    shell = get_ipython()
    if shell is not None:
        png = shell.display_formatter.formatters["image/png"]
        png.for_type(Figure, lambda fig: print_figure(fig, "png", bbox_inches="tight"))


def _axes(ax, size=(7, 3.5)):
    if ax is not None:
        return ax.figure, ax
    _shown_in_notebooks()
    fig = Figure(figsize=size, layout="constrained")
    return fig, fig.add_subplot()


def latency(samples: dict[str, list[float]] | list[float], ax=None, unit: str = "ms") -> Figure:
    """Latency distributions: one box (and its points) per label, e.g. {"direct": [...], "via gateway": [...]}."""
    series = samples if isinstance(samples, dict) else {"requests": list(samples)}
    fig, ax = _axes(ax)
    labels = list(series)
    ax.boxplot([series[k] for k in labels], tick_labels=labels, showfliers=False)
    for i, label in enumerate(labels, start=1):
        values = series[label]
        ax.plot([i] * len(values), values, ".", alpha=0.3, color="#555")
    ax.set_ylabel(f"latency ({unit})")
    ax.set_title("Latency distribution" + ("s" if len(labels) > 1 else ""))
    return fig


def status_codes(requests: list[Request], bucket_s: int = 1, ax=None) -> Figure:
    """Requests per `bucket_s` seconds, stacked by status class (2xx .. 5xx), from requestlog rows."""
    fig, ax = _axes(ax)
    if not requests:
        ax.set_title("Status codes over time: no requests yet")
        return fig
    t0 = min(r.end for r in requests)
    counts: dict[str, Counter] = {k: Counter() for k in STATUS_COLOURS}
    for r in requests:
        counts[f"{r.status // 100}xx"][int((r.end - t0).total_seconds() // bucket_s)] += 1
    buckets = list(range(max(max(c, default=0) for c in counts.values()) + 1))
    bottom = [0] * len(buckets)
    for klass, colour in STATUS_COLOURS.items():
        heights = [counts[klass][b] for b in buckets]
        if any(heights):
            ax.bar([b * bucket_s for b in buckets], heights, width=bucket_s * 0.9, bottom=bottom,
                   color=colour, label=klass, align="edge")
            bottom = [a + b for a, b in zip(bottom, heights)]
    ax.set_xlabel("seconds since the first request")
    ax.set_ylabel(f"requests per {bucket_s} s")
    ax.set_title("Status codes over time")
    ax.legend()
    return fig


def lag(history: list[tuple[datetime, dict[str, int]]], ax=None) -> Figure:
    """Consumer lag over time: `history` is [(when, {group: lag}), ...] as sampled."""
    fig, ax = _axes(ax)
    groups = sorted({g for _, lags in history for g in lags})
    t0 = history[0][0] if history else None
    for group in groups:
        points = [((at - t0).total_seconds(), lags[group]) for at, lags in history if group in lags]
        ax.plot(*zip(*points), "o-", label=group, markersize=3)
    ax.set_xlabel("seconds")
    ax.set_ylabel("events not yet handled (lag)")
    ax.set_title("Consumer lag over time")
    if groups:
        ax.legend()
    return fig


def saga(events: list[dict], ax=None) -> Figure:
    """Saga timelines: one row per order, a marker per event (as lab.events rows), in time order."""
    fig, ax = _axes(ax, size=(8, 3.5))
    rows = [e for e in events if isinstance(e.get("value"), dict) and "order_id" in e["value"]]
    if not rows:
        ax.set_title("Saga timelines: no order events yet")
        return fig
    stamps = {id(e): datetime.fromisoformat(e["timestamp"]) for e in rows}
    t0 = min(stamps.values())
    orders = sorted({e["value"]["order_id"] for e in rows}, key=str)
    kinds = sorted({e["value"].get("event_type", "?") for e in rows})
    for order in orders:
        mine = sorted((stamps[id(e)], e) for e in rows if e["value"]["order_id"] == order)
        xs = [(t - t0).total_seconds() * 1000 for t, _ in mine]
        ax.plot(xs, [str(order)] * len(xs), "-", color="#bbb", zorder=1)
    markers = "os^vD<>ph*"
    for i, kind in enumerate(kinds):
        mine = [e for e in rows if e["value"].get("event_type", "?") == kind]
        ax.scatter([(stamps[id(e)] - t0).total_seconds() * 1000 for e in mine],
                   [str(e["value"]["order_id"]) for e in mine], marker=markers[i % len(markers)],
                   label=kind, zorder=2)
    ax.set_xlabel("ms since the first event")
    ax.set_ylabel("order")
    ax.set_title("Saga timelines")
    ax.legend(fontsize="small", loc="best")
    return fig


def swimlane(trace, ax=None) -> Figure:
    """One request across components (a microlab.trace.Trace): a lane each, bars for the time
    a component worked on it, dots for events, arrows from an event to its consumers."""
    lanes = trace.lanes
    fig, ax = _axes(ax, size=(9, 0.6 * len(lanes) + 1.5))
    if not trace:
        ax.set_title(f"request {trace.request_id}: nothing found")
        return fig
    t0 = trace[0].start
    y = {lane: len(lanes) - 1 - i for i, lane in enumerate(lanes)}

    def ms(t: datetime) -> float:
        return (t - t0) / timedelta(milliseconds=1)

    events = [s for s in trace if s.kind == "event"]
    for step in trace:
        if step.kind == "event":
            ax.plot(ms(step.start), y[step.lane], "D", color="#6a1b9a")
        elif step.kind == "handled":
            ax.plot(ms(step.end), y[step.lane], "o", color="#6a1b9a", fillstyle="none")
            source = next((e for e in reversed(events) if e.start <= step.start), None)
            if source is not None:
                ax.annotate("", (ms(step.end), y[step.lane]), (ms(source.start), y[source.lane]),
                            arrowprops={"arrowstyle": "->", "color": "#6a1b9a", "alpha": 0.6})
        else:
            ax.barh(y[step.lane], max(ms(step.end) - ms(step.start), 0.5), left=ms(step.start),
                    height=0.5, color="#1565c0" if step.kind != "call" else "#90a4ae")
    ax.set_yticks(list(y.values()), list(y))
    ax.set_xlabel("ms since the request started")
    ax.set_title(f"request {trace.request_id}")
    return fig


def cascade(ramp_ms: list[int], took: dict[str, list[float]], ax=None) -> Figure:
    """How long each call took (s) while a dependency's added latency ramped up, per strategy."""
    fig, ax = _axes(ax)
    for (label, seconds), marker in zip(took.items(), "os^D"):
        ax.plot(range(len(seconds)), seconds, f"{marker}-", label=label)
    ax.set_xticks(range(len(ramp_ms)), [f"{ms} ms" for ms in ramp_ms])
    ax.set_xlabel("latency added to the dependency (request after request)")
    ax.set_ylabel("the call took (s)")
    ax.set_title("A slow dependency and its callers")
    ax.legend()
    return fig


def rate(total: list[int], failed: list[int], ax=None, size=(4.5, 1.8)) -> Figure:
    """Requests and failed requests per second over the last len(total) seconds (the dashboard's chart)."""
    fig, ax = _axes(ax, size=size)
    xs = list(range(-len(total) + 1, 1))
    ax.fill_between(xs, total, step="mid", color="#90caf9", label="requests/s")
    ax.fill_between(xs, failed, step="mid", color="#c62828", label="5xx/s")
    ax.set_xlim(xs[0] if xs else -1, 0)
    ax.set_ylim(0, max(max(total, default=0), 1) * 1.2)
    ax.set_xlabel("seconds ago", fontsize="small")
    ax.tick_params(labelsize="small")
    ax.legend(fontsize="x-small", loc="upper left")
    return fig
