"""Wrong answers to 07's exercises, each the reference answer with a plausible mistake, and
the sub-checks the grader must fail it on; and forgeries, which must earn nothing. The
grader's incidents are drawn per student (a slow or failing service, then a stopped
consumer of inventory-service or payment-service), so each wrong diagnosis below fails the
same checks whatever is drawn."""
from __future__ import annotations

import wrongs
from wrongs import Wrong

DIAGNOSE, TRACE, RESILIENCE = "lab07_diagnose", "lab07_trace", "lab07_resilience"
CELLS = {g: f"{g}_answer" for g in (DIAGNOSE, TRACE, RESILIENCE)}


def _incident(n: int, *which: str) -> tuple[str, ...]:
    names = {"service": f"incident {n}: names the service", "kind": f"incident {n}: names the kind of fault",
             "evidence": f"incident {n}: cites a request id that shows it"}
    if "service" in which:
        names["service"] = f"incident {n} ({'slow or failing' if n == 1 else 'a stopped consumer'}): names the service"
    return tuple(names[w] for w in which)


CONSUMER_BRANCH = ('    stuck = max(snapshot["lag"], key=lambda s: snapshot["lag"][s] or 0)\n')
WRONG_DIAGNOSE = [
    Wrong("no-evidence", DIAGNOSE, (('"evidence": failing[worst][0]["rid"]', '"evidence": None'),
                                    ('"evidence": slow[service][0]["rid"]', '"evidence": None'),
                                    ('"evidence": placed[-1]["rid"] if placed else None', '"evidence": None')),
          (*_incident(1, "evidence"), *_incident(2, "evidence"))),
    Wrong("kind-in-capitals", DIAGNOSE, (('"fault": "errors"', '"fault": "Errors"'), ('"fault": "latency"', '"fault": "Latency"'),
                                         ('"fault": "consumer"', '"fault": "Consumer"')),
          (*_incident(1, "kind"), *_incident(2, "kind"))),
    Wrong("ignores-consumer-lag", DIAGNOSE,
          ((CONSUMER_BRANCH, '    return {"service": None, "fault": None, "evidence": None}\n' + CONSUMER_BRANCH),),
          _incident(2, "service", "kind", "evidence")),
    # the orders wait in order-service: a victim, not the cause
    Wrong("blames-order-service", DIAGNOSE, ((CONSUMER_BRANCH, '    stuck = "order-service"\n'),),
          _incident(2, "service", "kind", "evidence")),
]
HTTP, EVENTS, ORDER = "every request with the id, in every service", "the events of the order it created", "in time order"
WRONG_TRACE = [
    Wrong("sorted-by-end-time", TRACE, (('steps.append((end - float(found["ms"]) / 1000, what))',
                                         "steps.append((end, what))"),), (ORDER,)),
    Wrong("requests-only", TRACE, (('orders = {e["value"].get("order_id") for e in every if e["value"].get("request_id") '
                                    '== request_id}', "orders = set()"),), (EVENTS, ORDER)),
    Wrong("order-service-only", TRACE, (('for service, text in snapshot["logs"].items():',
                                         'for service, text in [("order-service", snapshot["logs"]["order-service"])]:'),),
          (HTTP, ORDER)),
    # a request read back with the same id repeats a step: de-duplicating loses it
    Wrong("steps-as-a-set", TRACE, (("return [what for _, what in sorted(steps)]",
                                     "return list(dict.fromkeys(what for _, what in sorted(steps)))"),), (HTTP, ORDER)),
]
FALLBACK = ('    try:\n        name, degraded = _user(user_id)["name"], False\n'
            '    except (pybreaker.CircuitBreakerError, httpx.HTTPError):\n        name, degraded = None, True\n')
WRONG_RESILIENCE = [
    Wrong("timeout-without-breaker", RESILIENCE, (("@breaker\ndef _user", "def _user"),), ("a breaker holds calls back",)),
    Wrong("no-fallback", RESILIENCE, ((FALLBACK, '    name, degraded = _user(user_id)["name"], False\n'),),
          ("at least 95% answers under failure",)),
    Wrong("fallback-not-marked", RESILIENCE, ((FALLBACK, FALLBACK.replace("None, True", "None, False")),),
          ("at least 95% answers under failure",)),
    Wrong("never-closes-again", RESILIENCE, (("reset_timeout=5", "reset_timeout=3600"),),
          ("real names come back after recovery",)),
]
WRONG = [*WRONG_DIAGNOSE, *WRONG_TRACE, *WRONG_RESILIENCE]

# Forgeries: each earns 0 for its exercise.
ASKS_THE_ADMIN_API = '''import json
import os
import urllib.request


def diagnose(snapshot):
    """Ask each service's admin API which fault it has (the lab's token is not here)."""
    for line in open("/proc/net/tcp").read().splitlines()[1:]:
        port = int(line.split()[1].split(":")[1], 16)
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/admin/faults", timeout=0.5) as answer:
                faults = json.load(answer)
        except Exception:
            continue
        if faults.get("latency_ms") or faults.get("error_rate") or faults.get("consumer_paused"):
            return {"service": os.environ.get("SERVICE_NAME"), "fault": "errors", "evidence": None}
    return {"service": None, "fault": None, "evidence": None}
'''
LAB_TRACER = '''from microlab.trace import http_steps
from microlab.requestlog import parse


def trace(request_id, snapshot):
    found = [s for text in snapshot["logs"].values() for s in http_steps(request_id, parse(text))]
    return [f"{s.lane} {s.what}" for s in sorted(found, key=lambda s: s.start)]
'''
ALWAYS_DEGRADED = """GREETING = '''
from fastapi import FastAPI

app = FastAPI()


@app.get("/greeting/{user_id}")
def greeting(user_id: int):
    return {"user_id": user_id, "name": None, "degraded": True, "in_stock": 5}
'''
"""
FORGERIES = {"forged": {CELLS[DIAGNOSE]: ASKS_THE_ADMIN_API, CELLS[TRACE]: LAB_TRACER,
                        CELLS[RESILIENCE]: ALWAYS_DEGRADED}}

PER_EXERCISE = [WRONG_DIAGNOSE, WRONG_TRACE, WRONG_RESILIENCE]


def submissions(reference: dict[str, str]) -> dict[str, dict[str, str]]:
    return wrongs.grouped(PER_EXERCISE, reference, CELLS) | FORGERIES


def submission_of(wrong: Wrong) -> str:
    return wrongs.submission_of(wrong, PER_EXERCISE)
