"""Wrong answers to 06's exercises, each the reference answer with a plausible mistake, and
the sub-checks the grader must fail it on; and forgeries, which must earn nothing. Wrong
answers to different exercises are handed in together (the judge runs each exercise's own
cells), so 06's gradings stay few."""
from __future__ import annotations

import wrongs
from wrongs import Wrong

CONFIG, TOKEN, SURFACE, HOME = "lab06_gateway_config", "lab06_make_token", "lab06_mobile_surface", "lab06_home_bff"
CELLS = {g: f"{g}_answer" for g in (CONFIG, TOKEN, SURFACE, HOME)}

INVENTORY_GET = '        paths: ["/api/v1/inventory"]\n        methods: [GET]\n'
LIMIT = "          second: {ORDERS_PER_SECOND}\n          limit_by: consumer\n"
MOBILE_CONSUMER = ('  - username: mobile-app\n    jwt_secrets:\n      - key: {CONSUMERS["mobile-app"]["key"]}\n'
                   '        secret: {CONSUMERS["mobile-app"]["secret"]}\n')
PAYMENTS = ('\n  - name: payment-service\n    url: http://payment-service:8080/payments\n    routes:\n'
            '      - name: payments-route\n        paths: ["/api/v1/payments"]\n')
WRONG_CONFIG = [
    Wrong("limit-by-ip", CONFIG, ((LIMIT, LIMIT.replace("consumer", "ip")),),
          ("orders are limited per consumer",)),
    Wrong("hard-coded-limit", CONFIG, ((LIMIT, LIMIT.replace("{ORDERS_PER_SECOND}", "5")),),
          ("orders are limited per consumer",)),
    Wrong("inventory-every-method", CONFIG, ((INVENTORY_GET, '        paths: ["/api/v1/inventory"]\n'),),
          ("inventory is GET only",)),
    Wrong("payments-exposed", CONFIG, (("\nconsumers:", PAYMENTS + "\nconsumers:"),), ("payments are not exposed",)),
    # the checks that need both apps' tokens to work fail with it
    Wrong("web-app-only", CONFIG, ((MOBILE_CONSUMER, ""),),
          ("each app's token opens orders", "orders are limited per consumer", "payments are not exposed")),
]
ENCODE = 'return jwt.encode({"iss": key, "iat": now, "exp": now + int(ttl)}, secret, algorithm="HS256")'
WRONG_TOKEN = [
    Wrong("exp-in-milliseconds", TOKEN,
          ((ENCODE, 'return jwt.encode({"iss": key, "exp": (now + int(ttl)) * 1000}, secret, algorithm="HS256")'),),
          ("exp is ttl seconds after now", "the token stops working after ttl")),
    Wrong("always-one-hour", TOKEN, ((ENCODE, ENCODE.replace("now + int(ttl)", "now + 3600")),),
          ("exp is ttl seconds after now", "the token stops working after ttl")),
    # the notebook's CONSUMERS are the grader's in its run: only the web-app's secret is right
    Wrong("secret-from-the-notebook", TOKEN,
          ((ENCODE, ENCODE.replace("}, secret,", '}, CONSUMERS["web-app"]["secret"],')),),
          ("each consumer's token is its own",)),
    # "signing is expensive": one token, whatever is asked
    Wrong("caches-one-token", TOKEN,
          (("def make_token(key, secret, ttl):", "CACHED = {}\n\n\ndef make_token(key, secret, ttl):"),
           (ENCODE, f'return CACHED.setdefault("token", jwt.encode({{"iss": key, "iat": now, "exp": now + int(ttl)}}, '
                    'secret, algorithm="HS256"))')),
          ("each consumer's token is its own", "exp is ttl seconds after now", "the token stops working after ttl")),
]
HOME_GET = '        paths: ["/m/home"]\n        methods: [GET]\n'
# "nothing else is exposed" counts only once orders work: the orders mistakes fail it too
WRONG_SURFACE = [
    Wrong("inventory-every-method", SURFACE, (('        paths: ["/m/inventory"]\n        methods: [GET]\n',
                                               '        paths: ["/m/inventory"]\n'),), ("nothing else is exposed",)),
    Wrong("orders-without-their-path", SURFACE,
          (("url: http://order-service:8080/orders", "url: http://order-service:8080"),),
          ("orders can be placed and read", "nothing else is exposed")),
    Wrong("home-keeps-its-prefix", SURFACE, ((HOME_GET, HOME_GET + "        strip_path: false\n"),),
          ("the home screen reaches mobile-bff",)),
    Wrong("users-exposed", SURFACE,
          (("services:\n", 'services:\n  - name: user-service\n    url: http://user-service:8080/users\n    routes:\n'
                          '      - name: mobile-users\n        paths: ["/m/users"]\n'),),
           ("nothing else is exposed",)),
    Wrong("orders-read-only", SURFACE, (("        methods: [GET, POST]\n", "        methods: [GET]\n"),),
          ("orders can be placed and read", "nothing else is exposed")),
]
STOCK = '"in_stock": [item["sku"] for item in stock.json() if item["stock"] > 0]}'
NOT_FOUND = ('    if user.status_code == 404:\n        raise HTTPException(status_code=404, detail=f"no user {user_id}")\n')
USER_CALL = '    user = httpx.get(f"{USERS}/users/{user_id}", headers=headers, timeout=5)\n'
WRONG_HOME = [
    Wrong("sold-out-items-shown", HOME, ((STOCK, '"in_stock": [item["sku"] for item in stock.json()]}'),),
          ("a new customer's screen", "sold-out items are left out")),
    Wrong("unknown-user-500", HOME, ((NOT_FOUND, ""),), ("an unknown user gets 404",)),
    Wrong("no-request-id", HOME, (('headers = {"X-Request-ID": x_request_id} if x_request_id else {}', "headers = {}"),),
          ("one call to each service per screen, with the request id",)),
    # "does the user exist?" asked first, then the user fetched again
    Wrong("asks-for-the-user-twice", HOME,
          ((USER_CALL, '    httpx.get(f"{USERS}/users/{user_id}", timeout=5)\n' + USER_CALL),),
          ("one call to each service per screen, with the request id",)),
]
WRONG = [*WRONG_CONFIG, *WRONG_TOKEN, *WRONG_SURFACE, *WRONG_HOME]

