"""Reading requests back from a service's log, and putting one request's trace together."""
from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone

from microlab import calls, requestlog, trace

APP_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"  # labs/common/app.py's log format


def service_log(make_client, caplog) -> str:
    """What a real user-service logs for a few calls, formatted as its process writes it."""
    client = make_client("user_service")
    with caplog.at_level(logging.INFO):
        caplog.clear()
        created = client.post("/users", json={"name": "Ada", "email": "ada@example.org"},
                              headers={"X-Request-ID": "rid-1"})
        client.get(f"/users/{created.json()['id']}", headers={"X-Request-ID": "rid-2"})
        client.get("/users/999", headers={"X-Request-ID": "rid-3"})
        client.get("/health")
    formatter = logging.Formatter(APP_FORMAT)
    return "\n".join(formatter.format(r) for r in caplog.records) + "\nTraceback (most recent call last):\n"


def test_the_requests_a_service_logged_are_parsed_and_health_checks_left_out(make_client, caplog):
    text = service_log(make_client, caplog)
    found = requestlog.parse(text)
    assert [(r.request_id, r.method, r.status) for r in found] == [
        ("rid-1", "POST", 201), ("rid-2", "GET", 200), ("rid-3", "GET", 404)]
    assert found[2].path == "/users/999" and found[0].path == "/users"
    assert all(r.ms >= 0 and r.start <= r.end for r in found)
    everything = requestlog.parse(text, include_lab_traffic=True)
    assert [r.path for r in everything][-1] == "/health"


def test_per_second_counts_requests_and_failures_in_their_second():
    now = datetime(2026, 1, 1, 12, 0, 10, tzinfo=timezone.utc)
    def req(age_s, status):
        return requestlog.Request("s", "r", "GET", "/x", status, 1.0, now - timedelta(seconds=age_s))
    total, failed = requestlog.per_second([req(0.5, 200), req(0.2, 500), req(3.5, 200), req(99, 500)], now, 5)
    assert total == [0, 1, 0, 0, 2] and failed == [0, 0, 0, 0, 1]


def _event(topic, offset, at, **value):
    return {"topic": topic, "partition": 0, "offset": offset, "key": str(value.get("order_id")),
            "timestamp": at.isoformat(timespec="milliseconds"), "value": value, "rejected": []}


def test_a_trace_follows_the_call_the_services_and_the_saga_events():
    t0 = datetime(2026, 1, 1, 12, 0, 0, tzinfo=timezone.utc)
    ms = lambda n: t0 + timedelta(milliseconds=n)  # noqa: E731
    call = calls.Call("rid-9", "POST", "http://127.0.0.1:9/api/v1/orders", 201, ms(0), ms(30), 25, 1)
    logged = [requestlog.Request("order-service", "rid-9", "POST", "/orders", 201, 20.0, ms(25)),
              requestlog.Request("user-service", "rid-9", "GET", "/users/1", 200, 2.0, ms(10)),
              requestlog.Request("user-service", "other", "GET", "/users/2", 200, 2.0, ms(11))]
    events = [_event("orders", 4, ms(40), event_type="order.created", order_id=7, request_id="rid-9"),
              _event("orders", 5, ms(41), event_type="order.created", order_id=8, request_id="other"),
              _event("inventory", 2, ms(60), event_type="inventory.reserved", order_id=7),
              _event("payments", 1, ms(80), event_type="payment.completed", order_id=7)]
    committed = {"inventory-service": {("orders", 0): 6}, "payment-service": {("inventory", 0): 3},
                 "order-service": {("inventory", 0): 2, ("payments", 0): 2}}
    t = trace.assemble("rid-9", call, logged, events, committed)
    assert [(s.lane, s.kind) for s in t] == [
        ("notebook", "call"), ("gateway", "gateway"), ("order-service", "http"), ("user-service", "http"),
        ("kafka", "event"), ("inventory-service", "handled"), ("kafka", "event"),
        ("payment-service", "handled"), ("kafka", "event"), ("order-service", "handled")]
    handled = [s for s in t if s.kind == "handled"]
    # inventory-service handled order.created until it published inventory.reserved
    assert handled[0].start == ms(40) and handled[0].end == ms(60)
    # order-service has committed offset 2 on inventory: the reserved event at offset 2 is not handled yet
    assert all("inventory.reserved" not in s.label for s in handled if s.lane == "order-service")
    assert t.lanes[:3] == ["notebook", "gateway", "order-service"]
    assert "order.created on orders-0@4" in str(t) and "rid-9" in t._repr_html_()


def test_a_response_without_time_is_placed_around_what_the_services_logged():
    t0 = datetime(2026, 1, 1, tzinfo=timezone.utc)
    call = calls.Call("r", "GET", "http://h:1/users/1", 200, None, None)
    logged = [requestlog.Request("user-service", "r", "GET", "/users/1", 200, 5.0, t0)]
    t = trace.assemble("r", call, logged, [], {})
    assert t[0].lane == "notebook" and t[0].start < logged[0].start and t[0].end > t0
    assert str(trace.assemble("nothing", None, logged, [], {}, ["kafka down"])).endswith("kafka down")


def _response(request_headers: dict, response_headers: dict):
    import requests

    response = requests.Response()
    response.status_code = 201
    response.headers.update(response_headers)
    response.request = requests.Request("POST", "http://127.0.0.1:8000/api/v1/orders",
                                        headers=request_headers).prepare()
    response.elapsed = timedelta(milliseconds=30)
    return response


def test_a_response_gives_its_request_id_and_what_the_gateway_reported():
    through_gateway = calls.Call.from_response(_response(
        {"X-Request-ID": "nb-1"}, {"X-Request-ID": "nb-1", "X-Kong-Upstream-Latency": "25",
                                   "X-Kong-Proxy-Latency": "1"}), timed=True)
    assert (through_gateway.request_id, through_gateway.via_gateway, through_gateway.upstream_ms) == ("nb-1", True, 25)
    assert through_gateway.end - through_gateway.start == timedelta(milliseconds=30)
    direct = calls.Call.from_response(_response({}, {"X-Request-ID": "made-by-service"}))
    assert (direct.request_id, direct.via_gateway, direct.start) == ("made-by-service", False, None)
    assert trace.request_id_of(_response({}, {"X-Request-ID": "x"}))[0] == "x"
    assert trace.request_id_of("some-id") == ("some-id", None)
