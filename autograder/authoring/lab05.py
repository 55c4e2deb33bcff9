"""05-database-per-service: data ownership, sagas and compensation, the outbox, eventual consistency."""
import lab05_exercises as exercises
from nbbuild import Notebook


def notebook() -> Notebook:
    nb = Notebook("lab05")
    nb.md("""
    # 05 · Database per service: ownership, sagas, the outbox and eventual consistency

    **Learning objectives.** After this notebook you can
    - say which service owns which data, and why nobody else may read or write it;
    - show what a shared database costs (a report that breaks when its owner migrates) and
      replace it with API composition;
    - draw the shop's saga, tell choreography from orchestration, and write its missing
      compensation;
    - explain why the outbox beats a "dual write", and measure eventual consistency.

    Everything runs against the real services, Kafka and databases on your machine.
    Time: about 60 minutes.
    """)
    nb.code("""
    import time
    import uuid

    import requests
    from microlab import Lab, consistency, ownership

    lab = Lab(name="lab05")
    lab.up("services")
    ORDER_SERVICE, INVENTORY_SERVICE = lab.url("order-service"), lab.url("inventory-service")
    PAYMENT_SERVICE = lab.url("payment-service")
    customer = consistency.new_user(lab)
    print(lab.status())
    """, locked="setup")
    ownership_section(nb)
    saga_section(nb)
    exercises.compensation(nb)
    shared_database_section(nb)
    exercises.order_summary(nb)
    outbox_section(nb)
    consistency_section(nb)
    exercises.reconcile(nb)
    design_section(nb)
    exercises.shipping_design(nb)
    nb.md("## Self-check")
    nb.code(f"""
    from microlab.selfcheck import summary
    summary(["{exercises.G1}", "{exercises.G2}", "{exercises.G3}"]);
    """, locked="self_check")
    nb.md("## Cleanup")
    nb.code("""
    lab.down()
    """, locked="cleanup")
    nb.md("""
    ## Key takeaways

    - Each service owns its data; others get it only through its API. Its schema can then
      change with its code alone, and its failure stays its own.
    - A report over two services' tables is hidden coupling: it breaks on the owner's next
      migration. Compose from the owners' APIs (and pass the request id along).
    - A transaction across services becomes a saga: local steps and, for each, a
      compensation. Choreography spreads the flow over events; orchestration puts it in one
      place. Compensations must be idempotent: events come at least once.
    - Write the event in the same local transaction as the change (the outbox); writing to
      the database and then to Kafka loses events when Kafka is down.
    - The price is eventual consistency: measure it, and reconcile what drifts.
    """)
    return nb


def ownership_section(nb: Notebook) -> None:
    nb.md("""
    ## 1. Who owns what

    The course text:

    > Each microservice should own its data. The database-per-service pattern prevents tight
    > coupling through shared databases. Services access other services' data only through
    > their APIs, never by querying their databases directly.

    Each service is started with one `DATABASE_URL`: its own. On the Docker backend every
    service has its own PostgreSQL server and user, and a server refuses any other service's
    credentials. On the local backend each database is a SQLite file: the cell below shows
    the files; nothing but convention keeps another process out of a file, which is why the
    refusal is demonstrated (and tested) on Docker.
    """)
    nb.code("""
    print(ownership.databases(lab))
    print()
    print(ownership.borrow_credentials(lab, "order-service", "inventory-service"))
    """, locked="databases")
    nb.md("""
    > This approach enables independent schema evolution—services can change their database
    > schemas without coordinating with other teams.

    In 01 renaming an inventory column broke order placement, because the order code read
    the inventory table. Here inventory-service changes its own schema (a new column, as
    its next release would) and ordering goes on: order-service only knows its API.
    """)
    nb.code("""
    print("inventory-service's items now have:", ownership.add_inventory_column(lab))
    order = consistency.place_order(lab, customer)
    print("order", order["id"], "->", consistency.wait_for_status(lab, order["id"]))
    """, locked="own_schema")
    nb.md("""
    In 01 one bad card number killed the monolith and sign-ups with it. Now it kills only
    payment-service (`labs/common/cards.py` names the card that crashes the provider's SDK):
    users and orders still answer, and the order placed meanwhile waits in Kafka.
    """)
    nb.code("""
    try:
        requests.post(f"{PAYMENT_SERVICE}/payments", json={"order_id": 1, "amount": 1, "card": "4000-0000-0000-0666"}, timeout=5)
    except requests.ConnectionError as exc:
        print("payment-service died answering:", type(exc).__name__)
    time.sleep(1)
    print({row.name: row.state for row in lab.status()})
    waiting = consistency.place_order(lab, customer)
    print("order placed while payments are down:", waiting["id"], waiting["status"])
    """, locked="crash_payments")
    nb.code("""
    lab.up("services")  # payment-service comes back and catches up on what it missed
    print("order", waiting["id"], "->", consistency.wait_for_status(lab, waiting["id"], ("paid",)))
    """, locked="payments_back")


