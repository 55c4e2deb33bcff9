"""The dashboard's pure parts: what a snapshot of a lab renders as (no lab, no threads)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from microlab import observe, requestlog
from microlab.backends.base import ComponentStatus
from microlab.broker.offsets import GroupLag, lags
from microlab.dashboard import render
from microlab.dashboard.snapshot import Snapshot

NOW = datetime(2026, 1, 1, 12, 0, 0, tzinfo=timezone.utc)


def test_lag_is_end_minus_committed_and_a_never_committed_partition_counts_from_zero():
    ends = {"orders": {0: 5, 1: 3}, "payments": {0: 9}}
    committed = {"inventory-service": {("orders", 0): 5}}
    rows = lags(ends, committed)
    assert [(r.topic, r.partition, r.lag) for r in rows] == [("orders", 0, 0), ("orders", 1, 3)]


def test_a_stopped_component_shows_as_down_and_the_lab_as_not_all_healthy():
    snap = Snapshot(NOW, [ComponentStatus("kafka", "broker", "healthy", "127.0.0.1:1"),
                          ComponentStatus("user-service", "service", "stopped", None)])
    assert snap.state("user-service") == "stopped" and not snap.lab_down
    assert "1 of 2 components healthy" in render.header(snap, "lab", "local", True)
    assert render.COLOURS["healthy"] in render.health("healthy")
    assert render.DOWN in render.health("stopped") and "stopped" in render.health("stopped")


def test_a_lab_with_nothing_left_is_down_but_one_whose_status_failed_is_not():
    assert Snapshot(NOW, []).lab_down
    assert "lab is down" in render.header(Snapshot(NOW, []), "lab", "local", False)
    assert not Snapshot(NOW, [], problem="engine gone").lab_down


def test_recent_requests_newest_first_with_their_status():
    reqs = [requestlog.Request("s", f"r{i}", "GET", f"/users/{i}", 200 if i % 2 else 503, 1.5,
                               NOW + timedelta(seconds=i)) for i in range(20)]
    table = render.requests_table(reqs, limit=3)
    assert table.index("/users/19") < table.index("/users/18") < table.index("/users/17")
    assert "/users/16" not in table and ">503<" in table
    assert "no requests yet" in render.requests_table([])


def test_broker_panel_shows_offsets_and_lag_or_why_kafka_cannot_be_read():
    broker = observe.Broker({"orders": {0: 2, 1: 4}}, [GroupLag("inventory-service", "orders", 0, 1, 2)])
    text = render.broker_html(broker)
    assert "orders" in text and "0:2, 1:4" in text and ">6<" in text and ">1<" in text
    assert "kafka is not running" in render.broker_html(observe.Broker(problem="kafka is not running"))


def test_the_rate_chart_is_a_png():
    snap = Snapshot(NOW, [], {"s": [requestlog.Request("s", "r", "GET", "/", 500, 1.0, NOW)]})
    assert render.rate_png(snap).startswith(b"\x89PNG")


def test_the_rate_chart_is_drawn_again_only_when_the_counts_move():
    quiet = render.rate_png(Snapshot(NOW, []))
    later = NOW + timedelta(seconds=3)
    assert render.rate_png(Snapshot(later, [])) is quiet  # an idle lab: the same drawing, not a new one
    busy = Snapshot(later, [], {"s": [requestlog.Request("s", "r", "GET", "/", 200, 1.0, later)]})
    assert render.rate_png(busy) != quiet
