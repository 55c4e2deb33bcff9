"""Docker backend start-up next to the local backend's, same run, same machine.

Cold means: images on the engine (built or loaded beforehand, not timed), no container
of the lab exists; timed from `up("services")` to every component answering its real
readiness check (HTTP 200, a PostgreSQL login, a Kafka metadata fetch).
Target (issue 3): docker up("services") <= 15 s on 2 cores.

Run: .venv/bin/python bench/startup_docker.py [--rounds N] [--images]
  --images also times the image steps: a code-layer rebuild and loading the cached
  offline bases with `docker load` (it removes them from the engine first: do not run it
  while labs or tests use the engine).
"""
from __future__ import annotations

import argparse
import statistics
import time
import uuid

from microlab import Lab
from microlab.docker import engine, images, offline, specs
from microlab.topology import stack


def time_up(backend: str, name: str) -> float:
    lab = Lab(backend=backend, name=f"bench-{uuid.uuid4().hex[:6]}", quiet=True)
    try:
        started = time.perf_counter()
        lab.up(name)
        return time.perf_counter() - started
    finally:
        lab.down()


def time_images(client) -> None:
    roles = specs.roles_for(stack("services"))
    started = time.perf_counter()
    images.ensure(client, roles, report=lambda _m: None)
    print(f"images present, ensure(): {time.perf_counter() - started:.2f} s")
    bases = [r for r in ("python", "postgres", "java") if any(
        f.name.startswith(f"{r}-") for f in offline.cache_dir().glob("*.tar.gz"))]
    for role in bases:  # the base tags only: layers used by the lab's images stay
        for ref in (offline.tag(role), offline.rootfs_tag(role)):
            try:
                client.images.remove(ref)
            except Exception:
                pass
    started = time.perf_counter()
    offline.ensure(client, bases, report=lambda _m: None)
    print(f"offline bases {', '.join(bases)} from the cache (docker load): "
          f"{time.perf_counter() - started:.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--images", action="store_true", help="also time the image steps")
    args = parser.parse_args()
    client = engine.client()
    choice = images.ensure(client, specs.roles_for(stack("services")), report=print)
    if args.images:
        time_images(client)
    results = {}
    for backend in ("local", "docker"):
        runs = [time_up(backend, "services") for _ in range(args.rounds)]
        results[backend] = statistics.median(runs)
        print(f"{backend:>6} up('services') median {results[backend]:.2f} s  "
              f"(runs: {', '.join(f'{r:.2f}' for r in runs)})")
    print(f"docker/local: {results['docker'] / results['local']:.1f}x "
          f"(baseline: the local backend, measured in this run; {choice.set} image set)")
    verdict = "meets" if results["docker"] <= 15.0 else "MISSES"
    print(f"target: docker services ready <= 15 s -> {verdict} ({results['docker']:.2f} s)")


if __name__ == "__main__":
    main()
