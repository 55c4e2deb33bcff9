"""Consumer-driven contracts between the shop's apps.

No service imports another's code (each declares its own request and response types), so
nothing but these tests notices when the types drift apart. Each test runs a consumer's
real client code against the provider's real app, in-process: every call the consumer makes
passes through a recording transport and must fit one of the provider's routes and validate
against the provider's own pydantic request models; every answer must parse into the
consumer's own response models.
"""
from __future__ import annotations

import ast
import importlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
from pydantic import BaseModel, TypeAdapter, ValidationError
from starlette.routing import Match

import labs
from labs.common import requestid
from labs.inventory_service import eventflow as inventory_events
from labs.inventory_service import schemas as inventory
from labs.monolith import schemas as monolith
from labs.order_service import clients as order_clients
from labs.order_service import schemas as orders
from labs.payment_service import schemas as payments
from labs.user_service import schemas as users


USERS, INVENTORY, ORDERS = "http://user-service.test", "http://inventory-service.test", "http://order-service.test"


@dataclass
class Call:
    method: str
    path: str
    query: dict
    body: object  # the JSON sent, or None


class Provider(requests.adapters.BaseAdapter):
    """A requests transport into one app of the shop: records each call, lets the app answer."""

    def __init__(self, module: str, client):
        super().__init__()
        self.module, self.client, self.calls = module, client, []

    def send(self, request, **_kwargs):
        url = urlsplit(request.url)
        self.calls.append(Call(request.method, url.path, dict(parse_qsl(url.query)),
                               json.loads(request.body) if request.body else None))
        answer = self.client.request(request.method, request.path_url, headers=dict(request.headers),
                                     content=request.body)
        response = requests.Response()
        response.status_code, response._content = answer.status_code, answer.content
        response.headers.update(answer.headers)
        response.url, response.request = request.url, request
        return response

    def close(self):
        pass

    def check(self) -> None:
        """Every recorded call fits the provider (see fits); at least one was made."""
        assert self.calls, f"no call reached {self.module}"
        for call in self.calls:
            fits(self.module, call)


def fits(module: str, call: Call) -> None:
    """The provider `labs.<module>` has a route for the call, and the route's own parameter
    types and request model accept what the call sent. Raises otherwise."""
    router = importlib.import_module(f"labs.{module}.app").router
    scope = {"type": "http", "method": call.method, "path": call.path, "root_path": ""}
    for route in router.routes:
        match, child = route.matches(scope)
        if match is Match.FULL:
            break
    else:
        raise AssertionError(f"{module} has no route for {call.method} {call.path}")
    sent = {**child["path_params"], **call.query}
    for param in route.dependant.path_params + route.dependant.query_params:
        if param.name in sent or param.field_info.is_required():
            TypeAdapter(Annotated[param.field_info.annotation, param.field_info]).validate_python(sent[param.name])
    if route.body_field is None:
        assert call.body is None, f"{module} takes no body on {call.method} {route.path}"
    else:
        TypeAdapter(route.body_field.field_info.annotation).validate_python(call.body)


class _Calls:
    """requestid.ServiceCalls' interface, over a requests session whose transports are the
    recording providers."""

    def __init__(self, mounts: dict):
        self.http = requests.Session()
        for prefix, provider in mounts.items():
            self.http.mount(prefix, provider)

    def get(self, url: str, timeout: float) -> requestid.Answer:
        found = self.http.get(url, timeout=timeout, headers={requestid.HEADER: requestid.current.get()})
        return requestid.Answer(found.status_code, found.content)


@pytest.fixture
def shop(make_client, monkeypatch):
    """order-service wired to the real user-service and inventory-service, and inventory's
    event flow wired to the real order-service, all through recording transports."""
    to = {"user_service": Provider("user_service", make_client("user_service")),
          "inventory_service": Provider("inventory_service", make_client("inventory_service"))}
    monkeypatch.setattr(order_clients, "_http", _Calls({USERS: to["user_service"],
                                                        INVENTORY: to["inventory_service"]}))
    to["order_service"] = Provider("order_service", make_client(
        "order_service", USER_SERVICE_URL=USERS, INVENTORY_SERVICE_URL=INVENTORY, ORDER_SERVICE_URL=ORDERS))
    monkeypatch.setattr(inventory_events, "_http", _Calls({ORDERS: to["order_service"]}))
    return to


def test_placing_an_order_calls_user_and_inventory_service_as_they_expect(shop):
    ada = shop["user_service"].client.post("/users", json={"name": "Ada", "email": "ada@example.org"}).json()
    lines = [{"sku": "SKU-MUG", "quantity": 2}, {"sku": "SKU-BOOK", "quantity": 1}]
    placed = shop["order_service"].client.post("/orders", json={"user_id": ada["id"], "items": lines})
    assert placed.status_code == 201 and placed.json()["total"] == 74.99  # 2 mugs and a book at inventory's prices
    refused = shop["order_service"].client.post("/orders", json={"user_id": 999, "items": lines})
    assert refused.json()["error"] == "user_id: user 999 does not exist"
    shop["user_service"].check()  # GET /users/{id}, for a known and an unknown user
    shop["inventory_service"].check()  # GET /inventory/{sku} for each line


