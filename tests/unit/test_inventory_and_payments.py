import logging
import os

import pytest

from labs.common.cards import CRASH_CARD



def test_catalogue_is_seeded(make_client):
    c = make_client("inventory_service")
    mug = c.get("/inventory/SKU-MUG").json()
    assert mug == {"sku": "SKU-MUG", "name": "Conway's Law mug", "price": 12.5, "stock": 200}
    assert c.get("/inventory/NOPE").status_code == 404


def test_reservation_takes_stock_once_and_release_gives_it_back(make_client):
    c = make_client("inventory_service")
    body = {"order_id": 7, "items": [{"sku": "SKU-LAPTOP", "quantity": 2}]}
    assert c.post("/reservations", json=body).status_code == 201
    assert c.post("/reservations", json=body).status_code == 200  # a retry, not a second reservation
    assert c.get("/inventory/SKU-LAPTOP").json()["stock"] == 3
    assert c.delete("/reservations/7").json()["status"] == "released"
    assert c.delete("/reservations/7").status_code == 200
    assert c.get("/inventory/SKU-LAPTOP").json()["stock"] == 5


def test_reservation_beyond_stock_is_refused_whole(make_client):
    c = make_client("inventory_service")
    r = c.post("/reservations", json={"order_id": 8, "items": [
        {"sku": "SKU-MUG", "quantity": 1}, {"sku": "SKU-LAPTOP", "quantity": 6}]})
    assert r.status_code == 409 and r.json()["error"].startswith("items.1.quantity")
    assert c.get("/inventory/SKU-MUG").json()["stock"] == 200  # all lines or none


def test_negative_quantity_names_the_field(make_client):
    r = make_client("inventory_service").post(
        "/reservations", json={"order_id": 1, "items": [{"sku": "SKU-MUG", "quantity": -3}]})
    assert r.status_code == 422 and r.json()["fields"][0]["field"] == "items.0.quantity"


def test_payment_completes_under_the_limit_and_fails_over_it(make_client):
    c = make_client("payment_service")
    ok = c.post("/payments", json={"order_id": 1, "amount": 25.0})
    assert ok.status_code == 201 and ok.json()["status"] == "completed"
    assert c.get(f"/payments/{ok.json()['id']}").json() == ok.json()
    declined = c.post("/payments", json={"order_id": 2, "amount": 2998.0}).json()
    assert declined["status"] == "failed" and "card limit" in declined["reason"]


def test_paying_an_order_twice_charges_once(make_client):
    c = make_client("payment_service")
    first = c.post("/payments", json={"order_id": 3, "amount": 10})
    again = c.post("/payments", json={"order_id": 3, "amount": 10})
    assert (first.status_code, again.status_code) == (201, 200)
    assert len(c.get("/payments", params={"order_id": 3}).json()) == 1


def test_the_crash_card_kills_payment_service(make_client, monkeypatch):
    codes = []

    def _exit(code):
        codes.append(code)
        raise RuntimeError("process died")

    monkeypatch.setattr(os, "_exit", _exit)
    monkeypatch.setattr(logging, "shutdown", lambda: None)
    c = make_client("payment_service")
    with pytest.raises(RuntimeError, match="process died"):
        c.post("/payments", json={"order_id": 1, "amount": 5, "card": CRASH_CARD})
    assert codes == [70]
