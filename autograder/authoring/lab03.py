"""03-sync-communication: REST calls between services, timeouts, retries, circuit breakers."""
from nbbuild import Notebook, hidden

G1, G2, G3 = "lab03_get_user_orders", "lab03_circuit_breaker", "lab03_pybreaker"


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
    lab.up("services")
    ORDER_SERVICE = lab.url("order-service")
    USER_SERVICE = lab.url("user-service")
    print(lab.status())
    """, locked=True)
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
    """, locked=True)
    nb.md("""
    ## Exercise 1 · `get_user_orders` (autograded)

    This exercise reproduces the course text's example (its code is quoted almost as is;
    only the base URL changes to the lab's order service). Complete `get_user_orders(user_id)`:

    - call `GET {ORDER_SERVICE}/users/{user_id}/orders` with `timeout=5`;
    - **200** → return the JSON list; **404** → return `[]` (an unknown user has no orders);
    - **anything else** → raise `ServiceError`. Here "anything else" includes getting no
      answer at all: a timeout or a refused connection must also become `ServiceError`
      (the course text's version would let `requests`' own exception escape).

    The checks call your function against the live order service while faults are injected:
    a normal user, an unknown user, the service answering 500, the service answering after
    6.5 seconds, and the service stopped.
    """)
    nb.code("""
    class ServiceError(Exception):
        \"\"\"A dependency failed: it answered with an error, too late, or not at all.\"\"\"
    """, locked=True)
    nb.answer("lab03_get_user_orders_answer", """
    def get_user_orders(user_id):
        \"\"\"Retrieve orders for a user from the Order Service.\"\"\"
        ### BEGIN SOLUTION
        try:
            response = requests.get(f"{ORDER_SERVICE}/users/{user_id}/orders", timeout=5)
        except requests.RequestException as exc:
            raise ServiceError(f"Order service unreachable: {exc}") from exc
        if response.status_code == 200:
            return response.json()
        elif response.status_code == 404:
            return []
        else:
            raise ServiceError(f"Order service returned {response.status_code}")
        ### END SOLUTION
    """)
    nb.tests(G1, 5, f"""
    # Visible checks: a real user's orders, and an unknown user. More checks are hidden.
    from microlab_grading import lab03_checks as checks
    checks.visible("{G1}", checks.check_orders_ok, get_user_orders, ServiceError)
    checks.visible("{G1}", checks.check_orders_404, get_user_orders, ServiceError)
    """, hidden("lab03_checks", """
    _checks.check_orders_ok(get_user_orders, ServiceError)
    _checks.check_orders_404(get_user_orders, ServiceError)
    _checks.check_orders_500(get_user_orders, ServiceError)
    _checks.check_orders_slow(get_user_orders, ServiceError)
    _checks.check_orders_down(get_user_orders, ServiceError)"""))
    nb.md("""
    ## 2. Retries with backoff, and how they backfire

    A retry turns a *transient* failure (one dropped connection) into a success. With
    exponential backoff and jitter, the waits grow (0.1 s, 0.2 s, 0.4 s ...) so a struggling
    service gets room to recover. But retries multiply load: if every caller retries three
    times, a service that is failing because it is overloaded receives up to four times the
    traffic, exactly when it can least take it. Retry only idempotent requests, only a few
    times, with backoff, and never at every layer of a call chain.

    Below, user-service fails half of its requests; we count how many requests it really
    receives (its own log) for 10 logical lookups, with and without retries.
    """)
    nb.code("""
    from tenacity import retry, retry_if_exception_type, stop_after_attempt, wait_exponential_jitter

    def fetch_user(user_id):
        response = requests.get(f"{USER_SERVICE}/users/{user_id}", timeout=2)
        response.raise_for_status()
        return response.json()

    @retry(stop=stop_after_attempt(4), wait=wait_exponential_jitter(initial=0.05, max=0.4),
           retry=retry_if_exception_type(requests.HTTPError), reraise=True)
    def fetch_user_with_retries(user_id):
        return fetch_user(user_id)

    def requests_seen(user_id):
        return sum(1 for line in lab.logs("user-service", tail=2000).splitlines() if f" GET /users/{user_id} -> " in line)

    lab.fault("user-service", error_rate=0.5)
    for label, fetch in (("no retries", fetch_user), ("up to 4 attempts", fetch_user_with_retries)):
        before, ok = requests_seen(ada["id"]), 0
        for _ in range(10):
            try:
                fetch(ada["id"]); ok += 1
            except requests.HTTPError:
                pass
        time.sleep(0.2)
        print(f"{label:<17} succeeded {ok}/10, user-service received {requests_seen(ada['id']) - before} requests")
    lab.fault("user-service")
    """, locked=True)
    nb.md("""
    ## 3. The cascade: a slow dependency makes its callers slow

    Now user-service becomes slower and slower. Every call to order-service waits for it, so
    order-service is slow too, and so is whoever calls order-service: the slowness travels up
    the chain. We measure each request's latency while user-service's added latency ramps up,
    once with no client timeout and once with a 0.5 s timeout (order-service itself gives up on
    user-service after 2 s and answers 503).
    """)
    nb.code("""
    import matplotlib.pyplot as plt

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

    without_timeout, with_timeout = measure(None), measure(0.5)
    fig, ax = plt.subplots(figsize=(7, 3.5))
    ax.plot(range(len(ramp_ms)), without_timeout, "o-", label="no client timeout")
    ax.plot(range(len(ramp_ms)), with_timeout, "s-", label="client timeout 0.5 s")
    ax.set_xticks(range(len(ramp_ms)), [f"{ms} ms" for ms in ramp_ms])
    ax.set_xlabel("latency added to user-service (request after request)")
    ax.set_ylabel("order lookup took (s)")
    ax.set_title("A slow user-service makes order lookups slow")
    ax.legend(); plt.tight_layout(); plt.show()
    """, locked=True)
    nb.md("""
    Without a timeout, the caller's wait tracks the slowest service downstream (capped only
    because order-service has its own 2 s timeout). With a timeout the caller's wait is
    bounded, but it still sends every request to a service that is already struggling. That
    is what a circuit breaker adds: after repeated failures, stop calling for a while.

    ## Exercise 2 · A circuit breaker of your own (autograded)

    ```mermaid
    stateDiagram-v2
      [*] --> closed
      closed --> open: failure_threshold consecutive failures
      open --> half_open: reset_timeout elapsed (next call is a trial)
      half_open --> closed: trial succeeds
      half_open --> open: trial fails
    ```

    Implement `CircuitBreaker(failure_threshold=3, reset_timeout=10.0)` with
    `call(fn, *args, **kwargs)` and a `state` attribute that reads `"closed"`, `"open"` or
    `"half-open"`:

    - **closed**: call `fn`; return its result or re-raise its exception. Count *consecutive*
      failures (a success resets the count); at `failure_threshold` failures, open.
    - **open**: raise `CircuitOpenError` *without calling* `fn`, until `reset_timeout`
      seconds have passed since opening; then the next call is a trial (half-open).
    - **half-open**: the trial call goes through; success closes the breaker, failure opens
      it again for another `reset_timeout`.

    The checks drive your breaker against the live user-service with `lab.fault(...)`, and
    count the requests that really reach it.
    """)
    nb.code("""
    class CircuitOpenError(Exception):
        \"\"\"Raised instead of calling a dependency while the breaker is open.\"\"\"
    """, locked=True)
    nb.answer("lab03_circuit_breaker_answer", """
    class CircuitBreaker:
        def __init__(self, failure_threshold=3, reset_timeout=10.0):
            ### BEGIN SOLUTION
            self.failure_threshold = failure_threshold
            self.reset_timeout = reset_timeout
            self.state = "closed"
            self.failures = 0
            self.opened_at = 0.0
            ### END SOLUTION

        def call(self, fn, *args, **kwargs):
            ### BEGIN SOLUTION
            if self.state == "open":
                if time.monotonic() - self.opened_at < self.reset_timeout:
                    raise CircuitOpenError("circuit open: not calling the dependency")
                self.state = "half-open"
            try:
                result = fn(*args, **kwargs)
            except Exception:
                self.failures += 1
                if self.state == "half-open" or self.failures >= self.failure_threshold:
                    self.state, self.opened_at = "open", time.monotonic()
                raise
            self.state, self.failures = "closed", 0
            return result
            ### END SOLUTION
    """)
    nb.tests(G2, 5, f"""
    # Visible checks: passes calls through, opens at the threshold, fails fast. More are hidden.
    from microlab_grading import lab03_checks as checks
    checks.visible("{G2}", checks.check_breaker_opens, CircuitBreaker, CircuitOpenError)
    """, hidden("lab03_checks", """
    _checks.check_breaker_opens(CircuitBreaker, CircuitOpenError)
    _checks.check_breaker_threshold(CircuitBreaker, CircuitOpenError)
    _checks.check_breaker_half_open(CircuitBreaker, CircuitOpenError)"""))
    nb.md("""
    ## Exercise 3 · The same with `pybreaker` (autograded)

    In real code, use a maintained library. Create `user_breaker`, a
    `pybreaker.CircuitBreaker` with `fail_max=3` and `reset_timeout=10`, and write
    `fetch_user_protected(user_id)` that calls `fetch_user` (defined in section 2) through it.
    """)
    nb.answer("lab03_pybreaker_answer", """
    import pybreaker

    ### BEGIN SOLUTION
    user_breaker = pybreaker.CircuitBreaker(fail_max=3, reset_timeout=10)

    def fetch_user_protected(user_id):
        return user_breaker.call(fetch_user, user_id)
    ### END SOLUTION
    """)
    nb.tests(G3, 2, f"""
    from microlab_grading import lab03_checks as checks
    checks.visible("{G3}", checks.check_pybreaker, user_breaker, fetch_user_protected)
    """, hidden("lab03_checks", """
    _checks.check_pybreaker(user_breaker, fetch_user_protected)"""))
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
    from microlab_grading.selfcheck import summary
    summary(["{G1}", "{G2}", "{G3}"]);
    """, locked=True)
    nb.md("## Cleanup")
    nb.code("""
    lab.down()
    """, locked=True)
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
