"""Kafka's own jars, resolved once from Maven Central into a per-user cache.

The cache is laid out as ``<MICROLAB_CACHE or ~/.cache/microlab>/kafka/<version>/libs``:
a plain directory of jars, exactly what Kafka's ``kafka-run-class.sh`` puts on the class
path. The Docker image copies the same directory, so both backends run identical bits.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from microlab.errors import LabError
from microlab.settings import settings

HERE = Path(__file__).resolve().parent
POM = HERE / "pom.xml"
VERSION_FILE = HERE / "kafka-version.txt"
LOG4J_CONFIG = HERE / "log4j2.properties"
# Jars the broker cannot start without; a cache missing one of them is refetched.
REQUIRED = ("kafka_2.13", "kafka-server", "kafka-storage", "kafka-metadata", "kafka-raft",
            "kafka-group-coordinator", "kafka-clients", "log4j-slf4j-impl")


class BrokerError(LabError):
    """Something a user can fix about the broker (no Java, no jars, a port in use...)."""


def kafka_version() -> str:
    """The one pinned Kafka version (first non-comment line of kafka-version.txt)."""
    for line in VERSION_FILE.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            return line
    raise BrokerError(f"{VERSION_FILE} names no Kafka version")


def cache_root() -> Path:
    return settings().cache


def libs_dir(version: str | None = None) -> Path:
    return cache_root() / "kafka" / (version or kafka_version()) / "libs"


def missing_jars(libs: Path, version: str | None = None) -> list[str]:
    version = version or kafka_version()
    if not libs.is_dir():
        return list(REQUIRED)
    names = {p.name for p in libs.glob("*.jar")}
    missing = []
    for artifact in REQUIRED:
        if artifact.startswith("kafka") and f"{artifact}-{version}.jar" not in names:
            missing.append(artifact)
        elif not artifact.startswith("kafka") and not any(n.startswith(artifact + "-") for n in names):
            missing.append(artifact)
    return missing


def require_libs(version: str | None = None) -> Path:
    """The jar directory, or a BrokerError saying how to fetch it."""
    libs = libs_dir(version)
    missing = missing_jars(libs, version)
    if missing:
        raise BrokerError(
            f"Kafka {version or kafka_version()} jars are not in {libs} (missing: {', '.join(missing)}). "
            "Fetch them once with:  python -m microlab.broker.fetch   (needs Maven: `mvn`)"
        )
    return libs


def maven_command() -> str:
    mvn = shutil.which("mvn")
    if mvn is None:
        raise BrokerError(
            "Maven (`mvn`) is not on PATH, so Kafka's jars cannot be resolved from Maven Central. "
            "Install it (Debian/Ubuntu: apt-get install -y maven; macOS: brew install maven; "
            "conda: conda install -c conda-forge maven) and run  python -m microlab.broker.fetch  again."
        )
    return mvn


def fetch(dest: Path | None = None, version: str | None = None, report=print) -> Path:
    """Resolve the broker's jars with Maven into `dest` (default: the cache). Idempotent.

    Maven writes into a temporary directory first and the result is moved into place, so
    an interrupted fetch never leaves a half cache that looks complete.
    """
    version = version or kafka_version()
    dest = dest or libs_dir(version)
    if not missing_jars(dest, version):
        report(f"Kafka {version} jars already in {dest}")
        return dest
    mvn = maven_command()
    dest.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=dest.parent, prefix=".fetch-") as tmp:
        out = Path(tmp) / "libs"
        argv = [mvn, "-B", "-q", "-f", str(POM), f"-Dkafka.version={version}",
                f"-DoutputDirectory={out}", "dependency:copy-dependencies"]
        report(f"Resolving Apache Kafka {version} from Maven Central (about 55 MB, once)...")
        proc = subprocess.run(argv, capture_output=True, text=True)
        if proc.returncode != 0:
            detail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-15:])
            raise BrokerError(f"Maven could not fetch Kafka {version} (exit {proc.returncode}):\n{detail}")
        if missing := missing_jars(out, version):
            raise BrokerError(f"Maven finished but these jars are missing: {', '.join(missing)}")
        shutil.rmtree(dest, ignore_errors=True)
        os.replace(out, dest)
    size = sum(p.stat().st_size for p in dest.glob("*.jar")) / 1e6
    report(f"Kafka {version}: {len(list(dest.glob('*.jar')))} jars, {size:.0f} MB in {dest}")
    return dest