def test_order_service_reads_inventory_answers_with_its_own_model(shop):
    client = shop["inventory_service"].client
    for item in client.get("/inventory").json():
        answer = client.get(f"/inventory/{item['sku']}")
        assert answer.status_code == 200
        assert orders.ItemPrice.model_validate(answer.json()).price == item["price"]
        inventory.ItemOut.model_validate(answer.json())  # and the answer is what inventory declares


def test_an_order_is_what_inventory_reserves_for_it(shop):
    """inventory-service reads the order order-service serves and reserves its lines: the
    order's JSON must validate against inventory's own types (OrderToReserve, ReservationIn)."""
    shop["user_service"].client.post("/users", json={"name": "Ada", "email": "ada@example.org"})
    order = shop["order_service"].client.post(
        "/orders", json={"user_id": 1, "items": [{"sku": "SKU-LAPTOP", "quantity": 2}]}).json()
    served = inventory_events.fetch_order(order["id"])  # inventory's own client code
    shop["order_service"].check()
    inventory.OrderToReserve.model_validate(served)
    inventory.ReservationIn.model_validate({"order_id": order["id"], "items": served["items"]})
    db = importlib.import_module("labs.inventory_service.app").db
    with db.sessions() as session:
        (topic, key, event), = inventory_events.on_order_created(session, {"order_id": order["id"]})
        session.commit()
    assert (event["event_type"], event["total"], event["items"]) == ("inventory.reserved", 2998.0, order["items"])
    assert shop["inventory_service"].client.get("/inventory/SKU-LAPTOP").json()["stock"] == 3


@pytest.mark.parametrize("line", [
    {"sku": "S", "quantity": 1}, {"sku": "S" * 64, "quantity": 10_000},
    {"sku": "S" * 65, "quantity": 1}, {"sku": "", "quantity": 1}, {"sku": "S", "quantity": 10_001},
    {"sku": "S", "quantity": 0}, {"sku": "S", "quantity": 1.5}, {"sku": 7, "quantity": 1},
])
def test_every_line_order_service_takes_inventory_can_reserve(line):
    try:
        orders.LineIn.model_validate(line)
    except ValidationError:
        return  # refused at the door: inventory never sees it
    inventory.LineIn.model_validate(line)


def test_the_check_catches_a_drifted_field(make_client):
    """The contract checks can fail: a renamed field, a renamed route, a missing answer field."""
    provider = Provider("inventory_service", make_client("inventory_service"))
    with pytest.raises(ValidationError):
        fits("inventory_service", Call("POST", "/reservations", {},
                                       {"order_id": 1, "items": [{"sku": "SKU-MUG", "qty": 1}]}))
    with pytest.raises(AssertionError, match="no route"):
        fits("inventory_service", Call("GET", "/items/SKU-MUG", {}, None))
    with pytest.raises(ValidationError):
        orders.ItemPrice.model_validate({"sku": "SKU-MUG", "unit_price": 12.5})
    http = requests.Session()
    http.mount(INVENTORY, provider)
    assert http.post(f"{INVENTORY}/reservations",
                     json={"order_id": 1, "items": [{"sku": "SKU-MUG", "quantity": 1}]}).status_code == 201
    provider.check()  # a body that fits passes


# The monolith and the services cut out of it serve the same public API, each with its own
# types: these pairs must describe the same JSON.
SAME_API = [
    (monolith.UserIn, users.UserIn), (monolith.UserOut, users.UserOut),
    (monolith.OrderIn, orders.OrderIn), (monolith.OrderOut, orders.OrderOut),
    (monolith.ItemOut, inventory.ItemOut), (monolith.PaymentOut, payments.PaymentOut),
]


@pytest.mark.parametrize("mine, theirs", SAME_API, ids=lambda t: f"{t.__module__.split('.')[1]}.{t.__name__}")
def test_the_monolith_and_the_services_serve_the_same_types(mine: type[BaseModel], theirs: type[BaseModel]):
    for mode in ("validation", "serialization"):
        assert mine.model_json_schema(mode=mode) == theirs.model_json_schema(mode=mode)


def _packages_imported(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return {n.split(".")[1] for n in names if n.startswith("labs.") and n.count(".") >= 1}


@pytest.mark.parametrize("package", ["monolith", "user_service", "order_service", "inventory_service",
                                     "payment_service"])
def test_each_app_imports_only_itself_and_common(package):
    root = Path(labs.__file__).parent / package
    for path in sorted(root.rglob("*.py")):
        assert _packages_imported(path) <= {package, "common"}, path.relative_to(root.parent)
