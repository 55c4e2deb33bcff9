"""The four autograded exercises of 06-api-gateway (the rest is in lab06.py)."""
from nbbuild import Notebook

G1, G2, G3, G4 = "lab06_gateway_config", "lab06_make_token", "lab06_mobile_surface", "lab06_home_bff"


def gateway_config(nb: Notebook) -> None:
    nb.md("""
    ## Exercise 1 · A gateway config that meets a spec (autograded)

    Write the shop's `kong.yml` as the string `KONG_YML`, so that, through the gateway:

    | path | upstream | who may call | what |
    |---|---|---|---|
    | `/api/v1/inventory` | inventory-service `/inventory` | anyone | **GET only** (any other method: no route) |
    | `/api/v1/orders` | order-service `/orders` | callers with a valid JWT | at most `ORDERS_PER_SECOND` requests per second **per consumer** |
    | `/api/v1/payments` | — | nobody | not exposed at all |

    The JWT callers are the two apps of `CONSUMERS` (set up at the top of this notebook): one
    consumer each, with a `jwt_secrets` entry holding its `key` and `secret`. Use the
    variables, not their values: the grader runs your cell with another limit and other
    keys and secrets, applies your `KONG_YML` to a gateway of its own, and probes it:
    anonymous and authenticated calls, a burst of `ORDERS_PER_SECOND + 1` orders calls in
    one second from one app while the other app still gets through, and order-service's
    own log, which must show that no refused request reached it.

    Tip: an f-string fills in the variables (`{ORDERS_PER_SECOND}`), and
    `lab.gateway.validate(KONG_YML)` lists every problem before you apply it.
    """)
    nb.answer("lab06_gateway_config_answer", '''
    KONG_YML = f"""
    ### BEGIN SOLUTION
    _format_version: "3.0"

    services:
      - name: inventory-service
        url: http://inventory-service:8080/inventory
        routes:
          - name: inventory-route
            paths: ["/api/v1/inventory"]
            methods: [GET]

      - name: order-service
        url: http://order-service:8080/orders
        routes:
          - name: orders-route
            paths: ["/api/v1/orders"]
        plugins:
          - name: jwt
            config:
              claims_to_verify: [exp]
          - name: rate-limiting
            config:
              second: {ORDERS_PER_SECOND}
              limit_by: consumer

    consumers:
      - username: web-app
        jwt_secrets:
          - key: {CONSUMERS["web-app"]["key"]}
            secret: {CONSUMERS["web-app"]["secret"]}
      - username: mobile-app
        jwt_secrets:
          - key: {CONSUMERS["mobile-app"]["key"]}
            secret: {CONSUMERS["mobile-app"]["secret"]}
    ### END SOLUTION
    """
    ''')
    nb.code("""
    checked = lab.gateway.validate(KONG_YML)
    print(checked)
    if checked.ok:
        lab.gateway.apply(KONG_YML)
    """, locked="apply_config")
    nb.tests(G1, 6, """
    from microlab.visible import lab06
    lab06.gateway_config(KONG_YML, CONSUMERS, lab);
    """)


def make_token(nb: Notebook) -> None:
    nb.md("""
    ## Exercise 2 · `make_token` (autograded)

    Write `make_token(key, secret, ttl)`: a JWT that the gateway's jwt plugin accepts for
    the consumer whose `jwt_secrets` entry holds `key` and `secret`, signed with HS256, and
    valid for `ttl` seconds from now (Kong reads the key from the `iss` claim, and checks
    `exp`, in seconds since the epoch, because your config lists it in
    `claims_to_verify`). Use PyJWT (`jwt.encode`).

    The grader sets up consumers of its own, asks your function for tokens with its keys,
    secrets and lifetimes, uses them on its gateway, and waits for a short-lived one to
    expire.
    """)
    nb.answer("lab06_make_token_answer", """
    import time

    import jwt


    def make_token(key, secret, ttl):
        \"\"\"A JWT for the consumer owning (key, secret), valid for ttl seconds.\"\"\"
        ### BEGIN SOLUTION
        now = int(time.time())
        return jwt.encode({"iss": key, "iat": now, "exp": now + int(ttl)}, secret, algorithm="HS256")
        ### END SOLUTION
    """)
    nb.code("""
    app = CONSUMERS["web-app"]
    answer = requests.get(f"{GATEWAY}/api/v1/orders/{order['id']}", timeout=5,
                          headers={"Authorization": f"Bearer {make_token(app['key'], app['secret'], 60)}"})
    print(answer.status_code, answer.json())
    """, locked="use_token")
    nb.tests(G2, 3, """
    from microlab.visible import lab06
    lab06.token(make_token, CONSUMERS, lab);
    """)


