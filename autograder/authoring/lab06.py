"""06-api-gateway: one front door, Kong's declarative config, rate limits, JWT, the hop's
cost, the strangler fig, and backends for frontends."""
import lab06_exercises as exercises
from nbbuild import Notebook


def notebook() -> Notebook:
    nb = Notebook("lab06")
    nb.md("""
    # 06 · The API gateway and backends for frontends

    **Learning objectives.** After this notebook you can
    - route clients to services through one gateway configured in Kong's declarative format,
      and explain `strip_path`;
    - validate a config and apply it to a running gateway without a restart;
    - put rate limiting and JWT authentication at the edge, and show that refused requests
      never reach a service;
    - measure what the extra hop costs;
    - move a monolith's paths to services behind the gateway, one at a time (the strangler fig);
    - give each kind of client its own gateway (BFF), and aggregate calls for a mobile app.

    Everything runs on your machine: the four services, the gateways, real HTTP.
    Time: about 60 minutes.
    """)
    nb.code("""
    import uuid
    from pathlib import Path

    import jwt
    import requests
    import microlab
    from microlab import Lab, LabError, consistency
    from microlab.lessons import gateway_tour

    lab = Lab(name="lab06")
    lab.up("services")
    GATEWAY = lab.url("gateway")
    """, locked="setup")
    nb.code("""
    customer = consistency.new_user(lab)
    order = consistency.place_order(lab, customer)
    ORDERS_PER_SECOND = 5
    CONSUMERS = {"web-app": {"key": "web-app-key", "secret": "web-app-secret-change-me-before-production"},
                 "mobile-app": {"key": "mobile-app-key", "secret": "mobile-app-secret-change-me-before-production"}}
    """, locked="apps")
    front_door(nb)
    validation(nb)
    rate_limiting(nb)
    tokens(nb)
    hop_cost(nb)
    exercises.gateway_config(nb)
    exercises.make_token(nb)
    strangler(nb)
    bff(nb)
    exercises.mobile_surface(nb)
    exercises.home_bff(nb)
    one_call(nb)
    nb.md("## Self-check")
    nb.code(f"""
    from microlab.selfcheck import summary
    summary(["{exercises.G1}", "{exercises.G2}", "{exercises.G3}", "{exercises.G4}"]);
    """, locked="self_check")
    nb.md("## Cleanup")
    nb.code("""
    lab.down()
    """, locked="cleanup")
    nb.md("""
    ## Key takeaways

    - The gateway is the single entry point: clients know one address; routes map paths to
      services, and `strip_path` decides what path the service sees.
    - Cross-cutting concerns live at the edge, once: a refused request (no token, over the
      limit) costs the service nothing, because it never arrives.
    - A config is code: validate it, apply it without a restart, and keep the old one when
      the new one is wrong.
    - Each hop costs a little latency; count the hops before adding one.
    - The strangler fig moves a monolith one path at a time; clients do not notice.
    - Different clients get different gateways (BFF); aggregation is a service of its own,
      because Kong routes and guards but does not compose responses.
    """)
    return nb


def front_door(nb: Notebook) -> None:
    nb.md("""
    ## 1. One front door

    The course text: *"An API Gateway serves as the single entry point for client requests.
    It handles cross-cutting concerns like authentication, rate limiting, request routing,
    and response aggregation."* The `services` lab already runs one, configured by the
    shop's `kong.yml` (Kong's declarative format, the same file real Kong loads):
    """)
    nb.code("""
    SHOP_CONFIG = (Path(microlab.__file__).parent / "gateway" / "kong.yml").read_text()
    print(SHOP_CONFIG)
    """, locked="shop_config")
    nb.md("""
    A client calls `/api/v1/users/{id}` on the gateway; the route `users-route` matches the
    prefix `/api/v1/users`; with `strip_path` (on by default) the prefix is removed and the
    rest joined onto the service's URL path, `/users`. user-service's own log shows the
    path it received:
    """)
    nb.code("""
    print(requests.get(f"{GATEWAY}/api/v1/users/{customer}", timeout=5).json())
    print(gateway_tour.both_paths(lab, f"/api/v1/users/{customer}"))
    """, locked="strip_path")


