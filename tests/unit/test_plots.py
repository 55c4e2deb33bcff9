"""Every plot returns a matplotlib Figure drawn from the data it was given."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from matplotlib.figure import Figure

from microlab import plots, requestlog, trace

T0 = datetime(2026, 1, 1, 12, 0, 0, tzinfo=timezone.utc)


def test_latency_draws_one_box_per_label():
    fig = plots.latency({"direct": [1.0, 2.0, 3.0], "via gateway": [2.0, 3.0, 9.0]})
    assert isinstance(fig, Figure)
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["direct", "via gateway"]


def test_status_codes_stack_requests_per_class_and_second():
    reqs = [requestlog.Request("s", "r", "GET", "/", status, 1.0, T0 + timedelta(seconds=sec))
            for status, sec in ((200, 0.1), (200, 0.5), (500, 0.7), (404, 1.2))]
    fig = plots.status_codes(reqs)
    bars = {p.get_label(): [r.get_height() for r in p.patches] for p in fig.axes[0].containers}
    assert bars == {"2xx": [2, 0], "4xx": [0, 1], "5xx": [1, 0]}


def test_lag_draws_a_line_per_group():
    history = [(T0 + timedelta(seconds=i), {"inventory-service": lag, "order-service": 0})
               for i, lag in enumerate([0, 5, 2])]
    lines = plots.lag(history).axes[0].get_lines()
    assert [list(line.get_ydata()) for line in lines] == [[0, 5, 2], [0, 0, 0]]


def test_saga_puts_each_order_on_its_own_row():
    events = [{"timestamp": (T0 + timedelta(milliseconds=ms)).isoformat(), "topic": "t", "offset": i,
               "value": {"event_type": kind, "order_id": order}}
              for i, (ms, kind, order) in enumerate([(0, "order.created", 1), (5, "order.created", 2),
                                                     (20, "inventory.reserved", 1)])]
    fig = plots.saga(events)
    assert isinstance(fig, Figure) and len(fig.axes[0].collections) == 2  # one marker set per event type


def test_swimlane_has_a_lane_per_component_of_the_trace():
    step = trace.Step
    t = trace.Trace("r", [step("order-service", "http", "POST /orders", T0, T0 + timedelta(milliseconds=9)),
                          step("kafka", "event", "order.created", T0 + timedelta(milliseconds=12),
                               T0 + timedelta(milliseconds=12))])
    fig = t.plot()
    assert [label.get_text() for label in fig.axes[0].get_yticklabels()] == ["order-service", "kafka"]


def test_cascade_and_rate_plot_what_they_were_given():
    fig = plots.cascade([0, 500], {"no breaker": [0.1, 0.6], "breaker": [0.1, 0.0]})
    assert [list(line.get_ydata()) for line in fig.axes[0].get_lines()] == [[0.1, 0.6], [0.1, 0.0]]
    assert isinstance(plots.rate([1, 2, 0], [0, 1, 0]), Figure)
