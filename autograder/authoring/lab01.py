"""01-monolith: the shop in one process and one database, and where that hurts."""
from nbbuild import Notebook


def notebook() -> Notebook:
    nb = Notebook("lab01")
    nb.md("""
    # 01 · The monolith: simple to start, hard to change

    **Learning objectives.** After this notebook you can
    - describe a monolith: one codebase, one deployable process, one shared database;
    - point at concrete coupling in it: shared tables, a shared process, shared scaling;
    - explain from what you *observed* why teams split monoliths, and what they give up.

    Time: about 30 minutes. The cells start the real monolith and break it for real.

    ```mermaid
    flowchart TB
      subgraph app["monolith (one process)"]
        U[users] --- O[orders] --- I[inventory] --- P[payments]
      end
      app --> DB[(one shared database)]
    ```
    """)
    nb.code("""
    import requests
    from microlab import Lab
    from sqlalchemy import create_engine, text

    lab = Lab(name="lab01")
    lab.up("monolith")
    SHOP = lab.url("monolith")
    db = create_engine(lab.database_url("monolith"))
    print(lab.status())
    """, locked="setup")
    nb.md("""
    ## 1. Use it: sign up, browse, order

    One base URL serves every area of the shop.
    """)
    nb.code("""
    grace = requests.post(f"{SHOP}/users", json={"name": "Grace", "email": "grace@example.org"}, timeout=5).json()
    catalogue = requests.get(f"{SHOP}/inventory", timeout=5).json()
    sku = catalogue[0]["sku"]
    order = requests.post(f"{SHOP}/orders", json={"user_id": grace["id"], "items": [{"sku": sku, "quantity": 2}]}, timeout=5)
    print(order.status_code, order.json())
    """, locked="use_it")
    nb.md("""
    ## 2. Look inside: one database for everything

    Any code in the monolith can join any tables. That is convenient, and it is exactly how
    areas of the code become entangled: the order code reads inventory rows and payment rows
    directly.
    """)
    nb.code("""
    with db.connect() as conn:
        for table in ("users", "inventory", "orders", "order_items", "payments"):
            print(f"{table:<12}", conn.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar(), "rows")
        print(conn.execute(text(
            "SELECT u.name, o.id, i.sku, i.stock, p.status FROM orders o JOIN users u ON u.id = o.user_id "
            "JOIN order_items oi ON oi.order_id = o.id JOIN inventory i ON i.sku = oi.sku "
            "JOIN payments p ON p.order_id = o.id")).all())
    """, locked="one_database")
    nb.md("""
    ## 3. Pain 1: a schema change for inventory breaks ordering

    The warehouse team renames a column in *their* table. Nobody told the checkout code,
    which reads that column inside the same database. Ordering breaks at once.
    """)
    nb.code("""
    with db.begin() as conn:
        conn.execute(text("ALTER TABLE inventory RENAME COLUMN stock TO on_hand"))
    broken = requests.post(f"{SHOP}/orders", json={"user_id": grace["id"], "items": [{"sku": sku, "quantity": 1}]}, timeout=5)
    print("after the inventory change, POST /orders ->", broken.status_code)
    with db.begin() as conn:  # undo, so the rest of the notebook works
        conn.execute(text("ALTER TABLE inventory RENAME COLUMN on_hand TO stock"))
    """, locked="schema_change")
    nb.md("""
    ## 4. Pain 2: a crash in payments takes sign-up down too

    The payment code has a bug that kills its process on one card number (think of a crash
    in a native payment SDK). In a monolith that process is *also* the one serving sign-ups.
    """)
    nb.code("""
    try:
        requests.post(f"{SHOP}/orders", json={"user_id": grace["id"], "items": [{"sku": sku, "quantity": 1}],
                                              "card": "4000-0000-0000-0666"}, timeout=5)
    except requests.ConnectionError as exc:
        print("the order call died with the process:", type(exc).__name__)
    try:
        requests.post(f"{SHOP}/users", json={"name": "Linus", "email": "linus@example.org"}, timeout=5)
    except requests.ConnectionError:
        print("and sign-up is down too: nothing answers on", SHOP)
    print(lab.status())
    lab.up("monolith")  # restart it (the same port) for what follows
    """, locked="crash")
    nb.md("""
    ## 5. Pain 3: scaling means scaling everything

    Suppose checkout traffic triples on sale day. The only unit you can run more copies of
    is the whole application: every copy carries users, inventory and payments code too, and
    all copies still share the one database, which becomes the bottleneck. The API below is
    one deployable; count what it bundles.
    """)
    nb.code("""
    paths = requests.get(f"{SHOP}/openapi.json", timeout=5).json()["paths"]
    areas = {}
    for path, methods in paths.items():
        for spec in methods.values():
            for tag in spec.get("tags", ["other"]):
                areas.setdefault(tag, set()).add(path)
    for tag, found in sorted(areas.items()):
        print(f"{tag:<11} {len(found)} paths")
    """, locked="scaling")
    nb.md("""
    ## Exercise 1 · What did one order write? (autograded, checked against the live monolith)

    Set `ORDER_WRITES` to the set of tables that a single successful `POST /orders` changes
    in the monolith's database. The grader places a real order in a monolith of its own and
    compares every table before and after. Hint: the checkout code is printed below (it is
    `labs/monolith/checkout.py`), or measure it yourself with the `db` engine.
    """)
    nb.code("""
    import inspect
    from labs.monolith import checkout
    print(inspect.getsource(checkout.place_order))
    """, locked="checkout_source")
    nb.answer("lab01_tables_answer", """
    ORDER_WRITES = set()
    ### BEGIN SOLUTION
    ORDER_WRITES = {"orders", "order_items", "inventory", "payments"}
    ### END SOLUTION
    """)
    nb.tests("lab01_written_tables", 2, """
    from microlab.visible import lab01
    lab01.tables(ORDER_WRITES)
    """)
    nb.md("""
    ## Exercise 2 · Quiz (autograded)

    - **q1.** Why did renaming an inventory column break order placement?
      a) SQLite does not support renames; b) the order code reads the inventory table of the
      shared database directly; c) the column was a primary key; d) requests caches responses.
    - **q2.** Why did sign-up fail after a payment crashed?
      a) users depend on payments in the schema; b) the database locked up; c) sign-up and
      payments run in the same process, so one crash stops both; d) the email was taken.
    - **q3.** What does the monolith give you that services will have to work for?
      a) one local transaction across users, stock, orders and payments; b) independent
      deployments; c) independent scaling; d) technology diversity.

    Set `QUIZ = {"q1": ..., "q2": ..., "q3": ...}` with one letter each.
    """)
    nb.answer("lab01_quiz_answer", """
    QUIZ = {"q1": None, "q2": None, "q3": None}
    ### BEGIN SOLUTION
    QUIZ = {"q1": "b", "q2": "c", "q3": "a"}
    ### END SOLUTION
    """)
    nb.tests("lab01_quiz", 3, """
    from microlab.visible import lab01
    lab01.quiz(QUIZ)
    """)
    nb.md("""
    ## Exercise 3 · Point out the coupling (written, graded by your instructor)

    In a few sentences: name two kinds of coupling you *saw* in this notebook, and for each
    say what a split into services would change, and what it would cost.
    """)
    nb.written("lab01_coupling", """
    YOUR ANSWER HERE
    """, points=3)
    nb.md("## Self-check")
    nb.code("""
    from microlab.selfcheck import summary
    summary(["lab01_written_tables", "lab01_quiz"]);
    """, locked="self_check")
    nb.md("## Cleanup")
    nb.code("""
    db.dispose()
    lab.down()
    """, locked="cleanup")
    nb.md("""
    ## Key takeaways

    - A monolith is one codebase, one process and one database: simple to build, run and
      keep consistent (one local transaction does it all).
    - Its costs grow with it: a change in one area breaks another through shared tables; a
      crash anywhere stops everything; scaling one hot area means scaling all of it.
    - Microservices answer these with independent deployment, failure isolation, independent
      scaling and a database per service, and pay for it with distribution (notebooks 02-03).
    """)
    return nb
