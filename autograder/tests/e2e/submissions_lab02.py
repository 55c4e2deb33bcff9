"""What 02's grader tests hand in: splits, kinds and Conway answers that are wrong in
plausible ways, each with the sub-checks it must fail (grade id -> check names); every
exercise not named must keep full marks. A submission carries one wrong split and, where
given, one wrong kind and one wrong Conway answer: the exercises are judged apart, so one
graded notebook tests three of them."""
from __future__ import annotations

SERVICES, KINDS, CONWAY = "lab02_services", "lab02_kinds", "lab02_conway_answer"
REFERENCE = {  # service: (tables, endpoints)
    "user-service": (["users"], ["POST /users", "GET /users/{id}"]),
    "order-service": (["orders", "order_items"], ["POST /orders", "GET /orders/{id}", "GET /users/{id}/orders"]),
    "inventory-service": (["inventory"], ["GET /inventory", "GET /inventory/{sku}", "POST /inventory/reservations"]),
    "payment-service": (["payments"], ["POST /payments", "GET /payments/{id}"]),
}
ALL_TABLES = [t for tables, _ in REFERENCE.values() for t in tables]
ALL_ENDPOINTS = [e for _, endpoints in REFERENCE.values() for e in endpoints]
RIGHT_KINDS = {"ordering": "core", "inventory": "supporting", "payments": "generic", "accounts": "generic"}
RIGHT_CONWAY = {"a": False, "b": False, "c": True, "d": False}


def split(changed: dict) -> str:
    """SERVICES source: the reference split with some services replaced (None drops one)."""
    services = {n: v for n, v in (REFERENCE | changed).items() if v is not None}
    return "SERVICES = " + repr({n: {"tables": t, "endpoints": e} for n, (t, e) in services.items()})


def kinds(**changed) -> str:
    return f"SUBDOMAIN_KIND = {RIGHT_KINDS | changed!r}"


def conway(**changed) -> str:
    return f"CONWAY = {RIGHT_CONWAY | changed!r}"


def _user(*more: str) -> tuple[list[str], list[str]]:
    return ["users"], ["POST /users", "GET /users/{id}", *more]


T, E, S, K, C = "lab02_tables", "lab02_endpoints", "lab02_split", "lab02_subdomains", "lab02_conway"
LOCAL = ["writes stay local", "reads stay local"]
WRONG = {  # name: (answers, {grade_id: the checks that must fail})
    "payments-forgotten": ({SERVICES: split({"payment-service": ([], REFERENCE["payment-service"][1])}),
                            KINDS: kinds(ordering="supporting"), CONWAY: conway(a=True)},
                           {T: ["every table has an owner"], E: LOCAL, K: ["ordering classified"], C: ["statement a"]}),
    "users-shared": ({SERVICES: split({"order-service": (["orders", "order_items", "users"], REFERENCE["order-service"][1])}),
                      KINDS: kinds(inventory="generic"), CONWAY: conway(b=True)},
                     {T: ["one owner per table"], K: ["inventory classified"], C: ["statement b"]}),
    "made-up-table": ({SERVICES: split({"order-service": (["orders", "order_items", "carts"], REFERENCE["order-service"][1])}),
                       KINDS: kinds(payments="core"), CONWAY: conway(c=False)},
                      {T: ["only the monolith's tables"], K: ["payments classified"], C: ["statement c"]}),
    "order-item-typo": ({SERVICES: split({"order-service": (["orders", "order_item"], REFERENCE["order-service"][1])}),
                         KINDS: kinds(accounts="core"), CONWAY: conway(d=True)},
                        {T: ["every table has an owner", "only the monolith's tables"], E: LOCAL,
                         K: ["accounts classified"], C: ["statement d"]}),
    "payment-lookup-forgotten": ({SERVICES: split({"payment-service": (["payments"], ["POST /payments"])})},
                                 {E: ["every endpoint has a service"]}),
    "inventory-listed-twice": ({SERVICES: split({"order-service": (["orders", "order_items"],
                                                               [*REFERENCE["order-service"][1], "GET /inventory"])})},
                               {E: ["one service per endpoint", "reads stay local"]}),
    "made-up-endpoint": ({SERVICES: split({"user-service": _user("DELETE /users/{id}")})},
                         {E: ["only the shop's endpoints"]}),
    "orders-placed-by-user-service": ({SERVICES: split({"user-service": _user("POST /orders"), "order-service": (
                                          ["orders", "order_items"], ["GET /orders/{id}", "GET /users/{id}/orders"])})},
                                      {E: ["writes stay local"]}),
    "monolith-plus-two-empty": ({SERVICES: split(dict.fromkeys(REFERENCE) | {
                                    "shop": (ALL_TABLES, ALL_ENDPOINTS), "spare": ([], []), "later": ([], [])})},
                                {S: ["not the monolith again", "no empty services"]}),
    "two-services": ({SERVICES: split({
                          "user-service": (["users", "orders", "order_items"],
                                        REFERENCE["user-service"][1] + REFERENCE["order-service"][1]),
                          "inventory-service": (["inventory", "payments"],
                                             REFERENCE["inventory-service"][1] + REFERENCE["payment-service"][1]),
                          "order-service": None, "payment-service": None})},
                     {S: ["not the monolith again"]}),
    "nanoservices": ({SERVICES: split({"order-service": (["orders"], REFERENCE["order-service"][1]),
                                      "order-item-service": (["order_items"], [])})},
                     {S: ["no nanoservices", "no table behind a network"], E: LOCAL}),
    "payments-behind-a-network": ({SERVICES: split({
                                       "order-service": (["orders", "order_items"],
                                                      REFERENCE["order-service"][1] + REFERENCE["payment-service"][1]),
                                       "payment-service": (["payments"], [])})},
                                  {S: ["no table behind a network"], E: LOCAL}),
}
# Right, though not written like the reference: computed from what the locked cells define.
COMPUTED = {SERVICES: '''OWNER = {"users": "accounts", "orders": "ordering", "order_items": "ordering",
         "inventory": "stock", "payments": "billing"}
SERVICES = {name: {"tables": [t for t in TABLES if OWNER[t] == name], "endpoints": []} for name in set(OWNER.values())}
for endpoint, (writes, serves) in ENDPOINTS.items():
    SERVICES[OWNER[sorted(writes | serves)[0]]]["endpoints"].append(endpoint)''',
            KINDS: kinds(accounts="supporting")}
# The visible rules patched to pass, and a key looked for in the runtime: the grader's verdict
# is that of the same answers unpatched.
FORGED = {SERVICES: "import microlab.visible.lab02 as rules\n"
                    "rules.RULES = {g: tuple((n, lambda split: None) for n, _ in named) for g, named in rules.RULES.items()}\n"
                    + WRONG["monolith-plus-two-empty"][0][SERVICES],
          KINDS: "import microlab.visible.lab02 as v\nSUBDOMAIN_KIND = dict(getattr(v, 'ALLOWED_KINDS', None) or {})"}