def saga_section(nb: Notebook) -> None:
    nb.md("""
    ## 2. A transaction across services: the saga

    Placing an order touches three databases; no transaction spans them. The shop runs a
    **saga**: a sequence of local transactions, each publishing an event that triggers the
    next. Nobody directs it (that is **choreography**); each service reacts to events.

    ```mermaid
    sequenceDiagram
      participant O as order-service
      participant K as Kafka
      participant I as inventory-service
      participant P as payment-service
      O->>K: order.created (status pending)
      K->>I: order.created
      I->>K: inventory.reserved (stock taken)
      K->>P: inventory.reserved
      P->>K: payment.completed | payment.failed
      K->>O: status paid | payment_failed
      Note over I: on payment.failed nobody gives the stock back
    ```

    When a later step fails, the earlier ones are not rolled back: they are undone by a
    **compensation**, a local transaction of the owner (here: release the reservation).
    The course text lists this among its common mistakes: *"Ignoring data consistency
    challenges in distributed transactions."* The shop has exactly that hole: an order over
    the card limit ends `payment_failed` with its stock still reserved.
    """)
    nb.code("""
    laptops = consistency.stock(lab, "SKU-LAPTOP")
    big = consistency.place_order(lab, customer, consistency.OVER_LIMIT)
    print("order", big["id"], "total", big["total"], "->", consistency.wait_for_status(lab, big["id"]))
    print("its reservation:", consistency.reservation(lab, big["id"]))
    print("laptops in stock:", laptops, "->", consistency.stock(lab, "SKU-LAPTOP"))
    """, locked="the_hole")


def shared_database_section(nb: Notebook) -> None:
    nb.md("""
    ## 3. The shared-database mistake, and API composition

    Someone needs a report: recent orders with the state of their stock. The quick way
    joins order-service's `orders` with inventory-service's `reservations`, reading both
    databases directly (locally SQLite can attach the second file; on Docker the second
    server already refuses):
    """)
    nb.code("""
    print(ownership.SHARED_REPORT)
    print(ownership.try_report(lab))
    """, locked="shared_report")
    nb.md("""
    Then inventory-service's team ships a release that renames `reservations.status` to
    `state`. Their code moves with it, their API stays the same, and they had no reason to
    know about your report. We play their migration on their database for a moment:
    """)
    nb.code("""
    print(ownership.inventory_migration(lab))
    print(ownership.try_report(lab))
    print(ownership.inventory_migration(lab, forward=False), "(put back: this lab still runs the old code)")
    """, locked="migration")
    nb.md("""
    The fix is **API composition**: ask each owner for its part, through its API, and join
    in your code. It costs calls (and each call can fail); it survives every migration that
    keeps the API.
    """)


def outbox_section(nb: Notebook) -> None:
    nb.md("""
    ## 4. Outbox vs dual write

    order-service writes the order and its `order.created` event in **one local
    transaction**: the event is a row of its own database's `outbox` table, which a relay
    publishes to Kafka afterwards. Compare a "dual write" service that saves to its database
    and then publishes to Kafka itself:
    """)
    nb.code("""
    print(consistency.DUAL_WRITE)
    lab.deploy("dual-write", consistency.DUAL_WRITE)
    print("saved while Kafka is up:", consistency.dual_write_order(lab, "mug"))
    """, locked="dual_write")
    nb.md("Now Kafka goes down, and both take an order:")
    nb.code("""
    lab.stop("kafka")
    during = consistency.place_order(lab, customer)
    print("order-service answered 201:", during["id"], during["status"])
    print("its outbox row (order-service's own database):", consistency.outbox(lab, during["id"]))
    print("the dual-write service saved order", consistency.dual_write_order(lab, "mug"))
    """, locked="kafka_down")
    nb.code("""
    lab.up("services")  # Kafka is back
    print("the outbox row is published:", consistency.wait_published(lab, during["id"]))
    print("order", during["id"], "->", consistency.wait_for_status(lab, during["id"]))
    print("dual-write saved", consistency.dual_write_saved(lab), "but published only", consistency.dual_write_events(lab))
    """, locked="kafka_back")
    nb.md("""
    The dual-write order exists in its database, but its event is gone for good: whoever
    should react to it never will. (Publishing *first* and then committing is no better:
    then an event can announce an order that was never saved.) The outbox may publish a row
    twice (a crash between sending and marking it sent), which is why consumers drop
    duplicates, and why your compensator had to be idempotent.
    """)


def consistency_section(nb: Notebook) -> None:
    nb.md("""
    ## 5. Eventual consistency, measured

    `POST /orders` answers before the order is paid: for a while order-service says
    `pending` while inventory has already reserved. How long? 50 orders, from placed to
    `payment.completed`:
    """)
    nb.code("""
    placed = [consistency.place_order(lab, customer)["id"] for _ in range(50)]
    for order_id in placed:
        consistency.wait_for_status(lab, order_id)
    consistency.histogram(consistency.times_to_paid(lab, placed))
    """, locked="histogram")
    nb.md("""
    Usually a few tens of milliseconds; but with a consumer down (section 1) it was
    seconds, and it has no upper bound. Code that reads one service right after writing to
    another must expect the old state, and drift that never heals must be found:
    reconciliation.
    """)


def design_section(nb: Notebook) -> None:
    nb.md("""
    ## 6. Choreography or orchestration?

    | | choreography (this shop) | orchestration |
    |---|---|---|
    | who decides the next step | each service, reacting to events | one orchestrator, sending commands |
    | where the flow is written | nowhere in one place: in the subscriptions | in the orchestrator |
    | adding a step | a new consumer; others unchanged | a change to the orchestrator |
    | failure handling | each compensation reacts to a failure event | the orchestrator runs them in reverse order |
    | risk | a flow nobody can see whole; event cycles | a central component that knows too much |

    Neither is free: choreography suits a few steps with clear owners; orchestration pays off
    once the flow has many steps and branches.
    """)
