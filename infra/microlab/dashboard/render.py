"""The dashboard's HTML pieces, from a Snapshot: pure functions, no widgets, no I/O."""
from __future__ import annotations

import functools
import html
import io

from microlab import plots
from microlab.requestlog import Request, per_second

COLOURS = {"healthy": "#2e7d32", "starting": "#1565c0", "unhealthy": "#ef6c00"}  # anything else: down
DOWN = "#c62828"
RECENT = 12  # requests shown per service
TABLE = "style='border-collapse:collapse;font-size:12px' class='microlab-table'"


def health(state: str) -> str:
    colour = COLOURS.get(state, DOWN)
    return f"<b style='color:{colour}'>&#9679; {html.escape(state)}</b>"


def _table(head: list[str], rows: list[list[str]], empty: str) -> str:
    if not rows:
        return f"<i>{html.escape(empty)}</i>"
    cells = "".join("<tr>" + "".join(f"<td style='padding:1px 8px'>{c}</td>" for c in row) + "</tr>"
                    for row in rows)
    heads = "".join(f"<th style='padding:1px 8px;text-align:left'>{h}</th>" for h in head)
    return f"<table {TABLE}><tr>{heads}</tr>{cells}</table>"


def requests_table(requests: list[Request], limit: int = RECENT) -> str:
    """The newest `limit` requests, newest first (health checks are already left out)."""
    rows = [[r.end.strftime("%H:%M:%S"), f"<code>{html.escape(r.request_id)}</code>", r.method,
             html.escape(r.path), _status(r.status), f"{r.ms:.1f} ms"] for r in reversed(requests[-limit:])]
    return _table(["time", "request id", "method", "path", "status", "took"], rows,
                  "no requests yet (health checks are not shown)")


def _status(code: int) -> str:
    colour = plots.STATUS_COLOURS.get(f"{code // 100}xx", "#555")
    return f"<b style='color:{colour}'>{code}</b>"


def topics_table(ends: dict[str, dict[int, int]]) -> str:
    rows = [[html.escape(t), str(len(parts)), str(sum(parts.values())),
             ", ".join(f"{p}:{e}" for p, e in sorted(parts.items()))] for t, parts in sorted(ends.items())]
    return _table(["topic", "partitions", "events", "end offset per partition"], rows, "no topics yet")


def lag_table(lags: list) -> str:
    """One row per (group, topic): lag summed over partitions, red when events are waiting."""
    summed: dict[tuple[str, str], list[int]] = {}
    for row in lags:
        summed.setdefault((row.group, row.topic), []).append(row.lag)
    rows = [[html.escape(g), html.escape(t),
             f"<b style='color:{DOWN if sum(v) else COLOURS['healthy']}'>{sum(v)}</b>"]
            for (g, t), v in sorted(summed.items())]
    return _table(["consumer group", "topic", "lag"], rows, "no consumer group has committed yet")


def broker_html(broker) -> str:
    if broker.problem:
        return f"<b>Kafka</b><br>{health('down')} <i>{html.escape(broker.problem)}</i>"
    return f"<b>Kafka topics</b>{topics_table(broker.ends)}<b>Consumer lag</b>{lag_table(broker.lags)}"


def rate_png(snapshot, window_s: int = 60) -> bytes:
    """The live chart: requests and 5xx per second over the last minute, all services."""
    total, failed = per_second(snapshot.all_requests, snapshot.taken, window_s)
    return _rate_png(tuple(total), tuple(failed))


@functools.lru_cache(maxsize=2)
def _rate_png(total: tuple[int, ...], failed: tuple[int, ...]) -> bytes:
    """Drawn again only when the counts moved: the axis is relative ("seconds ago"), so a lab
    left idle shows the same chart, and each drawing costs about 60 ms of CPU every refresh."""
    fig = plots.rate(list(total), list(failed))
    fig.axes[0].set_title("requests/s, all services", fontsize="small")
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=80)
    return out.getvalue()


def header(snapshot, lab_name: str, backend: str, refreshing: bool) -> str:
    when = snapshot.taken.strftime("%H:%M:%S")
    if snapshot.problem:
        state = f"{health('down')} status unavailable: {html.escape(snapshot.problem)}"
    elif snapshot.lab_down:
        state = f"{health('down')} the lab is down: run <code>lab.up()</code>, then <code>lab.dashboard()</code>"
    else:
        healthy = sum(c.state == "healthy" for c in snapshot.components)
        total = len(snapshot.components)
        state = f"{healthy} of {total} component{'s' if total != 1 else ''} healthy"
    live = "refreshing every few seconds" if refreshing else "not refreshing"
    return (f"<b>lab {html.escape(lab_name)}</b> ({html.escape(backend)} backend) &middot; {state}"
            f" &middot; <span style='color:#777'>{when}, {live}</span>")
