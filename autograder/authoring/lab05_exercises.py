"""The four exercises of 05-database-per-service (the rest is in lab05.py)."""
from nbbuild import Notebook

G1, G2, G3 = "lab05_compensation", "lab05_order_summary", "lab05_reconcile"


def compensation(nb: Notebook) -> None:
    nb.md("""
    ## Exercise 1 · The missing compensation (autograded)

    Write the consumer that closes the hole: on every `payment.failed` event (topic
    `payments`), give the order's stock back by calling inventory-service's own API,
    `DELETE /reservations/{order_id}`. Never touch inventory-service's database: it is not
    yours (the grader reads inventory-service's request log to see that you asked it).

    Your code is the string `COMPENSATOR`: a module that defines `handle(event)`.
    `lab.deploy` runs it as a component of the lab (its own process, its own database, its
    own consumer group), calling `handle` once per event on `payments`, which also carries
    `payment.completed`. Events are delivered **at least once**: the same `payment.failed`
    may come twice, and `handle` may run after a restart for events that arrived while it
    was stopped. Inside it, `INVENTORY_SERVICE_URL` is where inventory-service answers.

    - `payment.completed`: do nothing (a paid order keeps its stock);
    - `payment.failed`: release the reservation; a 404 means inventory never reserved
      anything for that order: nothing to give back, return quietly;
    - inventory-service failing (5xx, no answer): raise, and the event is delivered again.

    The grader deploys your `COMPENSATOR` in a lab of its own, places orders over the card
    limit (with one or two lines, other products and quantities than here), replays a
    failure, stops and restarts your compensator between events, and sends failures of its
    own (for an order never reserved, for other reasons than the card limit).
    """)
    nb.answer("lab05_compensation_answer", """
    COMPENSATOR = '''
    import os

    import requests

    INVENTORY_SERVICE = os.environ["INVENTORY_SERVICE_URL"]


    def handle(event):
        \"\"\"Called once per event on `payments` (at least once: maybe twice).\"\"\"
        ### BEGIN SOLUTION
        if event.get("event_type") != "payment.failed":
            return  # payment.completed: the order keeps its stock
        response = requests.delete(f"{INVENTORY_SERVICE}/reservations/{event['order_id']}", timeout=5)
        if response.status_code == 404:
            return  # nothing reserved for that order: nothing to give back
        response.raise_for_status()  # inventory-service failed: the event will be delivered again
        ### END SOLUTION
    '''
    """)
    nb.md("Deploy it: from now on every failed payment in your lab is compensated.")
    nb.code("""
    lab.deploy("compensator", COMPENSATOR, topic="payments", group="compensator")
    """, locked="deploy_compensator")
    nb.tests(G1, 6, """
    from microlab.visible import lab05
    lab05.compensation(COMPENSATOR, lab);
    """)
    nb.md("""
    The compensator read `payments` from the beginning, so the card-limit order of section 2
    got its laptops back too:
    """)
    nb.code("""
    print("order", big["id"], "reservation:", consistency.reservation(lab, big["id"]),
          "| laptops in stock:", consistency.stock(lab, "SKU-LAPTOP"))
    """, locked="hole_filled")


def order_summary(nb: Notebook) -> None:
    nb.md("""
    ## Exercise 2 · `order_summary` by API composition (autograded)

    Write `order_summary(order_id, request_id)`: one order as its three owners see it, each
    asked through its API, with the header `X-Request-ID: request_id` on **every** call (so
    the three request logs show one request, followed across services):

    | part | owner | call |
    |---|---|---|
    | `order_id`, `user_id`, `status`, `total` | order-service | `GET {ORDER_SERVICE}/orders/{order_id}` |
    | `reservation`: `"reserved"`, `"released"` or `None` | inventory-service | `GET {INVENTORY_SERVICE}/reservations/{order_id}` (404: `None`) |
    | `payment`: `"completed"`, `"failed"` or `None` | payment-service | `GET {PAYMENT_SERVICE}/payments?order_id=...` (a list: empty is `None`) |

    Return a dict with exactly those six keys, or `None` when order-service does not know
    the order (404). Use `timeout=5` on each call. The grader calls it for orders of its
    own (paid, failed to pay, rejected by inventory, unknown), compares with what the
    owners' databases hold, and reads the request id back from all three services' logs.
    """)
    nb.answer("lab05_order_summary_answer", """
    def order_summary(order_id, request_id):
        \"\"\"One order as the services that own its parts see it, or None for an unknown order.\"\"\"
        ### BEGIN SOLUTION
        headers = {"X-Request-ID": request_id}
        found = requests.get(f"{ORDER_SERVICE}/orders/{order_id}", headers=headers, timeout=5)
        if found.status_code == 404:
            return None
        found.raise_for_status()
        order = found.json()
        held = requests.get(f"{INVENTORY_SERVICE}/reservations/{order_id}", headers=headers, timeout=5)
        if held.status_code != 404:
            held.raise_for_status()
        paid = requests.get(f"{PAYMENT_SERVICE}/payments", params={"order_id": order_id}, headers=headers, timeout=5)
        paid.raise_for_status()
        payments = paid.json()
        return {"order_id": order["id"], "user_id": order["user_id"], "status": order["status"],
                "total": order["total"], "reservation": held.json()["status"] if held.status_code == 200 else None,
                "payment": payments[0]["status"] if payments else None}
        ### END SOLUTION
    """)
    nb.tests(G2, 4, """
    from microlab.visible import lab05
    lab05.summary(order_summary, lab);
    """)


