"""The four autograded exercises of 04-async-messaging (the rest is in lab04.py)."""
from nbbuild import Notebook

G1, G2, G3, G4 = "lab04_publish", "lab04_read_model", "lab04_tracker", "lab04_quiz"
GRADED = [G1, G2, G3, G4]


def publish(nb: Notebook) -> None:
    nb.md("""
    ## Exercise 1 · `publish_order_created` (autograded)

    The course text publishes the event like this:

    ```python
    # Publishing an event when order is created
    import json
    from kafka import KafkaProducer

    producer = KafkaProducer(
        bootstrap_servers=['kafka:9092'],
        value_serializer=lambda v: json.dumps(v).encode('utf-8')
    )

    def publish_order_created(order):
        \"\"\"Publish order created event for other services.\"\"\"
        event = {
            'event_type': 'order.created',
            'order_id': order['id'],
            'user_id': order['user_id'],
            'total': order['total'],
            'timestamp': datetime.utcnow().isoformat()
        }
        producer.send('orders', event)
        producer.flush()
    ```

    To run, it needs `datetime` imported, and the lab's broker: `KAFKA_BOOTSTRAP`, not
    `kafka:9092` (that name only resolves inside the lab). `datetime.utcnow()` gives a
    timestamp without a timezone (and is deprecated): use `datetime.now(timezone.utc)`.
    A production version also adds an **`event_id`** (unique per event, so consumers can
    drop duplicates) and sends the **order id as the key** (so all of one order's events
    stay in one partition, in order). Write that version: one record per call, on `orders`.

    The grader calls your function with orders of its own lab and reads its broker: it
    counts the records each call added, checks every field and type, the key, and that
    inventory-service really processed each event (from inventory-service's own database).
    """)
    nb.answer("lab04_publish_answer", """
    import json
    import uuid
    from datetime import datetime, timezone

    from kafka import KafkaProducer

    ### BEGIN SOLUTION
    producer = KafkaProducer(
        bootstrap_servers=[KAFKA_BOOTSTRAP],
        key_serializer=lambda k: k.encode("utf-8"),
        value_serializer=lambda v: json.dumps(v).encode("utf-8"),
    )
    ### END SOLUTION


    def publish_order_created(order):
        \"\"\"Publish order created event for other services.\"\"\"
        ### BEGIN SOLUTION
        event = {
            "event_type": "order.created",
            "event_id": uuid.uuid4().hex,
            "order_id": order["id"],
            "user_id": order["user_id"],
            "total": order["total"],
            "timestamp": datetime.now(timezone.utc).isoformat(),
        }
        producer.send("orders", key=str(order["id"]), value=event)
        producer.flush()
        ### END SOLUTION
    """)
    nb.tests(G1, 5, """
    from microlab.visible import lab04
    lab04.publishes(publish_order_created, lab);
    """)


def read_model(nb: Notebook) -> None:
    nb.md("""
    ## Exercise 2 · A read model kept by a consumer (autograded)

    Services answer questions about *their own* data. "How many orders has each user placed,
    for how much?" is nobody's data, so a consumer builds it from `order.created` events: a
    **read model**. Write it as a consumer that `lab.deploy` runs (the cell writes the file):
    keep table `orders_per_user(user_id INTEGER PRIMARY KEY, orders INTEGER, total REAL)` in
    the consumer's own database (`DATABASE_URL`), count only `order.created`, and apply each
    event once, even when it is delivered again (same `event_id`). The read model must
    survive a restart of the consumer: keep it in the database, not in memory.

    The grader deploys your file in its own lab on a topic and group of its own, produces
    events (other event types too, and redeliveries), restarts your consumer between two
    batches, then reads the table and the group's committed offsets.
    """)
    nb.answer("lab04_read_model_answer", """
    %%writefile orders_per_user.py
    import os

    from sqlalchemy import create_engine, text

    engine = create_engine(os.environ["DATABASE_URL"])
    ### BEGIN SOLUTION
    with engine.begin() as db:
        db.execute(text("CREATE TABLE IF NOT EXISTS orders_per_user "
                        "(user_id INTEGER PRIMARY KEY, orders INTEGER NOT NULL, total REAL NOT NULL)"))
        db.execute(text("CREATE TABLE IF NOT EXISTS seen_events (event_id TEXT PRIMARY KEY)"))

    COUNT = text("INSERT INTO orders_per_user VALUES (:user, 1, :total) ON CONFLICT (user_id) "
                 "DO UPDATE SET orders = orders_per_user.orders + 1, total = orders_per_user.total + :total")
    ### END SOLUTION


    def handle(event):
        ### BEGIN SOLUTION
        if event.get("event_type") != "order.created":
            return
        with engine.begin() as db:  # the effect and the event's id commit together, or neither
            seen = db.execute(text("SELECT 1 FROM seen_events WHERE event_id = :id"), {"id": event["event_id"]})
            if seen.first() is not None:
                return
            db.execute(text("INSERT INTO seen_events VALUES (:id)"), {"id": event["event_id"]})
            db.execute(COUNT, {"user": event["user_id"], "total": event["total"]})
        ### END SOLUTION
    """)
    nb.code("""
    lab.deploy("orders-per-user", "orders_per_user.py", topic="orders", group="orders-per-user")
    """, locked="deploy_read_model")
    nb.tests(G2, 6, """
    from microlab.visible import lab04
    lab04.read_model(lab, "orders-per-user");
    """)


