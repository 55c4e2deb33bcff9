"""What the API gateway costs: latency and throughput through it vs straight to the service.

All measured in the same run on the same lab (local backend, 127.0.0.1 only), in
interleaved rounds so that load from other programs hits every path alike:
  direct          GET {user-service}/users/1
  gateway         GET {gateway}/api/v1/users/1   (the default kong.yml: routes only)
  gateway+plugins the same through a second gateway with key-auth + rate-limiting
Prints p50/p99 (sequential keep-alive client), requests/s (bounded concurrency), the
added ms and the throughput ratio. Targets (issue 5): added p50 <= 1 ms, throughput >= 50%.
Run: .venv/bin/python bench/gateway.py [--rounds 10] [--requests 200] [--concurrency 8]
"""
from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time
import uuid

import aiohttp
import requests

from microlab import Lab

WITH_PLUGINS = """
_format_version: "3.0"
services:
  - name: user-service
    url: http://user-service:8080/users
    routes:
      - name: users-route
        paths: ["/api/v1/users"]
    plugins:
      - name: key-auth
      - name: rate-limiting
        config: {second: 1000000, limit_by: consumer}
consumers:
  - username: bench
    keyauth_credentials: [{key: bench-key}]
"""
HEADERS = {"apikey": "bench-key"}


def sequential(session: requests.Session, url: str, n: int) -> list[float]:
    out = []
    for _ in range(n):
        t = time.perf_counter()
        session.get(url, headers=HEADERS).raise_for_status()
        out.append((time.perf_counter() - t) * 1000)
    return out


async def burst(session: aiohttp.ClientSession, url: str, n: int, concurrency: int) -> float:
    left = n

    async def worker():
        nonlocal left
        while left > 0:
            left -= 1
            async with session.get(url, headers=HEADERS) as r:
                await r.read()
                assert r.status == 200, r.status

    t = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return time.perf_counter() - t


async def throughput(targets: dict[str, str], args) -> dict[str, float]:
    spent = dict.fromkeys(targets, 0.0)
    async with aiohttp.ClientSession() as session:
        for url in targets.values():  # warm-up
            await burst(session, url, args.concurrency * 4, args.concurrency)
        for _ in range(args.rounds):
            for name, url in targets.items():
                spent[name] += await burst(session, url, args.requests, args.concurrency)
    return {name: args.rounds * args.requests / s for name, s in spent.items()}


def measure(targets: dict[str, str], args) -> dict[str, dict]:
    samples = {name: [] for name in targets}
    round_p50 = {name: [] for name in targets}
    with requests.Session() as session:
        for url in targets.values():
            sequential(session, url, 50)  # warm-up: pools, caches
        for _ in range(args.rounds):
            for name, url in targets.items():
                lat = sequential(session, url, args.requests)
                samples[name] += lat
                round_p50[name].append(statistics.median(lat))
    rps = asyncio.run(throughput(targets, args))
    return {name: {"p50": statistics.median(samples[name]),
                   "p99": statistics.quantiles(samples[name], n=100)[98],
                   "rounds": round_p50[name], "rps": rps[name]} for name in targets}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--requests", type=int, default=200, help="per target per round")
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    lab = Lab(backend="local", name=f"bench-gw-{uuid.uuid4().hex[:6]}", quiet=True)
    try:
        lab.up("bff")  # brings user-service up; its two gateways are re-used below
        lab.up("services")
        users = lab.url("user-service")
        requests.post(f"{users}/users", json={"name": "Ada", "email": "ada@example.org"}, timeout=5)
        plugged = lab.gateway("web-gateway")
        plugged.apply(WITH_PLUGINS)
        targets = {"direct": f"{users}/users/1", "gateway": f"{lab.gateway.url}/api/v1/users/1",
                   "gateway+plugins": f"{plugged.url}/api/v1/users/1"}
        results = measure(targets, args)
    finally:
        lab.down()
    base = results["direct"]
    print(f"load average (1 min) of this {os.cpu_count()}-core machine at the end: {os.getloadavg()[0]:.1f} "
          "(other programs' load adds scheduling delay to every extra process hop)")
    for name, r in results.items():
        print(f"{name:<16} p50 {r['p50']:6.2f} ms   p99 {r['p99']:6.2f} ms   {r['rps']:7.0f} req/s")
    ok = True
    for name in ("gateway", "gateway+plugins"):
        r = results[name]
        added = statistics.median(g - d for g, d in zip(r["rounds"], base["rounds"]))
        ratio = r["rps"] / base["rps"]
        good = added <= 1.0 and ratio >= 0.5
        ok &= good
        print(f"  {name}: added p50 {added:+.2f} ms (median of per-round differences), "
              f"added p99 {r['p99'] - base['p99']:+.2f} ms, throughput {ratio:.2f} of direct "
              f"-> {'meets' if good else 'MISSES'} targets (<= 1 ms, >= 0.50)")
    print(f"baseline: direct to user-service, measured in the same interleaved rounds; "
          f"{args.rounds} rounds x {args.requests} requests per target")
    print("overall:", "meets targets" if ok else "MISSES a target")


if __name__ == "__main__":
    main()