def reconcile(nb: Notebook) -> None:
    nb.md("""
    ## Exercise 3 · Reconciliation (autograded)

    A saga can leave its services disagreeing (a lost event, a compensation that never ran,
    someone's manual fix in one database). Real systems run a *reconciliation* job that
    compares the owners' views and reports the orders that do not add up. Write
    `find_inconsistent(order_ids)`: the list of those of `order_ids` that break a rule
    below, reading each owner **through its API** (you may use your `order_summary`):

    | order status | its reservation | its payment |
    |---|---|---|
    | `paid` | `reserved` | `completed` |
    | `payment_failed` | not `reserved` (released by the compensation) | `failed` |
    | `rejected` | not `reserved` (none) | none |
    | anything else | (still in flight: not judged) | |

    The grader places orders, lets the saga finish, then breaks some of them directly in
    the owners' databases (which of them, and how many consistent ones beside them, vary).
    """)
    nb.answer("lab05_reconcile_answer", """
    def find_inconsistent(order_ids):
        \"\"\"The ids among order_ids whose order, reservation and payment disagree.\"\"\"
        ### BEGIN SOLUTION
        wrong = []
        for order_id in order_ids:
            order = requests.get(f"{ORDER_SERVICE}/orders/{order_id}", timeout=5).json()
            held = requests.get(f"{INVENTORY_SERVICE}/reservations/{order_id}", timeout=5)
            stock = held.json()["status"] if held.status_code == 200 else None
            payments = requests.get(f"{PAYMENT_SERVICE}/payments", params={"order_id": order_id}, timeout=5).json()
            payment = payments[0]["status"] if payments else None
            if order["status"] == "paid":
                ok = stock == "reserved" and payment == "completed"
            elif order["status"] == "payment_failed":
                ok = stock != "reserved" and payment == "failed"
            elif order["status"] == "rejected":
                ok = stock != "reserved" and payment is None
            else:
                ok = True  # still in flight: too early to judge
            if not ok:
                wrong.append(order_id)
        return wrong
        ### END SOLUTION
    """)
    nb.tests(G3, 4, """
    from microlab.visible import lab05
    lab05.reconciliation(find_inconsistent, lab);
    """)


def shipping_design(nb: Notebook) -> None:
    nb.md("""
    ## Exercise 4 · Design: adding a shipping step (written, graded by your instructor)

    The shop adds a shipping-service: once an order is paid it books a courier, and a
    booking can fail (no courier for that address). In 6-10 sentences: would you add this
    step to the choreography (shipping-service reacts to `payment.completed`) or introduce
    an orchestrator (an order saga that tells each service what to do)? Say which events or
    commands exist, what must be compensated when the booking fails and in which order,
    and one thing your choice makes harder.
    """)
    nb.written("lab05_shipping_design", """
    ### BEGIN SOLUTION
    A model answer (either choice can earn full marks when argued):

    Choreography: shipping-service consumes `payment.completed` and publishes
    `shipping.booked` or `shipping.failed`. On `shipping.failed` the payment is refunded
    (payment-service reacts: `payment.refunded`), then the stock released (inventory reacts
    to `payment.refunded`), and order-service moves the order to `cancelled`. No new
    component, but the flow now spans four services and is visible only in the events; a
    fifth step makes it hard to see who reacts to what. Orchestration: an order saga sends
    commands (reserve, charge, book) and, on a failed booking, refund then release, in
    reverse order; the flow is in one place and testable, at the cost of a component that
    knows every step (and must be kept available and not become a god service).

    Rubric (3 points):
    - 1 point: a clear choice with one reason tied to this shop (four steps, a fifth
      service; where the flow is visible).
    - 1 point: the compensations named and ordered (refund the payment, then release the
      stock, the order ends cancelled/failed), each idempotent or triggered by an event.
    - 1 point: one honest cost of the choice (choreography: the flow is implicit, cyclic
      dependencies between events; orchestration: a central component, coupling to it).
    ### END SOLUTION
    """, points=3)
