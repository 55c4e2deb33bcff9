import pytest

pytestmark = pytest.mark.unit

MUG = {"sku": "SKU-MUG", "quantity": 2}


@pytest.fixture
def shop(make_client):
    c = make_client("monolith")
    c.post("/users", json={"name": "Ada", "email": "ada@example.org"})
    return c


def test_one_transaction_places_reserves_and_pays(shop):
    order = shop.post("/orders", json={"user_id": 1, "items": [MUG]}).json()
    assert (order["status"], order["total"]) == ("confirmed", 25.0)
    assert shop.get("/inventory/SKU-MUG").json()["stock"] == 198
    assert shop.get("/payments/1").json()["amount"] == 25.0
    assert [o["id"] for o in shop.get("/users/1/orders").json()] == [order["id"]]


def test_declined_payment_rolls_back_stock_and_order(shop):
    r = shop.post("/orders", json={"user_id": 1, "items": [{"sku": "SKU-LAPTOP", "quantity": 2}]})
    assert r.status_code == 402 and "card limit" in r.json()["error"]
    assert shop.get("/inventory/SKU-LAPTOP").json()["stock"] == 5
    assert shop.get("/users/1/orders").json() == []


def test_unknown_user_and_sku(shop):
    assert shop.post("/orders", json={"user_id": 9, "items": [MUG]}).status_code == 422
    r = shop.post("/orders", json={"user_id": 1, "items": [{"sku": "NOPE", "quantity": 1}]})
    assert r.status_code == 422 and r.json()["error"].startswith("items.0.sku")
