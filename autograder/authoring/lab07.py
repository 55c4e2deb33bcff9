"""07-operating-microservices: the course text's common mistakes, each shown live and measured,
then an incident to diagnose, a trace from logs, a resilience target, and a capstone."""
import lab07_exercises as exercises
from nbbuild import Notebook


def notebook() -> Notebook:
    nb = Notebook("lab07")
    nb.md("""
    # 07 · Operating microservices

    **Learning objectives.** After this notebook you can
    - put numbers on the cost of many small services: latency per hop, availability
      compounding, and how much there is to run;
    - show how a slow dependency exhausts a service's threads, and contain it with a
      circuit breaker, a bulkhead and a fallback;
    - recognise a retry storm, stuck sagas and read-your-writes surprises;
    - find an incident's cause from logs, events and health, and follow one request
      through the logs;
    - argue when not to use microservices.

    The course text's common mistakes are this notebook's chapters. Time: about 75 minutes.
    """)
    nb.code("""
    import uuid

    import requests
    from microlab import Lab, consistency, incident
    from microlab.lessons import capstone, operations

    lab = Lab(name="lab07")
    lab.up("services")
    GATEWAY = lab.url("gateway")
    customer = consistency.new_user(lab)
    """, locked="setup")
    nanoservices(nb)
    breakers(nb)
    exercises.resilience(nb)
    retry_storm(nb)
    consistency_section(nb)
    observability(nb)
    exercises.trace(nb)
    exercises.diagnose(nb)
    exercises.when_not(nb)
    final(nb)
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

    - Every service boundary is a network hop: latency adds up, availability multiplies
      down, and each service is one more thing to deploy, watch and wake up for.
    - A synchronous call without a timeout, a breaker and a bulkhead lets one slow
      dependency take down services that do not even need it.
    - Retries belong in one layer, with backoff and a budget; at every layer they multiply.
    - Sagas get stuck and reads lag writes: measure it, reconcile, and tell users the truth
      ("pending").
    - Without request ids in every log line you cannot follow a request; health says a
      process is alive, not that it does its work.
    - Start with a monolith (modular, with clear boundaries); split when a real need pays
      for the cost you measured here.
    """)
    return nb


def nanoservices(nb: Notebook) -> None:
    nb.md("""
    ## 1. Nanoservices: what each boundary costs

    The course text: *"Creating services that are too fine-grained ("nanoservices"),
    increasing operational complexity."* First latency: a request relayed through 0 to 5
    tiny services before it reaches user-service.
    """)
    nb.code("""
    hops = operations.hop_chain(lab, max_hops=5, n=100, user_id=customer)
    print(operations.hops_table(hops))
    operations.plot_hops(hops);
    """, locked="hops")
    nb.md("""
    Then availability: if each service is up 99.9% of the time and a request needs all of
    them, the request succeeds only when every one is up:
    """)
    nb.code("""
    print(operations.availability(per_service=0.999, up_to=10))
    operations.plot_availability();
    """, locked="availability")
    nb.md("And what there is to run, the monolith against the services:")
    nb.code("""
    operations.remove_hops(lab)
    print(operations.what_to_run(lab))
    """, locked="what_to_run")


def breakers(nb: Notebook) -> None:
    nb.md("""
    ## 2. No circuit breaker, under concurrency

    *"Not implementing circuit breakers for synchronous calls between services."* In 03 one
    slow call was slow. Under load it is worse: each waiting call holds a worker thread
    (a FastAPI service has 40 for its plain `def` endpoints), and once all are waiting,
    endpoints that never call the slow service wait too. order-service as it is: 40 clients
    on `GET /users/{id}/orders` (it asks user-service whether the user exists, with a 2 s
    timeout) while user-service takes 3 s, and a probe on `GET /orders/{id}`, which needs
    only order-service's own database, every 100 ms:
    """)
    nb.code("""
    before = operations.under_load(lab, "order-service", clients=40, duration_s=6, slow_ms=3000,
                                   paths=("/users/{id}/orders", "/orders/{order}"))
    print(before)
    """, locked="under_load")
    nb.md("""
    `GET /orders/{id}` did not need user-service, and still waited seconds. The fix is 03's
    circuit breaker plus a **bulkhead**: at most 5 calls to user-service at once, the rest
    answered at once with a fallback. The same load on a service built that way
    (`/profile/{id}` calls user-service, `/local` calls nobody):
    """)
    nb.code("""
    operations.deploy_profiles(lab)
    print(operations.GUARDED)
    after = operations.under_load(lab, "profile-guarded", clients=40, duration_s=6, slow_ms=3000)
    print(after)
    operations.plot_load(before, after);
    """, locked="guarded")


def retry_storm(nb: Notebook) -> None:
    nb.md("""
    ## 3. A retry storm

    Retries are a good idea at one layer. Here two services each retry a failing call 3
    times, and the client retries too; user-service, which is failing, gets it all:
    """)
    nb.code("""
    print(operations.retry_storm(lab, layers=2, attempts=3, calls=10))
    """, locked="retry_storm")
    nb.md("""
    3 x 3 = 9 requests for one call, 27 when the client retries as well: exactly when the
    bottom service is already struggling. Retry in one place, with backoff and a budget,
    and let a breaker stop the rest.
    """)


def consistency_section(nb: Notebook) -> None:
    nb.md("""
    ## 4. Ignoring consistency

    *"Ignoring data consistency challenges in distributed transactions."* With
    payment-service stopped, orders are accepted and then wait, halfway through the saga:
    """)
    nb.code("""
    print(operations.stuck_saga(lab))
    """, locked="stuck_saga")
    nb.md("And a client that reads right after it wrote sees the past:")
    nb.code("""
    print(operations.read_your_writes(lab))
    """, locked="read_your_writes")
    nb.md("""
    05's reconciliation finds what never converges; the API should say "pending" rather
    than pretend.
    """)


def observability(nb: Notebook) -> None:
    nb.md("""
    ## 5. Operational complexity: logs, health and readiness

    *"Underestimating the operational complexity of managing many services."* One order
    through the gateway touches four services and three topics; its request id, in every
    log line and event, is the only thread through them:
    """)
    nb.code("""
    rid = f"order-{uuid.uuid4().hex[:8]}"
    requests.post(f"{GATEWAY}/api/v1/orders", headers={"X-Request-ID": rid}, timeout=10,
                  json={"user_id": customer, "items": [{"sku": "SKU-MUG", "quantity": 1}]})
    print(operations.timeline(lab, rid))
    """, locked="timeline")
    nb.md("""
    `/health` says a process is alive and reaches its database. It does not say the
    service does its work: here payment-service's consumer stops taking events, and its
    health stays green while orders pile up:
    """)
    nb.code("""
    lab.fault("payment-service", consumer_paused=True)
    waiting = consistency.place_order(lab, customer)
    consistency.wait_for_status(lab, waiting["id"], ("reserved",))  # its event now waits for payment-service
    print(operations.health_vs_readiness(lab))
    lab.fault("payment-service");
    """, locked="readiness")


def final(nb: Notebook) -> None:
    nb.md("""
    ## Capstone (not graded)

    The whole system behind the gateway, a scripted customer journey, a failure injected
    halfway (payment-service down, user-service slow), and the journey again: every step
    must end right, late or not.
    """)
    nb.code("""
    print(capstone.run(lab))
    """, locked="capstone")