def mobile_surface(nb: Notebook) -> None:
    nb.md("""
    ## Exercise 3 · The mobile gateway's route surface (autograded)

    Write `MOBILE_YML`, the config of `mobile-gateway`, exposing exactly what the mobile
    app needs, and nothing else:

    | method and path | upstream |
    |---|---|
    | `GET /m/inventory`, `GET /m/inventory/{sku}` | inventory-service `/inventory...` |
    | `GET /m/orders/{id}`, `POST /m/orders` (and `GET /m/orders`) | order-service `/orders...` |
    | `GET /m/home/{user_id}` | `mobile-bff` (Exercise 4's service, deployed as `mobile-bff` on port 8080) `/home/{user_id}` |

    Any other method on those paths, and any other path (users, payments, `/api/v1/...`)
    must get the gateway's own `404 no Route matched`: the mobile app has no business
    there. The grader applies your file to its own `mobile-gateway`, with a `mobile-bff`
    of its own behind it, and tries a matrix of methods and paths.
    """)
    nb.answer("lab06_mobile_surface_answer", '''
    MOBILE_YML = """
    ### BEGIN SOLUTION
    _format_version: "3.0"

    services:
      - name: inventory-service
        url: http://inventory-service:8080/inventory
        routes:
          - name: mobile-inventory
            paths: ["/m/inventory"]
            methods: [GET]
      - name: order-service
        url: http://order-service:8080/orders
        routes:
          - name: mobile-orders
            paths: ["/m/orders"]
            methods: [GET, POST]
      - name: mobile-bff
        url: http://mobile-bff:8080/home
        routes:
          - name: mobile-home
            paths: ["/m/home"]
            methods: [GET]
    ### END SOLUTION
    """
    ''')
    nb.code("""
    checked = lab.gateway.validate(MOBILE_YML)
    print(checked)
    if checked.ok:
        lab.gateway("mobile-gateway").apply(MOBILE_YML)
    print(gateway_tour.surface(lab))
    """, locked="apply_mobile")
    nb.tests(G3, 4, """
    from microlab.visible import lab06
    lab06.mobile_surface(MOBILE_YML, lab);
    """)


def home_bff(nb: Notebook) -> None:
    nb.md("""
    ## Exercise 4 · An aggregating BFF (autograded)

    The app's home screen needs the user, their orders and what is in stock: three calls,
    over a phone's slow network. Write `MOBILE_BFF`, a service (a FastAPI `app`) with one
    endpoint, `GET /home/{user_id}`, answering with

    ```json
    {"user": {"id": 7, "name": "...", "email": "..."},
     "orders": [{"id": 12, "status": "pending", "total": 25.0}],
     "in_stock": ["SKU-BOOK", "SKU-MUG"]}
    ```

    - `user`: user-service's `GET /users/{user_id}` as it answers; an unknown user: answer 404;
    - `orders`: order-service's `GET /users/{user_id}/orders`, each order's `id`, `status`
      and `total`, in order-service's order;
    - `in_stock`: the skus of inventory-service's `GET /inventory` whose `stock` is above 0,
      in its order;
    - exactly **one** call to each service per screen, each carrying the `X-Request-ID`
      your endpoint received, so the three logs show one request.

    Inside the service, `USER_SERVICE_URL`, `ORDER_SERVICE_URL` and `INVENTORY_SERVICE_URL`
    say where the services answer. The grader deploys your code in its own lab behind its
    own mobile gateway, calls the home screen of users of its own, compares with what the
    services hold, and counts the calls in the services' logs.
    """)
    nb.answer("lab06_home_bff_answer", """
    MOBILE_BFF = '''
    import os

    import httpx
    from fastapi import FastAPI, Header, HTTPException

    USERS, ORDERS, INVENTORY = (os.environ[f"{name}_SERVICE_URL"] for name in ("USER", "ORDER", "INVENTORY"))

    app = FastAPI()


    @app.get("/home/{user_id}")
    def home(user_id: int, x_request_id: str | None = Header(default=None)):
        ### BEGIN SOLUTION
        headers = {"X-Request-ID": x_request_id} if x_request_id else {}
        user = httpx.get(f"{USERS}/users/{user_id}", headers=headers, timeout=5)
        if user.status_code == 404:
            raise HTTPException(status_code=404, detail=f"no user {user_id}")
        user.raise_for_status()
        orders = httpx.get(f"{ORDERS}/users/{user_id}/orders", headers=headers, timeout=5)
        orders.raise_for_status()
        stock = httpx.get(f"{INVENTORY}/inventory", headers=headers, timeout=5)
        stock.raise_for_status()
        return {"user": user.json(),
                "orders": [{"id": o["id"], "status": o["status"], "total": o["total"]} for o in orders.json()],
                "in_stock": [item["sku"] for item in stock.json() if item["stock"] > 0]}
        ### END SOLUTION
    '''
    """)
    nb.code("""
    lab.deploy("mobile-bff", MOBILE_BFF)
    screen = requests.get(f"{lab.url('mobile-gateway')}/m/home/{customer}", timeout=10)
    print(screen.status_code, screen.json())
    """, locked="deploy_bff")
    nb.tests(G4, 4, """
    from microlab.visible import lab06
    lab06.home_bff(lab, customer);
    """)
