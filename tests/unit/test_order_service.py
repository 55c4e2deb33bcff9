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
