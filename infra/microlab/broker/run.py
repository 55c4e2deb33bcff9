"""`python -m microlab.broker.run HOME`: format HOME's storage if new, then become the broker.

The process replaces itself with the JVM (exec), so whoever started it (the local backend,
a test fixture) holds the broker's own pid and process group, and stopping it stops Kafka.
HOME must contain server.properties (see microlab.broker.config); the cluster id is new on
the first start and kept in HOME/logs/meta.properties after that.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from microlab.broker import config, jars, server


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m microlab.broker.run", description=__doc__)
    parser.add_argument("home", type=Path, help="directory holding server.properties")
    parser.add_argument("--libs", type=Path, default=None, help="directory of Kafka jars (default: the cache)")
    args = parser.parse_args(argv)
    try:
        libs = args.libs or jars.require_libs()
        if not (args.home / "server.properties").exists():
            raise jars.BrokerError(f"{args.home / 'server.properties'} does not exist")
        if not server.is_formatted(args.home):
            print(f"microlab: formatting Kafka storage in {server.log_dir(args.home)}", flush=True)
            server.format_storage(args.home, libs, config.new_cluster_id())
        argv_ = server.server_argv(libs, args.home / "server.properties")
    except jars.BrokerError as exc:
        print(f"microlab: cannot start Kafka: {exc}", file=sys.stderr, flush=True)
        return 2
    print(f"microlab: starting Apache Kafka {jars.kafka_version()} ({argv_[0]})", flush=True)
    os.execv(argv_[0], argv_)
    return 0  # not reached


if __name__ == "__main__":
    sys.exit(main())
