"""The exercises of 07-operating-microservices (the rest is in lab07.py)."""
from nbbuild import Notebook

G1, G2, G3 = "lab07_diagnose", "lab07_trace", "lab07_resilience"
WRITTEN = "lab07_when_not"

LOG_LINE = r'''
    LINE = re.compile(r"^(?P<stamp>\S+ \S+) \S+ (?P<service>\S+) request_id=(?P<rid>\S+) "
                      r"(?P<method>[A-Z]+) (?P<path>\S+) -> (?P<status>\d{3}) \((?P<ms>[\d.]+) ms\)")
'''


def diagnose(nb: Notebook) -> None:
    nb.md("""
    ## Exercise 1 · Incident: what is wrong? (autograded)

    Something is wrong in one of the four services: it answers slowly (`"latency"`), it
    fails a share of its requests with 500 (`"errors"`), or its Kafka consumer stopped
    taking events while its HTTP side looks fine (`"consumer"`). Write
    `diagnose(snapshot)`, which looks only at a snapshot (as `incident.snapshot` makes it:
    `logs`, `health`, `lag` and `events`) and returns

    ```python
    {"service": "payment-service", "fault": "latency", "evidence": "<a request id>"}
    ```

    The evidence is one request id from the snapshot that shows the fault: a request the
    faulty service logged as taking a second or more (latency) or answering 500 (errors),
    or, for a stopped consumer, an order placed during the incident (`POST /orders` in
    order-service's log) whose saga stalled. Careful: a failing or slow service makes its
    callers fail or slow down too; name the cause, not a victim. The grader injects two
    incidents of its own (service and kind drawn for you), takes its own snapshots, and
    checks your evidence in the real service's log.

    Practise: `incident = mystery_fault(lab)`, then `diagnose(snapshot(lab, since=incident))`,
    then `incident.reveal()` and `incident.clear()`.
    """)
    nb.answer("lab07_diagnose_answer", '''
    import re
    ''' + LOG_LINE + '''

    def diagnose(snapshot):
        """{"service", "fault", "evidence"} for the incident the snapshot shows."""
        ### BEGIN SOLUTION
        requests = {s: [m for m in map(LINE.match, text.splitlines()) if m] for s, text in snapshot["logs"].items()}
        failing = {s: [m for m in found if m["status"] == "500"] for s, found in requests.items()}
        worst = max(failing, key=lambda s: len(failing[s]))
        if failing[worst]:
            return {"service": worst, "fault": "errors", "evidence": failing[worst][0]["rid"]}
        # the slow service is slow on every request; its callers only on the calls to it
        slow = {s: found for s, found in requests.items() if found and min(float(m["ms"]) for m in found) >= 1000}
        if slow:
            service = next(iter(slow))
            return {"service": service, "fault": "latency", "evidence": slow[service][0]["rid"]}
        stuck = max(snapshot["lag"], key=lambda s: snapshot["lag"][s] or 0)
        placed = [m for m in requests["order-service"] if m["method"] == "POST" and m["status"] == "201"]
        return {"service": stuck, "fault": "consumer", "evidence": placed[-1]["rid"] if placed else None}
        ### END SOLUTION
    ''')
    nb.code("""
    practice = incident.mystery_fault(lab, seed=7)
    print(diagnose(incident.snapshot(lab, since=practice)))
    print("it was:", practice.reveal())
    practice.clear()
    """, locked="practice")
    nb.tests(G1, 3, """
    from microlab.visible import lab07
    lab07.diagnosis(diagnose, lab);
    """)


def trace(nb: Notebook) -> None:
    nb.md("""
    ## Exercise 2 · `trace(request_id, snapshot)` (autograded)

    Without a tracing system, the logs are the trace. Write `trace(request_id, snapshot)`:
    the list, **in time order**, of

    - every request a service logged with that request id, as
      `"<service> <METHOD> <path> <status>"` (e.g. `"order-service POST /orders 201"`), placed
      at its **start** (a line is written when the answer leaves: start = time - duration);
    - every saga event about an order that request created (the events whose `order_id` is
      that of an event carrying the `request_id`), as `"<topic> <event_type>"` (e.g.
      `"orders order.created"`), placed at its `timestamp`.

    Write it with the standard library: `lab.trace` and `microlab.trace` do this for you, and
    the grader does not accept them here. The grader places orders through the gateway
    with request ids of its own, and compares with what it knows happened.
    """)
    nb.answer("lab07_trace_answer", '''
    import re
    from datetime import datetime
    ''' + LOG_LINE + '''

    def trace(request_id, snapshot):
        """The steps of one request across the services and the saga's events, oldest first."""
        ### BEGIN SOLUTION
        steps = []
        for service, text in snapshot["logs"].items():
            for found in map(LINE.match, text.splitlines()):
                if found and found["rid"] == request_id:
                    end = datetime.strptime(found["stamp"], "%Y-%m-%d %H:%M:%S,%f").astimezone().timestamp()
                    what = f"{service} {found['method']} {found['path']} {found['status']}"
                    steps.append((end - float(found["ms"]) / 1000, what))
        every = [e for events in snapshot["events"].values() for e in events if isinstance(e["value"], dict)]
        orders = {e["value"].get("order_id") for e in every if e["value"].get("request_id") == request_id}
        for e in every:
            if e["value"].get("order_id") in orders:
                at = datetime.fromisoformat(e["timestamp"]).timestamp()
                steps.append((at, f"{e['topic']} {e['value'].get('event_type')}"))
        return [what for _, what in sorted(steps)]
        ### END SOLUTION
    ''')
    nb.code("""
    rid = f"trace-{uuid.uuid4().hex[:8]}"
    placed = requests.post(f"{GATEWAY}/api/v1/orders", headers={"X-Request-ID": rid}, timeout=10,
                           json={"user_id": customer, "items": [{"sku": "SKU-BOOK", "quantity": 1}]}).json()
    consistency.wait_for_status(lab, placed["id"])
    for step in trace(rid, incident.snapshot(lab)) or []:
        print(step)
    """, locked="trace_one")
    nb.tests(G2, 3, """
    from microlab.visible import lab07
    lab07.tracing(trace, lab);
    """)


