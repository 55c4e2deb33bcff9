"""07's retry storm: relays that each retry a failing call, and what user-service's own log
counts for it. operations re-exports them."""
from __future__ import annotations

import uuid

import httpx

from microlab.lessons.display import Table
from microlab.lessons.resilience_demo import count_logged, ensure_deployed, inside_url

RETRY = '''
"""GET /relay/{user_id}?via=URL1,URL2&attempts=3: calls the first relay of `via` (passing the
rest on), or user-service when none is left, up to `attempts` times while it fails (5xx or no
answer), then answers 502. A backoff would spread these calls out, not make them fewer."""
import os

import httpx
from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse

app = FastAPI()
USERS = os.environ["USER_SERVICE_URL"]
client = httpx.Client(timeout=5.0, trust_env=False)


@app.get("/relay/{user_id}")
def relay(user_id: int, request: Request, via: str = "", attempts: int = 3):
    first, _, rest = via.partition(",")
    url = f"{first}/relay/{user_id}" if first else f"{USERS}/users/{user_id}"
    params = {"via": rest, "attempts": attempts} if first else {}
    headers = {"X-Request-ID": request.headers.get("X-Request-ID", "-")}
    for _ in range(attempts):
        try:
            upstream = client.get(url, params=params, headers=headers)
        except httpx.HTTPError:
            continue
        if upstream.status_code < 500:
            return Response(upstream.content, upstream.status_code, media_type="application/json")
    return JSONResponse({"error": f"upstream failed {attempts} times"}, 502)
'''

# -- retry storm -----------------------------------------------------------------------------

def _storm(lab, client: httpx.Client, calls: int, layers: int, attempts: int, client_attempts: int,
           prefix: str) -> int:
    """user-service's count of requests for `calls` calls to retry-1 (each tried
    `client_attempts` times by the caller, with the same request id, as a retry is)."""
    via = ",".join(inside_url(lab, f"retry-{k}") for k in range(2, layers + 1))
    for i in range(calls):
        for _ in range(client_attempts):
            r = client.get(f"{lab.url('retry-1')}/relay/1", params={"via": via, "attempts": attempts},
                           headers={"X-Request-ID": f"{prefix}{i}"})
            if r.status_code < 500:
                break
    return count_logged(lab, "user-service", prefix, expect=calls * client_attempts * attempts ** layers)


def retry_storm(lab, layers: int = 2, attempts: int = 3, calls: int = 10) -> Table:
    """`layers` relays that each retry `attempts` times, in front of a user-service that fails
    every request: how many requests user-service gets, counted in its own log. The relays
    are undeployed and the fault cleared after."""
    names = {f"retry-{k}": RETRY for k in range(1, layers + 1)}
    ensure_deployed(lab, names)
    run, rows = uuid.uuid4().hex[:6], []
    lab.fault("user-service", error_rate=1.0)
    try:
        with httpx.Client(timeout=60, trust_env=False) as client:
            for who, client_attempts in ((f"each of the {layers} relays", 1), ("the client too", attempts)):
                prefix = f"storm-{run}-{client_attempts}-"
                got = _storm(lab, client, calls, layers, attempts, client_attempts, prefix)
                expected = calls * client_attempts * attempts ** layers
                rows.append({"who retries": who, "calls": calls, "reached user-service": got,
                             "expected": expected, "per call": f"{got / calls:g}"})
    finally:
        lab.fault("user-service")
        for name in names:
            lab.undeploy(name)
    title = f"{attempts} attempts at every layer; user-service answers 500 to everything"
    return Table(("who retries", "calls", "reached user-service", "expected", "per call"), rows, title)
