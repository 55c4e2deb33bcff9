"""03-sync-communication: REST calls between services, timeouts, retries, circuit breakers."""
import lab03_exercises as exercises
from nbbuild import Notebook


def notebook() -> Notebook:
    nb = Notebook("lab03")
    nb.md("""
    # 03 · Synchronous communication: calls, timeouts, retries and circuit breakers

    **Learning objectives.** After this notebook you can
    - call one service from another over REST with `requests`, and map each answer
      (200, 404, 5xx, no answer at all) to what the caller should do;
    - explain why every synchronous call needs a timeout, and *see* a slow dependency
      cascade into its callers;
    - explain when retries with backoff help and when they make an outage worse;
    - implement a circuit breaker (closed / open / half-open) and then use `pybreaker`.

    Everything here runs against the real services on your machine; faults are injected for
    real with `lab.fault(...)`. Time: about 45 minutes.
    """)
    nb.code("""
    import time

    import requests
    from microlab import Lab

    lab = Lab(name="lab03")
    lab.up("services-no-broker")  # synchronous calls only: no Kafka needed here (04 starts it)
    ORDER_SERVICE = lab.url("order-service")
    USER_SERVICE = lab.url("user-service")
    print(lab.status())
    """, locked="setup")
    nb.md("""
    Keep the lab's dashboard in view while you work: the faults you inject below show up in
    its request lists and its error chart (and its sliders set faults too).
    """)
    nb.code("""
    lab.dashboard()
    """, locked="dashboard")
    nb.md("""
    ## 1. One service calling another

    When you ask order-service for a user's orders, it first asks user-service whether the
    user exists: a synchronous call, made while your request waits.

    ```mermaid
    sequenceDiagram
      participant You as your code
      participant O as order-service
      participant U as user-service
      You->>O: GET /users/{id}/orders
      O->>U: GET /users/{id}  (timeout)
      U-->>O: 200 user | 404
      O-->>You: 200 [orders] | 404 | 503 if user-service is down
    ```

    Let's create a user and an order, then follow the request id through both services'
    logs: the same `X-Request-ID` appears in each hop.
    """)
    nb.code("""
    ada = requests.post(f"{USER_SERVICE}/users", json={"name": "Ada", "email": "ada@example.org"}, timeout=5).json()
    sku = requests.get(f"{lab.url('inventory-service')}/inventory", timeout=5).json()[0]["sku"]
    order = requests.post(f"{ORDER_SERVICE}/orders", json={"user_id": ada["id"], "items": [{"sku": sku, "quantity": 1}]},
                          headers={"X-Request-ID": "lab03-demo-1"}, timeout=5).json()
    print("order:", order)
    for service in ("order-service", "user-service"):
        print(service, "|", [line for line in lab.logs(service, tail=20).splitlines() if "lab03-demo-1" in line])
    """, locked="follow_request")
    exercises.get_user_orders(nb)
    retries(nb)
    cascade(nb)
    exercises.circuit_breaker(nb)
    exercises.pybreaker(nb)
    breaker_cascade(nb)
    nb.md("""
    ## 4. REST or gRPC?

    | | REST + JSON | gRPC |
    |---|---|---|
    | contract | OpenAPI (optional) | `.proto` file (required) |
    | payload | text, human-readable | binary protobuf, compact |
    | transport | HTTP/1.1 or 2 | HTTP/2, streaming both ways |
    | browsers / curl | directly | needs a proxy or tooling |
    | fits | public and simple APIs | hot internal calls, streaming |

    Both are synchronous request/response: everything in this notebook (timeouts, retries,
    breakers, cascades) applies to gRPC just the same.

    ## Self-check
    """)
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

    - A synchronous call makes the caller wait for the callee: give every call a timeout and
      map every outcome (200, 404, 5xx, timeout, refused) to a decision.
    - Slowness cascades up a call chain; timeouts bound the wait, they do not remove the load.
    - Retries with backoff fix transient faults but multiply load during an outage: few,
      spaced, only for idempotent requests.
    - A circuit breaker stops calling a failing dependency for a while and probes it
      (half-open) before trusting it again. Not having one is a common mistake.
    - Prefer a maintained library (`pybreaker`) over your own in production code.
    """)
    return nb


def retries(nb: Notebook) -> None:
    nb.md("""
    ## 2. Retries with backoff, and how they backfire

    A retry turns a *transient* failure (one dropped connection) into a success. With
    exponential backoff the waits grow, so a struggling service gets room to recover: below,
    `wait_exponential(multiplier=0.1)` waits 0.1 s, then 0.2 s, then 0.4 s between the four
    attempts, and `wait_random(0, 0.05)` adds up to 0.05 s of jitter to each wait, so that
    many callers do not retry in lockstep. But retries multiply load: if every caller retries
    three times, a service that is failing because it is overloaded receives up to four times
    the traffic, exactly when it can least take it. Retry only idempotent requests, only a
    few times, with backoff, and never at every layer of a call chain.
    """)
    nb.code("""
    from tenacity import retry, retry_if_exception_type, stop_after_attempt, wait_exponential, wait_random

    def fetch_user(user_id):
        response = requests.get(f"{USER_SERVICE}/users/{user_id}", timeout=2)
        response.raise_for_status()
        return response.json()

    waits = {}  # attempt number -> how long tenacity slept after that attempt failed

    @retry(stop=stop_after_attempt(4), wait=wait_exponential(multiplier=0.1) + wait_random(0, 0.05),
           retry=retry_if_exception_type(requests.HTTPError), reraise=True,
           before_sleep=lambda state: waits.setdefault(state.attempt_number, []).append(state.next_action.sleep))
    def fetch_user_with_retries(user_id):
        return fetch_user(user_id)
    """, locked="retry_definitions")
    nb.md("""
    Now user-service fails half of its requests; we count how many requests it really
    receives (its own log) for 10 logical lookups, with and without retries.
    """)
    nb.code("""
    def requests_seen(user_id):
        return sum(f" GET /users/{user_id} -> " in line for line in lab.logs("user-service", tail=2000).splitlines())

    lab.fault("user-service", error_rate=0.5)
    for label, fetch in (("no retries", fetch_user), ("up to 4 attempts", fetch_user_with_retries)):
        before, ok = requests_seen(ada["id"]), 0
        for _ in range(10):
            try:
                fetch(ada["id"]); ok += 1
            except requests.HTTPError:
                pass
        time.sleep(0.2)  # the service writes its log line just after answering
        print(f"{label:<17} succeeded {ok}/10, user-service received {requests_seen(ada['id']) - before} requests")
    lab.fault("user-service")
    """, locked="retry_demo")
    nb.md("The waits tenacity really slept, after each failed attempt:")
    nb.code("""
    for attempt, slept in sorted(waits.items()):
        print(f"after attempt {attempt}: {min(slept):.3f} to {max(slept):.3f} s ({len(slept)} waits)")
    """, locked="retry_waits")


def cascade(nb: Notebook) -> None:
    nb.md("""
    ## 3. The cascade: a slow dependency makes its callers slow

    Now user-service becomes slower and slower. Every call to order-service waits for it, so
    order-service is slow too, and so is whoever calls order-service: the slowness travels up
    the chain. We measure each request's latency while user-service's added latency ramps up,
    once with no client timeout and once with a 0.5 s timeout (order-service itself gives up on
    user-service after 2 s and answers 503).
    """)
    nb.code("""
    ramp_ms = [0, 200, 500, 1000, 1500, 2500]

    def measure(timeout):
        took = []
        for latency in ramp_ms:
            lab.fault("user-service", latency_ms=latency)
            started = time.perf_counter()
            try:
                requests.get(f"{ORDER_SERVICE}/users/{ada['id']}/orders", timeout=timeout)
            except requests.Timeout:
                pass
            took.append(time.perf_counter() - started)
        lab.fault("user-service")
        return took
    """, locked="cascade_measure")
    nb.code("""
    from microlab import plots

    without_timeout, with_timeout = measure(None), measure(0.5)
    plots.cascade(ramp_ms, {"no client timeout": without_timeout, "client timeout 0.5 s": with_timeout})
    """, locked="cascade_plot")
    nb.md("""
    Without a timeout, the caller's wait tracks the slowest service downstream (capped only
    because order-service has its own 2 s timeout). With a timeout the caller's wait is
    bounded, but it still sends every request to a service that is already struggling. That
    is what a circuit breaker adds: after repeated failures, stop calling for a while.
    """)


def breaker_cascade(nb: Notebook) -> None:
    nb.md("""
    ### The cascade again, with a breaker

    The same ramp as in section 3, longer, with a 0.5 s client timeout: once without a breaker
    and once through a `pybreaker` breaker that opens after two failures. Without it, every
    lookup waits out its timeout; with it, the lookups after the second failure fail at once,
    and user-service gets a rest instead of more requests.
    """)
    nb.code("""
    import pybreaker
    from microlab.lessons.cascade import timed_under_latency

    breaker_ramp_ms = ramp_ms + [2500, 2500, 2500]
    demo_breaker = pybreaker.CircuitBreaker(fail_max=2, reset_timeout=60)
    answered = (requests.RequestException, pybreaker.CircuitBreakerError)  # a timeout, an open breaker

    def lookup():
        return requests.get(f"{ORDER_SERVICE}/users/{ada['id']}/orders", timeout=0.5)

    plots.cascade(breaker_ramp_ms, {
        "timeout 0.5 s": timed_under_latency(lab, "user-service", breaker_ramp_ms, lookup, answered),
        "timeout 0.5 s + circuit breaker": timed_under_latency(
            lab, "user-service", breaker_ramp_ms, lambda: demo_breaker.call(lookup), answered)})
    """, locked="cascade_breaker_plot")
