"""How long until a lab answers: up("services") vs up("monolith"), same run, same machine.

Target (issue 2): services healthy in <= 3 s on 2 cores with the local backend.
Run: .venv/bin/python bench/startup.py [--rounds N] [--backend local|docker]
"""
from __future__ import annotations

import argparse
import statistics
import time
import uuid

from microlab import Lab, topology


HTTP_ONLY = "services without kafka and gateway"


def time_up(backend: str, stack: str) -> float:
    lab = Lab(backend=backend, name=f"bench-{uuid.uuid4().hex[:6]}", quiet=True)
    try:
        started = time.perf_counter()
        if stack == HTTP_ONLY:
            http = tuple(c for c in topology.stack("services") if c.kind == "service")
            lab.backend.up(http, "services", report=lambda _m: None)
        else:
            lab.up(stack)
        return time.perf_counter() - started
    finally:
        lab.down()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--backend", default="local", choices=["local", "docker"])
    args = parser.parse_args()
    results = {}
    for stack in ("monolith", HTTP_ONLY, "services"):
        runs = [time_up(args.backend, stack) for _ in range(args.rounds)]
        results[stack] = statistics.median(runs)
        print(f"{args.backend:>6} up({stack!r:<36}) median {results[stack]:.2f} s  "
              f"(runs: {', '.join(f'{r:.2f}' for r in runs)})")
    ratio = results["services"] / results["monolith"]
    print(f"ratio services/monolith: {ratio:.2f}x  (baseline: the monolith, measured in this run)")
    if args.backend == "local":
        got = results[HTTP_ONLY]
        print(f"target: the four services ready <= 3 s -> {'meets' if got <= 3 else 'MISSES'} ({got:.2f} s)")
    else:
        got = results["services"]
        print(f"target: services ready <= 15 s -> {'meets' if got <= 15 else 'MISSES'} ({got:.2f} s)")


if __name__ == "__main__":
    main()