def validation(nb: Notebook) -> None:
    nb.md("""
    ## 2. The course's example, validated

    The course text shows this Kong configuration:
    """)
    nb.code("""
    print(gateway_tour.COURSE_SNIPPET)
    print(lab.gateway.validate(gateway_tour.COURSE_SNIPPET))
    """, locked="course_snippet")
    nb.md("""
    Every problem at once, in Kong's words: real Kong refuses the file for the same reasons.
    A gateway that is running keeps its config when a new one is refused:
    """)
    nb.code("""
    try:
        lab.gateway.apply(gateway_tour.COURSE_SNIPPET)
    except LabError as refused:
        print(refused)
    print("still routing:", requests.get(f"{GATEWAY}/api/v1/users/{customer}", timeout=5).status_code)
    """, locked="refused")
    nb.md("""
    The fix: declare the format version, and give the jwt plugin someone to authenticate, a
    **consumer** holding a JWT secret (its `key` is what a token's `iss` claim names):
    """)
    nb.code("""
    COURSE_FIXED = (Path(microlab.__file__).parent / "gateway" / "examples" / "course.yml").read_text()
    print(COURSE_FIXED)
    print(lab.gateway.validate(COURSE_FIXED))
    """, locked="course_fixed")


def rate_limiting(nb: Notebook) -> None:
    nb.md("""
    ## 3. Rate limiting at the edge

    First the limit alone: at most 100 requests a minute on the users route. Kong counts
    per clock minute, so we wait until the minute has room for a burst, then send 120
    requests:
    """)
    nb.code('''
    RATE_LIMITED = """
    _format_version: "3.0"
    services:
      - name: user-service
        url: http://user-service:8080/users
        routes:
          - name: users-route
            paths: ["/api/v1/users"]
        plugins:
          - name: rate-limiting
            config:
              minute: 100
    """
    ''', locked="rate_limited")
    nb.code("""
    lab.gateway.apply(RATE_LIMITED)
    gateway_tour.wait_for_fresh_minute()
    burst = gateway_tour.burst(f"{GATEWAY}/api/v1/users/{customer}", n=120)
    print(burst)
    """, locked="burst")
    nb.code("""
    print(burst.first_refusal())
    gateway_tour.plot_admissions(burst);
    """, locked="refusal")
    nb.md("""
    The 429 says when to come back (`Retry-After`) and how much is left (`RateLimit-*`).
    And user-service never saw the refused ones: its own log holds the admitted requests'
    ids, and none of the others.
    """)
    nb.code("""
    print(gateway_tour.reached(lab, "user-service", burst))
    """, locked="reached")


def tokens(nb: Notebook) -> None:
    nb.md("""
    ## 4. JWT at the edge

    Now the course's example, fixed. A token is signed with the consumer's secret (PyJWT
    does it); the gateway checks the signature and finds the consumer by the `iss` claim.
    Six tokens, six answers:
    """)
    nb.code("""
    lab.gateway.apply(COURSE_FIXED)
    users_url = f"{GATEWAY}/api/v1/users/{customer}"
    print(gateway_tour.jwt_cases(users_url, "shop-frontend-key", "change-me-in-class-to-32-random-bytes"))
    """, locked="jwt_cases")
    nb.md("""
    Look at the expired token: it got through. Kong checks `exp` only when the plugin's
    `claims_to_verify` lists it, and the course's example does not. Add it:
    """)
    nb.code("""
    EXP = "secret_is_base64: false\\n          claims_to_verify: [exp]"
    VERIFIED = COURSE_FIXED.replace("secret_is_base64: false", EXP)
    lab.gateway.apply(VERIFIED)
    print(gateway_tour.jwt_cases(users_url, "shop-frontend-key", "change-me-in-class-to-32-random-bytes"))
    """, locked="jwt_exp")


