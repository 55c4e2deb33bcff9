import logging
import os

import pytest


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


class Died(Exception):
    pass


@pytest.fixture
def exits(monkeypatch):
    """os._exit records its code and raises instead of ending the test run."""
    codes = []

    def _exit(code):
        codes.append(code)
        raise Died(code)

    monkeypatch.setattr(os, "_exit", _exit)
    monkeypatch.setattr(logging, "shutdown", lambda: None)
    return codes


def test_the_notebooks_crash_card_kills_the_whole_process(shop, exits):
    with pytest.raises(Died):  # notebook 01 sends this number: the SDK takes the process down
        shop.post("/orders", json={"user_id": 1, "items": [MUG], "card": "4000-0000-0000-0666"})
    assert exits == [70]


def test_an_order_reads_back_as_placed_with_a_utc_time(shop):
    order = shop.post("/orders", json={"user_id": 1, "items": [MUG, {"sku": "SKU-BOOK", "quantity": 1}]}).json()
    assert order["items"] == [MUG, {"sku": "SKU-BOOK", "quantity": 1}] and order["total"] == 74.99
    assert order["created_at"].endswith("Z")  # SQLite forgets the zone; the API never does
    assert shop.get(f"/orders/{order['id']}").json() == order
    assert shop.get("/orders/99").json()["error"] == "order_id: order 99 not found"
    assert shop.get("/payments/99").status_code == 404
