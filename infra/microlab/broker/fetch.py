"""`python -m microlab.broker.fetch`: get Kafka's jars once, and warm the JVM's class cache.

1. Maven resolves the pinned Kafka version's jars into the cache (see microlab.broker.jars).
2. A throw-away broker runs once with -XX:ArchiveClassesAtExit so later starts map the
   loaded classes from a class-data-sharing archive (about 1 s faster on 2 cores). Skipped
   with --no-warm; a missing archive only makes starts slower.

For the Docker image: `python -m microlab.broker.fetch --dest /opt/kafka/libs --no-warm`.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from microlab.broker import config, jars, server
from microlab.broker.java import find_java


def warm(libs: Path, report=print) -> Path | None:
    """Run a broker once to write the class-data-sharing archive next to the jars."""
    from microlab.broker.single import SingleNodeBroker

    _, major = find_java()
    archive = server.cds_archive(libs, major)
    if archive.exists():
        report(f"class-data-sharing archive already in {archive}")
        return archive
    report("Starting Kafka once to record its classes (class-data-sharing archive)...")
    with tempfile.TemporaryDirectory(prefix="microlab-kafka-warm-") as tmp:
        partial = Path(tmp) / "classes.jsa"
        broker = SingleNodeBroker(Path(tmp) / "home", libs=libs)
        broker.argv = lambda: server.server_argv(libs, broker.home / "server.properties", partial)
        broker.write_config()
        server.format_storage(broker.home, libs, config.new_cluster_id())
        broker.start(timeout=120)
        broker.stop()
        if not partial.exists():
            report(f"(no archive written; starts stay a little slower; see {broker.log})")
            return None
        os.replace(partial, archive)
    report(f"archive: {archive} ({archive.stat().st_size / 1e6:.0f} MB)")
    return archive


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m microlab.broker.fetch", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dest", type=Path, default=None,
                        help=f"jar directory (default: {jars.libs_dir()}; env MICROLAB_CACHE moves the cache)")
    parser.add_argument("--no-warm", action="store_true", help="skip the class-data-sharing warm-up run")
    args = parser.parse_args(argv)
    started = time.monotonic()
    try:
        libs = jars.fetch(args.dest)
        if not args.no_warm:
            warm(libs)
    except jars.BrokerError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"Kafka {jars.kafka_version()} is ready to run ({time.monotonic() - started:.1f} s).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