def hop_cost(nb: Notebook) -> None:
    nb.md("""
    ## 5. What the hop costs

    Every request through the gateway is one more network hop and one more process. With
    the shop's plain config back, 300 calls straight to user-service and 300 through the
    gateway:
    """)
    nb.code("""
    lab.gateway.apply(SHOP_CONFIG)
    hops = gateway_tour.hop_latency(lab, n=300, path=f"/users/{customer}")
    print(gateway_tour.hop_summary(hops))
    gateway_tour.plot_hops(hops);
    """, locked="hops")
    nb.md("""
    About a millisecond: cheap next to what it saves each service (authentication, limits,
    TLS, logging written once). But hops add up: a call chain through five services pays
    it five times (07 measures it).
    """)


def strangler(nb: Notebook) -> None:
    nb.md("""
    ## 6. The strangler fig

    A monolith is rarely rewritten at once. Instead the gateway goes in front of it, and
    paths move to new services one at a time, like a strangler fig growing around a tree.
    Here the monolith runs beside the services; the gateway sends everything under
    `/api/v1` to it, except inventory, which already moved (Kong picks the longest matching
    path). A client that only knows the gateway:
    """)
    nb.code("""
    lab.up("monolith")
    print(gateway_tour.strangler_config(moved=("inventory",)))
    lab.gateway.apply(gateway_tour.strangler_config(moved=("inventory",)))
    print(gateway_tour.journey(lab))
    """, locked="strangler_start")
    nb.md("""
    Now move users too (try adding `"orders"` as well, and see what the monolith still
    answers). The client changes nothing. A real migration also moves the data: here the
    journey creates a new user each time, so each side finds its own.
    """)
    nb.code("""
    MOVED = ("inventory", "users")
    lab.gateway.apply(gateway_tour.strangler_config(moved=MOVED))
    print(gateway_tour.journey(lab))
    """)


def bff(nb: Notebook) -> None:
    nb.md("""
    ## 7. Backends for frontends

    *"The gateway also enables backend-for-frontend (BFF) patterns, where different
    gateways serve different clients (mobile, web, partner APIs) with optimized
    responses."* The `bff` stack adds two gateways: `web-gateway` (the whole API, CORS for
    the web shop's origin) and `mobile-gateway` (only what the app needs, under `/m`, with
    a tighter limit). Their surfaces differ:
    """)
    nb.code("""
    lab.up("bff")
    print(gateway_tour.surface(lab))
    for name, path in (("web-gateway", "/api/v1/inventory"), ("mobile-gateway", "/m/inventory")):
        answer = requests.get(lab.url(name) + path, headers={"Origin": "http://localhost:3000"}, timeout=5)
        print(f"{name:15} RateLimit-Limit: {answer.headers.get('RateLimit-Limit', 'none'):5} "
              f"CORS: {answer.headers.get('Access-Control-Allow-Origin', 'none')}")
    """, locked="surfaces")
    nb.md("""
    Aggregating answers is not something Kong does (it routes, guards and transforms
    headers); a BFF that composes calls is a small service of its own, behind the client's
    gateway. The mobile app's home screen needs three calls today:
    """)
    nb.code("""
    THREE = {"user-service": f"/users/{customer}", "order-service": f"/users/{customer}/orders",
             "inventory-service": "/inventory"}
    for service, path in THREE.items():
        print(service, path, requests.get(f"{lab.url(service)}{path}", timeout=5).status_code)
    """, locked="three_calls")


def one_call(nb: Notebook) -> None:
    nb.md("""
    One call from the phone; inside the lab, your BFF's three calls (and order-service's own
    call to user-service), each carrying the same request id, which the trace follows:
    """)
    nb.code("""
    rid = f"home-{uuid.uuid4().hex[:8]}"
    requests.get(f"{lab.url('mobile-gateway')}/m/home/{customer}", headers={"X-Request-ID": rid}, timeout=10)
    print(lab.trace(rid))
    """, locked="one_call")
