"""`python -m microlab.gateway --config kong.yml --port 8000 --admin-port 8001
--resolve user-service=127.0.0.1:5001 ...`: the embedded Kong-compatible gateway.

Runs the same way on a laptop (local backend) and in a container (offline image set).
An invalid config stops it at start with every problem listed (exit status 2).
"""
from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys

from microlab.gateway.app import Gateway, InvalidConfig, State
from microlab.settings import settings
from microlab.gateway.resolve import ENV, from_sources


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m microlab.gateway", description=__doc__.splitlines()[0])
    p.add_argument("--config", default=os.environ.get("KONG_DECLARATIVE_CONFIG"),
                   help="kong.yml to load (default: $KONG_DECLARATIVE_CONFIG)")
    p.add_argument("--host", default="0.0.0.0" if settings().in_container else "127.0.0.1")
    p.add_argument("--port", type=int, default=8000, help="proxy port (Kong: 8000)")
    p.add_argument("--admin-host", default=None, help="admin bind address (default: same as --host)")
    p.add_argument("--admin-port", type=int, default=8001, help="admin port (Kong: 8001); -1 disables")
    p.add_argument("--resolve", action="append", default=[], metavar="NAME[:PORT]=HOST:PORT",
                   help=f"where a service name really listens (repeatable; also ${ENV})")
    p.add_argument("--resolve-file", help="JSON file {name: 'host:port'}")
    p.add_argument("--lab-state", help="a local lab's state.json: names started after the gateway "
                                       "resolve to their ports in it (127.0.0.1)")
    return p.parse_args(argv)


async def serve(args: argparse.Namespace) -> None:
    state = State()
    state.apply(args.config)
    gateway = Gateway(state, from_sources(args.resolve, args.resolve_file, lab_state=args.lab_state), args.host, args.port,
                      args.admin_host or args.host, None if args.admin_port < 0 else args.admin_port)
    await gateway.start()
    print(f"microlab gateway (Kong-compatible) proxy on {args.host}:{gateway.port}, admin on "
          f"{args.admin_host or args.host}:{gateway.admin_port}, config {args.config}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await gateway.stop()


def main(argv=None) -> int:
    args = parse_args(argv)
    if not args.config:
        print("microlab gateway: --config kong.yml is required", file=sys.stderr)
        return 2
    try:
        import uvloop  # faster event loop when installed (Linux/macOS)

        runner = uvloop.run
    except ImportError:
        runner = asyncio.run
    try:
        runner(serve(args))
    except InvalidConfig as exc:
        print(str(exc.report), file=sys.stderr)
        return 2
    except ValueError as exc:  # a bad --resolve entry
        print(f"microlab gateway: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"microlab gateway: cannot listen: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
