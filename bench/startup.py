"""How long until a lab answers: up("services") with Kafka and the gateway, same-run baselines.

Baselines, measured in the same run: up("monolith") (one app, no broker) and a bare Python
process start (`python -c pass`). Also the four HTTP services alone, as before.
Targets: issue 15, up("services") <= 3 s (median of 5) on a quiet 2-core machine; issue 2,
the four services alone <= 3 s.
Run: .venv/bin/python bench/startup.py [--rounds 5] [--backend local|docker]
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

from microlab import Lab, topology

HTTP_ONLY = "services without kafka and gateway"


def time_up(backend: str, stack: str, verbose: bool = False) -> float:
    lab = Lab(backend=backend, name=f"bench-{uuid.uuid4().hex[:6]}", quiet=not verbose)
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


def bare_python_s() -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    return time.perf_counter() - started


def loadavg() -> str:
    return Path("/proc/loadavg").read_text().strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--backend", default="local", choices=["local", "docker"])
    args = parser.parse_args()
    print(f"machine load (/proc/loadavg): {loadavg()}")
    python = statistics.median(bare_python_s() for _ in range(5))
    print(f"baseline: bare Python process start median {python:.3f} s")
    results = {}
    for stack in ("monolith", HTTP_ONLY, "services"):
        runs = [time_up(args.backend, stack) for _ in range(args.rounds)]
        results[stack] = statistics.median(runs)
        print(f"{args.backend:>6} up({stack!r:<36}) median {results[stack]:.2f} s  "
              f"(runs: {', '.join(f'{r:.2f}' for r in runs)})  load {loadavg().split()[0]}")
    got = results["services"]
    print(f"ratio services/monolith: {got / results['monolith']:.2f}x; services/bare Python: "
          f"{got / python:.0f}x  (baselines measured in this run)")
    print("one more up('services'), where its time goes (lab.up's report):")
    time_up(args.backend, "services", verbose=True)
    target = 3 if args.backend == "local" else 15
    print(f"target: up('services') <= {target} s -> {'meets' if got <= target else 'MISSES'} "
          f"({got:.2f} s); the four services alone {results[HTTP_ONLY]:.2f} s")
    print(f"machine load after: {loadavg()}")


if __name__ == "__main__":
    main()
