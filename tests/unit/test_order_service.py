"""order-service alone: its dependencies are absent here, which is itself a case to test."""
import pytest

from microlab.ports import free_port



@pytest.fixture
def orders(make_client):
    dead = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    return make_client("order_service", USER_SERVICE_URL=dead, INVENTORY_SERVICE_URL=dead)


def test_user_service_down_is_a_503_with_a_reason(orders):
    r = orders.post("/orders", json={"user_id": 1, "items": [{"sku": "SKU-MUG", "quantity": 1}]})
    assert r.status_code == 503
    assert r.json()["error"].startswith("user-service is unavailable")
    assert orders.get("/users/1/orders").status_code == 503


@pytest.mark.parametrize("payload, field", [
    ({"user_id": 1, "items": []}, "items"),
    ({"user_id": 1, "items": [{"sku": "SKU-MUG", "quantity": 0}]}, "items.0.quantity"),
    ({"user_id": -1, "items": [{"sku": "SKU-MUG", "quantity": 1}]}, "user_id"),
    ({"items": [{"sku": "SKU-MUG", "quantity": 1}]}, "user_id"),
])
def test_bad_orders_are_refused_before_any_call(orders, payload, field):
    r = orders.post("/orders", json=payload)
    assert r.status_code == 422
    assert r.json()["fields"][0]["field"] == field


def test_unknown_order_is_404(orders):
    assert orders.get("/orders/99").json()["error"] == "order_id: order 99 not found"


class _Upstreams:
    """user-service and inventory-service stand-ins in this process. user-service answers
    only once every price lookup has arrived (or after 3 s), so an order-service that asks
    one after the other is seen waiting."""

    def __init__(self, lines: int):
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        self.all_prices_asked, self.waited_for_prices = threading.Event(), None
        self.request_ids: list[str] = []
        self.prices_asked, self.lock = 0, threading.Lock()
        upstreams = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                upstreams.request_ids.append(self.headers.get("X-Request-ID", ""))
                if self.path.startswith("/inventory/"):
                    with upstreams.lock:  # one server thread per request
                        upstreams.prices_asked += 1
                    if upstreams.prices_asked >= lines:
                        upstreams.all_prices_asked.set()
                    found = not self.path.endswith("SKU-NONE")
                    return self._answer(200 if found else 404, b'{"price": 2.5}')
                upstreams.waited_for_prices = not upstreams.all_prices_asked.wait(3)
                return self._answer(404 if self.path.endswith("/2") else 200, b'{"id": 1}')

            def _answer(self, status: int, body: bytes):
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def upstreams():
    made: list[_Upstreams] = []
    yield lambda lines: made.append(_Upstreams(lines)) or made[-1]
    for u in made:
        u.server.shutdown()


def test_the_user_and_every_price_are_asked_at_once_with_the_request_id(make_client, upstreams):
    up = upstreams(lines=2)
    orders = make_client("order_service", USER_SERVICE_URL=up.url, INVENTORY_SERVICE_URL=up.url)
    items = [{"sku": "SKU-MUG", "quantity": 2}, {"sku": "SKU-PEN", "quantity": 1}]
    r = orders.post("/orders", json={"user_id": 1, "items": items}, headers={"X-Request-ID": "rid-7"})
    assert r.status_code == 201 and r.json()["total"] == 7.5
    assert up.waited_for_prices is False
    assert up.request_ids == ["rid-7"] * 3


def test_an_unknown_user_is_the_error_even_when_a_sku_is_unknown_too(make_client, upstreams):
    up = upstreams(lines=1)
    orders = make_client("order_service", USER_SERVICE_URL=up.url, INVENTORY_SERVICE_URL=up.url)
    r = orders.post("/orders", json={"user_id": 2, "items": [{"sku": "SKU-NONE", "quantity": 1}]})
    assert r.status_code == 422 and r.json()["error"] == "user_id: user 2 does not exist"
    r = orders.post("/orders", json={"user_id": 1, "items": [{"sku": "SKU-NONE", "quantity": 1}]})
    assert r.status_code == 422 and "unknown sku 'SKU-NONE'" in r.json()["error"]