def tracker(nb: Notebook) -> None:
    nb.md("""
    ## Exercise 3 · An idempotent, order-tolerant consumer (autograded)

    Events can arrive twice, and those from different services in an unexpected order: a
    `payment.completed` can be handled before the `inventory.reserved` that caused it.
    Complete `OrderTracker`: `handle(event)` takes the saga's events (`order.created`,
    `inventory.reserved`, `inventory.rejected`, `payment.completed` with an `amount`,
    `payment.failed`); `status(order_id)` gives `"pending"`, `"reserved"`, `"paid"`,
    `"payment_failed"` or `"rejected"` (`"unknown"` before any event); `revenue()` sums the
    `amount` of every paid order once. A status only moves forward (pending → reserved →
    a final one), and an event with an `event_id` already seen changes nothing.

    The grader feeds your tracker its own shuffled histories with duplicates and retries.
    """)
    nb.code("""
    STATUS = {"order.created": "pending", "inventory.reserved": "reserved",
              "inventory.rejected": "rejected", "payment.completed": "paid",
              "payment.failed": "payment_failed"}
    RANK = {"pending": 0, "reserved": 1, "paid": 2, "payment_failed": 2, "rejected": 2}
    """, locked="tracker_statuses")
    nb.answer("lab04_tracker_answer", """
    class OrderTracker:
        STATUS, RANK = STATUS, RANK  # the cell above: the status each event sets, and their order

        def __init__(self):
            ### BEGIN SOLUTION
            self.statuses, self.paid, self.seen = {}, {}, set()
            ### END SOLUTION

        def handle(self, event):
            ### BEGIN SOLUTION
            if event["event_id"] in self.seen:
                return
            self.seen.add(event["event_id"])
            new, order = self.STATUS.get(event["event_type"]), event["order_id"]
            if new is None:
                return
            old = self.statuses.get(order)
            if old is None or self.RANK[new] > self.RANK[old]:
                self.statuses[order] = new
            if new == "paid":
                self.paid[order] = event["amount"]
            ### END SOLUTION

        def status(self, order_id):
            ### BEGIN SOLUTION
            return self.statuses.get(order_id, "unknown")
            ### END SOLUTION

        def revenue(self):
            ### BEGIN SOLUTION
            return sum(self.paid.values())
            ### END SOLUTION
    """)
    nb.tests(G3, 5, """
    from microlab.visible import lab04
    lab04.tracker(OrderTracker);
    """)


def quiz(nb: Notebook) -> None:
    nb.md("""
    ## Exercise 4 · Synchronous or asynchronous? (autograded)

    For each step, answer `"sync"` (the caller needs the answer to go on) or `"async"` (an
    event, handled whenever the consumer gets to it). The grader's feedback explains each
    answer.

    1. `user`: order-service checks that the user exists before it accepts an order.
    2. `email`: the shop e-mails a confirmation once an order is paid.
    3. `stock_page`: a product page shows how many items are in stock.
    4. `search_index`: the search index is updated when the catalogue changes.
    """)
    nb.answer("lab04_quiz_answer", """
    SYNC_OR_ASYNC = {"user": None, "email": None, "stock_page": None, "search_index": None}
    ### BEGIN SOLUTION
    SYNC_OR_ASYNC = {"user": "sync", "email": "async", "stock_page": "sync", "search_index": "async"}
    ### END SOLUTION
    """)
    nb.tests(G4, 4, """
    from microlab.visible import lab04
    lab04.quiz(SYNC_OR_ASYNC);
    """)
