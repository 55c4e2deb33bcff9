"""02-decomposition: bounded contexts and three ways to cut the monolith."""
from nbbuild import Notebook


def notebook() -> Notebook:
    nb = Notebook("lab02")
    nb.md("""
    # 02 · Decomposition: where do the service boundaries go?

    **Learning objectives.** After this notebook you can
    - explain a *bounded context* and why a table should have exactly one owner;
    - cut the shop's monolith three ways: by business capability, by subdomain
      (core / supporting / generic) and by team ownership (Conway's law);
    - check a proposed split against rules instead of intuition, and recognise the
      *nanoservice* mistake (one service per table) when you see it.

    Time: about 30 minutes. Everything runs on your machine: the cells start the real
    monolith and the real services, and read their real databases.
    """)
    nb.md("""
    ## 1. What we are cutting

    The monolith keeps everything in one database. Let's start it and look at the schema
    for ourselves instead of trusting a diagram.
    """)
    nb.code("""
    from microlab import Lab
    from sqlalchemy import create_engine, inspect

    lab = Lab(name="lab02")
    lab.up("monolith")
    monolith_db = create_engine(lab.database_url("monolith"))
    schema = inspect(monolith_db)
    for table in sorted(schema.get_table_names()):
        columns = [c["name"] for c in schema.get_columns(table)]
        foreign = [f"{fk['constrained_columns'][0]} -> {fk['referred_table']}" for fk in schema.get_foreign_keys(table)]
        print(f"{table:<12} columns={columns}  foreign keys={foreign}")
    """, locked="setup")
    nb.md("""
    Every area of the shop sits in one schema, tied together by foreign keys: an order row
    points at a user row and at inventory rows. Joins are easy; so is coupling. The
    endpoints of the monolith, with the tables each one **writes** and the tables whose rows it
    **serves**, are listed below (the `POST /inventory/reservations` and `POST /payments`
    steps happen *inside* `POST /orders` in the monolith; once the shop is split they become
    endpoints of their own).
    """)
    nb.code("""
    from microlab.visible.lab02 import ENDPOINTS, TABLES

    assert sorted(TABLES) == sorted(schema.get_table_names()), "the exercise lists the live monolith's tables"
    for endpoint, (writes, serves) in ENDPOINTS.items():
        print(f"{endpoint:<30} writes={sorted(writes) or '-'}  serves={sorted(serves) or '-'}")
    """, locked="monolith_endpoints")
    nb.md("""
    ## 2. Bounded contexts

    A *bounded context* is the part of a system inside which one model, and one meaning of
    each word, holds. "User" means an account with an email address to the accounts team; to
    the ordering team it is just an id that places orders. Inside a context the model is
    consistent; between contexts we translate, through an API.

    A bounded context is the natural candidate for a service, and its tables travel with it:
    **every table gets exactly one owner**, and other services reach that data only through
    the owner's API (database per service).

    ```mermaid
    flowchart LR
      subgraph Monolith["monolith: one schema"]
        U[(users)] --- O[(orders)] --- OI[(order_items)]
        O --- P[(payments)]
        OI --- I[(inventory)]
      end
    ```

    ## 3. Three strategies

    1. **By business capability.** What does the business *do*? Take orders, keep stock,
       take payments, manage customer accounts. Each capability becomes a service.
    2. **By subdomain** (Domain-Driven Design). Rank the parts: the **core** subdomain is
       what the company competes on; **supporting** subdomains are needed and specific to
       the company but win no customers; **generic** subdomains are solved problems you can
       buy or use off the shelf. Spend your best people on the core; buy the generic.
    3. **By team ownership.** Conway's law: a system ends up mirroring the communication
       structure of the organisation that builds it. Align service boundaries with teams so
       each team owns its services end to end.

    ```mermaid
    flowchart LR
      S[a subdomain] --> W{"does the company win<br/>customers with it?"}
      W -- yes --> C["core: build it, with your best people"]
      W -- no --> O{"is it specific<br/>to the company?"}
      O -- yes --> Su["supporting: build it, simply"]
      O -- no --> G["generic: buy it or use it off the shelf"]
    ```

    > **The shop.** microlab shop wins customers with how it takes and handles orders
    > (bundles, instant confirmation, order tracking). It keeps stock in its own warehouse
    > with a plain count per item. It takes card payments through a payment provider.
    > Customers sign up with an email address.
    """)
    nb.md("""
    ## Exercise 1 · Split the monolith (autograded)

    Fill in `SERVICES`: one entry per service you propose, with the monolith tables it owns
    and the endpoints it serves. Name the services as you like. The checks do not compare
    with one memorised answer; they check rules (each rule earns its own points):

    - **tables:** every table has an owner; one owner per table (none shared); only the
      monolith's tables;
    - **endpoints:** every endpoint has a service; one service per endpoint; only the shop's
      endpoints; *writes stay local* (the service owns every table the endpoint writes) and
      *reads stay local* (it owns every table whose rows the endpoint serves);
    - **the split:** not the monolith again (at least 3 services that own a table and serve
      an endpoint); no nanoservices (tables written in one transaction stay together); no
      empty services (a service that owns no table and serves no endpoint is not a service);
      no table behind a network (a service that owns tables serves an endpoint).
    """)
    nb.answer("lab02_services", """
    # One entry per service: "service-name": {"tables": ["..."], "endpoints": ["POST /...", "GET /..."]}
    SERVICES = {}
    ### BEGIN SOLUTION
    SERVICES = {
        "user-service": {"tables": ["users"], "endpoints": ["POST /users", "GET /users/{id}"]},
        "order-service": {"tables": ["orders", "order_items"],
                          "endpoints": ["POST /orders", "GET /orders/{id}", "GET /users/{id}/orders"]},
        "inventory-service": {"tables": ["inventory"],
                              "endpoints": ["GET /inventory", "GET /inventory/{sku}", "POST /inventory/reservations"]},
        "payment-service": {"tables": ["payments"], "endpoints": ["POST /payments", "GET /payments/{id}"]},
    }
    ### END SOLUTION
    """)
    nb.tests("lab02_tables", 3, """
    from microlab.visible import lab02
    lab02.tables(SERVICES)
    """)
    nb.tests("lab02_endpoints", 3, """
    from microlab.visible import lab02
    lab02.endpoints(SERVICES)
    """)
    nb.tests("lab02_split", 2, """
    from microlab.visible import lab02
    lab02.split(SERVICES)
    """)
    nb.md("""
    ### Why not one service per table?

    It looks tidy: five tables, five services. But `orders` and `order_items` are written in
    the same transaction; they are one *aggregate*. Split them and placing an order becomes a
    distributed transaction between two services that must always be deployed, versioned and
    scaled together, and every order read crosses the network twice. That is the course's
    first common mistake, **nanoservices**: more moving parts, no more independence.
    """)
    nb.md("""
    ## Exercise 2 · Classify the subdomains (autograded)

    Using the shop's story above, classify each of its four subdomains. Set `SUBDOMAIN_KIND`
    to a dict with the keys `"ordering"`, `"inventory"`, `"payments"` and `"accounts"`, each
    mapped to one of `"core"`, `"supporting"` or `"generic"`:
    `SUBDOMAIN_KIND = {"ordering": "<kind>", "inventory": "<kind>", ...}`. Each subdomain
    earns its own points.
    """)
    nb.answer("lab02_kinds", """
    SUBDOMAIN_KIND = {"ordering": None, "inventory": None, "payments": None, "accounts": None}
    ### BEGIN SOLUTION
    SUBDOMAIN_KIND = {
        "ordering": "core",
        "inventory": "supporting",
        "payments": "generic",
        "accounts": "generic",
    }
    ### END SOLUTION
    """)
    nb.tests("lab02_subdomains", 2, """
    from microlab.visible import lab02
    lab02.subdomains(SUBDOMAIN_KIND)
    """)
    nb.md("""
    ## Exercise 3 · Conway's law (autograded)

    The shop has three teams: a *checkout* team, a *warehouse* team and a two-person
    *platform* team that also looks after sign-up and the payment provider integration.
    Which of these statements follow from Conway's law?

    - a. Each team should own exactly one database table.
    - b. The number of services should equal the number of developers.
    - c. Give each team the services of its own area (checkout: orders; warehouse: inventory;
      platform: accounts and payments), so most changes need one team only.
    - d. All teams should share one service so that they communicate more.

    Set `CONWAY` to a dict with the keys `"a"` to `"d"`: `True` if the statement follows,
    `False` if it does not. Each statement earns its own points.
    """)
    nb.answer("lab02_conway_answer", """
    CONWAY = {"a": None, "b": None, "c": None, "d": None}  # True or False each
    ### BEGIN SOLUTION
    CONWAY = {"a": False, "b": False, "c": True, "d": False}
    ### END SOLUTION
    """)
    nb.tests("lab02_conway", 1, """
    from microlab.visible import lab02
    lab02.conway(CONWAY)
    """)
    nb.md("""
    ## 4. The split, running

    The shop's four services are one split that keeps every rule: accounts, ordering, stock
    and payments, each with a database of its own. The inventory service keeps the stock as
    `items`, and its reservations (what `POST /inventory/reservations` writes) in
    `reservations` and `reservation_lines`. The services also tell each other what happened
    through events, and three tables are their bookkeeping for that, listed apart below:
    `outbox` (events committed with the change they announce, not yet published),
    `processed_events` (events already handled, so a redelivered one changes nothing twice)
    and `rejected_events` (events that could not be applied). Events come later in the course.
    """)
    nb.code("""
    lab.up("services")
    MESSAGING = {"outbox", "processed_events", "rejected_events"}  # the events' bookkeeping
    for service in ("user-service", "order-service", "inventory-service", "payment-service"):
        engine = create_engine(lab.database_url(service))
        tables = set(inspect(engine).get_table_names())
        engine.dispose()
        print(f"{service:<18} owns {sorted(tables - MESSAGING)}  messaging {sorted(tables & MESSAGING) or '-'}")
    """, locked="services_running")
    nb.md("""
    ## Self-check

    The cell below summarises the visible checks. More checks run when your notebook is
    graded: the grader reads your answers from your answer cells, on its own.
    """)
    nb.code("""
    from microlab.selfcheck import summary
    summary(["lab02_tables", "lab02_endpoints", "lab02_split", "lab02_subdomains", "lab02_conway"]);
    """, locked="self_check")
    nb.md("## Cleanup")
    nb.code("""
    monolith_db.dispose()
    lab.down()
    """, locked="cleanup")
    nb.md("""
    ## Key takeaways

    - A service boundary is a bounded context: one model, one owner, one database.
    - Every table has exactly one owning service; others use its API, never its tables.
    - Things written in one transaction (an aggregate) belong in one service.
    - Cut by capability, rank by subdomain (invest in the core, buy the generic), and align
      with teams (Conway's law).
    - One service per table is *nanoservices*: all the cost of distribution, none of the
      independence.
    """)
    return nb