def resilience(nb: Notebook) -> None:
    nb.md("""
    ## Exercise 3 · Meet a resilience target (autograded)

    Write `GREETING`, a service (a FastAPI `app`) with `GET /greeting/{user_id}`, answering

    ```json
    {"user_id": 7, "name": "Ada", "degraded": false, "in_stock": 5}
    ```

    `name` comes from user-service (`GET /users/{user_id}`), `in_stock` is how many of
    inventory-service's items (`GET /inventory`) have stock above 0. When user-service is
    slow or failing, answer anyway with `"name": null, "degraded": true` (a fallback).

    The target, measured by the grader's own load on your deployed service while
    user-service is slowed by 1.5 s and fails 30% of its requests: **p95 under 600 ms** and
    **at least 95% answers without error**; and user-service's own log must show that a
    **circuit breaker** held calls back (far fewer calls reached it than greetings were
    asked). Once user-service is healthy again, real names must come back within 15 s.
    With user-service healthy, names must be real. `pybreaker` is installed;
    `USER_SERVICE_URL` and `INVENTORY_SERVICE_URL` say where the services answer.
    """)
    nb.answer("lab07_resilience_answer", """
    GREETING = '''
    import os

    import httpx
    import pybreaker
    from fastapi import FastAPI

    USERS = os.environ["USER_SERVICE_URL"]
    INVENTORY = os.environ["INVENTORY_SERVICE_URL"]

    app = FastAPI()
    # your GET /greeting/{user_id}, and what protects its calls to user-service
    ### BEGIN SOLUTION
    breaker = pybreaker.CircuitBreaker(fail_max=3, reset_timeout=5)
    client = httpx.Client(timeout=0.3)


    @breaker
    def _user(user_id):
        response = client.get(f"{USERS}/users/{user_id}")
        response.raise_for_status()
        return response.json()


    @app.get("/greeting/{user_id}")
    def greeting(user_id: int):
        try:
            name, degraded = _user(user_id)["name"], False
        except (pybreaker.CircuitBreakerError, httpx.HTTPError):
            name, degraded = None, True
        stock = client.get(f"{INVENTORY}/inventory").json()
        return {"user_id": user_id, "name": name, "degraded": degraded,
                "in_stock": sum(1 for item in stock if item["stock"] > 0)}
        ### END SOLUTION
    '''
    """)
    nb.code("""
    lab.deploy("greeting", GREETING)
    print(requests.get(f"{lab.url('greeting')}/greeting/{customer}", timeout=5).json())
    """, locked="deploy_greeting")
    nb.tests(G3, 4, """
    from microlab.visible import lab07
    lab07.resilience(lab, customer);
    """)


def when_not(nb: Notebook) -> None:
    nb.md("""
    ## Exercise 4 · When not to use microservices (written, graded by your instructor)

    A three-person startup is building its first product, an online booking system for
    small hotels, and asks you whether to build it as microservices "like the big
    players". In 6-10 sentences, answer them: what would you build first, and why? Use at
    least two things you measured in this course (a number from 06 or 07, or from the
    benchmarks), name what would make you split a service out later, and what that split
    would then cost.
    """)
    nb.written(WRITTEN, """
    ### BEGIN SOLUTION
    A model answer: start with a modular monolith: one deployable, one database, clear
    modules along the bounded contexts (bookings, rooms, payments, guests) and no
    cross-module table access. Three people cannot operate what 07 counted for the
    services (five processes, a broker, five databases, several config files and log
    streams against one process and one database), and every extra hop costs latency
    (06: about half a millisecond per gateway hop; 07: p99 grows with each hop) and
    availability (0.999^5 is 99.5%: about 3.6 hours down a month). Split a module out
    when it needs to scale or be released independently (payments under a separate
    compliance regime, a search feature with a different load), or when a separate team
    owns it; the split then costs a network contract, retries/timeouts/breakers, an
    outbox and a saga where a transaction was, and the operational work of one more
    service.

    Rubric (3 points):
    - 1 point: a clear recommendation (monolith or modular monolith first) tied to the
      team's size and stage.
    - 1 point: at least two measured figures from the course used as evidence (latency
      per hop, availability compounding, count of things to run, start-up time, memory).
    - 1 point: a concrete trigger for splitting later, and what the split costs
      (distributed transactions, operations, network failure handling).
    ### END SOLUTION
    """, points=3)