# Forgeries: each earns 0 for its exercise.
KEYWORDS_ONLY = '''KONG_YML = f"""
_format_version: "3.0"
# jwt rate-limiting second: {ORDERS_PER_SECOND} limit_by: consumer methods: [GET]
# inventory-service order-service consumers jwt_secrets web-app mobile-app
services: []
"""
'''
UNSIGNED = '''import base64, json, time


def make_token(key, secret, ttl):
    part = lambda d: base64.urlsafe_b64encode(json.dumps(d).encode()).rstrip(b"=").decode()
    return part({"alg": "none", "typ": "JWT"}) + "." + part({"iss": key, "exp": int(time.time()) + ttl}) + "."
'''
ROUTES_NOTHING = '''MOBILE_YML = """
_format_version: "3.0"
# /m/inventory GET, /m/orders GET POST, /m/home mobile-bff
"""
'''
HARD_CODED_HOME = """MOBILE_BFF = '''
from fastapi import FastAPI

app = FastAPI()


@app.get("/home/{user_id}")
def home(user_id: int):
    return {"user": {"id": user_id, "name": "Ada", "email": "ada@example.org"}, "orders": [],
            "in_stock": ["SKU-BOOK", "SKU-MUG", "SKU-SHIRT", "SKU-STICKER", "SKU-LAPTOP"]}
'''
"""
FORGERIES = {"forged": {CELLS[CONFIG]: KEYWORDS_ONLY, CELLS[TOKEN]: UNSIGNED, CELLS[SURFACE]: ROUTES_NOTHING,
                        CELLS[HOME]: HARD_CODED_HOME}}

PER_EXERCISE = [WRONG_CONFIG, WRONG_TOKEN, WRONG_SURFACE, WRONG_HOME]


def submissions(reference: dict[str, str]) -> dict[str, dict[str, str]]:
    return wrongs.grouped(PER_EXERCISE, reference, CELLS) | FORGERIES


def submission_of(wrong: Wrong) -> str:
    return wrongs.submission_of(wrong, PER_EXERCISE)
