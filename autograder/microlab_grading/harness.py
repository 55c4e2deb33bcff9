"""Runs a student's answer cells, and a check's code after them, in a fresh interpreter.

    python -I -m microlab_grading.harness JOB.json

(where bubblewrap runs, `run(job)` runs instead in a fresh fork of a warm, confined
interpreter that never ran student code: harnessserver.py)

JOB: {"provided": source, "cells": {grade_id: source}, "code": source, "names": [...],
"result_fd": a descriptor the judge opened outside the sandbox}. The grader's `provided`
definitions run first; then each answer cell (an
exception is recorded and the next cell still runs, as in a notebook); then the check's
`code`, which sees the student's names and `provided`, the grader's own objects as they
were before any student code ran, and sets `result`. The report goes to that descriptor
as JSON. No IPython, no notebook, no locked cell of the student's copy is involved: input
transformers, patched modules and rebound names from the student's kernel do not exist here.
"""
from __future__ import annotations

import json
import sys
import traceback
from typing import Any


def jsonable(value: Any, depth: int = 0) -> Any:
    """Data answers as JSON: sets become sorted lists; what JSON cannot hold, its repr."""
    if depth > 20:
        return {"__repr__": "(nested too deep)"}
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, dict):
        return {str(k): jsonable(v, depth + 1) for k, v in value.items()}
    if isinstance(value, (set, frozenset)):
        items = [jsonable(v, depth + 1) for v in value]
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True))
    if isinstance(value, (list, tuple)):
        return [jsonable(v, depth + 1) for v in value]
    return {"__repr__": repr(value)[:300], "__type__": type(value).__name__}


def _error(exc: BaseException) -> dict:
    return {"type": type(exc).__name__, "message": str(exc)[:500],
            "where": traceback.format_exception(exc)[-2].strip()[:300] if exc.__traceback__ else ""}


def run(job: dict) -> dict:
    namespace: dict[str, Any] = {"__name__": "__main__"}
    exec(compile(job.get("provided", ""), "<provided by the grader>", "exec"), namespace)
    provided = {k: v for k, v in namespace.items() if not k.startswith("__")}
    report: dict[str, Any] = {"errors": {}, "names": {}, "result": None}
    for grade_id, source in job.get("cells", {}).items():
        try:
            exec(compile(source, f"<answer cell {grade_id}>", "exec"), namespace)
        except BaseException as exc:  # noqa: BLE001 (SystemExit too; a notebook goes on)
            report["errors"][grade_id] = _error(exc)
    report["names"] = {n: jsonable(namespace[n]) for n in job.get("names", []) if n in namespace}
    report["missing"] = [n for n in job.get("names", []) if n not in namespace]
    if job.get("code"):
        namespace["provided"] = provided
        try:
            exec(compile(job["code"], "<check>", "exec"), namespace)
            report["result"] = jsonable(namespace.get("result"))
        except BaseException as exc:  # noqa: BLE001
            report["check_error"] = _error(exc)
    return report


def main() -> None:
    with open(sys.argv[1]) as f:
        job = json.load(f)
    out = open(job["result_fd"], "w", encoding="utf-8", closefd=True)  # before any student code runs
    report = run(job)
    json.dump(report, out)
    out.close()


if __name__ == "__main__":
    main()
