"""What the checks of 07 share: the grader's definitions of the notebook's locked cells, the
student's functions run on a snapshot the grader took, and its own users."""
from __future__ import annotations

import json
import uuid

import httpx
from microlab_grading.exercise import Context

# The locked cells before the answers, as the grader's own source.
PROVIDED = '''
import os

import requests

GATEWAY = os.environ.get("GATEWAY", "http://127.0.0.1:9")
'''
LAB = "services"


def on_snapshot(ctx: Context, call: str, snapshot: dict):
    """`call` (e.g. "diagnose(_snapshot)") on a snapshot of the grader's, in a fresh interpreter."""
    literal = json.dumps(json.dumps(snapshot))
    code = f"import json as _json\n_snapshot = _json.loads({literal})\nresult = {call}"
    return run(ctx, code)


def run(ctx: Context, code: str):
    return ctx.result(code, env={"GATEWAY": ctx.lab.url("gateway")})


def new_user(ctx: Context) -> dict:
    tag = uuid.uuid4().hex[:10]
    user = httpx.post(f"{ctx.lab.url('user-service')}/users", timeout=10,
                      json={"name": f"Grader {tag}", "email": f"grader-{tag}@example.org"})
    user.raise_for_status()
    return user.json()


def uses_the_lab_tracer(source: str) -> bool:
    return "microlab" in source or "lab.trace" in source
