"""The three autograded exercises of 03-sync-communication (the rest is in lab03.py)."""
from nbbuild import Notebook

G1, G2, G3 = "lab03_get_user_orders", "lab03_circuit_breaker", "lab03_pybreaker"


def get_user_orders(nb: Notebook) -> None:
    nb.md("""
    ## Exercise 1 · `get_user_orders` (autograded)

    This exercise reproduces the course text's example (its code is quoted almost as is;
    only the base URL changes to the lab's order service). Complete `get_user_orders(user_id)`:

    - call `GET {ORDER_SERVICE}/users/{user_id}/orders` with `timeout=5`;
    - **200** → return the JSON list; **404** → return `[]` (an unknown user has no orders);
    - **anything else** → raise `ServiceError`, the class in the cell below. "Anything else"
      includes getting no answer at all: a timeout or a refused connection must also become
      `ServiceError` (the course text's version would let `requests`' own exception escape).

    The check cell tries a real user and an unknown one in your lab. The grader calls your
    function in a lab of its own while it breaks that lab in ways it varies: order-service
    answering 500; a gateway answering 502 in front of a stopped order-service; 503 when the
    user-service behind order-service fails; order-service stopped; answers slower than the
    5 s timeout, and slow ones within it. It uses its own copy of the cell below: only that
    `ServiceError` counts, so redefining the name in your answer changes nothing.
    """)
    nb.code("""
    class ServiceError(Exception):
        \"\"\"A dependency failed: it answered with an error, too late, or not at all.\"\"\"
    """, locked="service_error")
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
    nb.tests(G1, 5, """
    from microlab.visible import lab03
    lab03.user_orders(get_user_orders, lab);
    """)


def circuit_breaker(nb: Notebook) -> None:
    nb.md("""
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

    The check cell tries one breaker in your notebook. The grader builds yours with other
    thresholds and reset timeouts than the defaults (say `failure_threshold=4,
    reset_timeout=0.6`), so use the constructor's arguments; it counts the calls that really
    reach the dependency, including requests to a failing user-service of its own, read from
    that service's log. Raise the `CircuitOpenError` of the cell below (the grader uses its
    own copy of that cell).
    """)
    nb.code("""
    class CircuitOpenError(Exception):
        \"\"\"Raised instead of calling a dependency while the breaker is open.\"\"\"
    """, locked="circuit_open_error")
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
    nb.tests(G2, 5, """
    from microlab.visible import lab03
    lab03.circuit_breaker(CircuitBreaker, CircuitOpenError);
    """)


def pybreaker(nb: Notebook) -> None:
    nb.md("""
    ## Exercise 3 · The same with `pybreaker` (autograded)

    In real code, use a maintained library. Create `user_breaker`, a
    `pybreaker.CircuitBreaker` with `fail_max=3` and `reset_timeout=10`, and write
    `fetch_user_protected(user_id)` that calls `fetch_user` (defined in section 2) through it.
    The grader makes its own user-service fail and reads that service's log: once your
    breaker is open, no request may reach it.
    """)
    nb.answer("lab03_pybreaker_answer", """
    import pybreaker

    user_breaker = None  # a pybreaker.CircuitBreaker
    ### BEGIN SOLUTION
    user_breaker = pybreaker.CircuitBreaker(fail_max=3, reset_timeout=10)
    ### END SOLUTION

    def fetch_user_protected(user_id):
        ### BEGIN SOLUTION
        return user_breaker.call(fetch_user, user_id)
        ### END SOLUTION
    """)
    nb.tests(G3, 2, """
    from microlab.visible import lab03
    lab03.with_pybreaker(user_breaker, fetch_user_protected, ada["id"]);
    """)
