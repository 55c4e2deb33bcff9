"""One broker as a process you hold: for tests, benchmarks and `fetch`'s warm-up run.

The local backend starts the very same command (`python -m microlab.broker.run HOME`);
this class adds start/stop/kill/restart around it for code that is not a lab.

    with SingleNodeBroker(tmp_path / "kafka") as broker:
        producer = KafkaProducer(bootstrap_servers=broker.bootstrap)
"""
from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

from microlab.broker import client, config, jars, server
from microlab import ports
from microlab.local import processes


class SingleNodeBroker:
    def __init__(self, home: Path, port: int | None = None, controller_port: int | None = None,
                 libs: Path | None = None):
        self.home = Path(home)
        self.port = port or ports.free_port()
        self.controller_port = controller_port or ports.free_port()
        self.libs = libs
        self.pid: int | None = None
        self.log = self.home / "broker.log"
        self.ready_after: float | None = None  # seconds from the last start() to ready

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    def write_config(self) -> Path:
        self.home.mkdir(parents=True, exist_ok=True)
        path = self.home / "server.properties"
        path.write_text(config.local(server.log_dir(self.home), self.port, self.controller_port))
        return path

    def argv(self) -> list[str]:
        libs = ["--libs", str(self.libs)] if self.libs else []
        return [sys.executable, "-m", "microlab.broker.run", str(self.home), *libs]

    def start(self, timeout: float = 60.0) -> "SingleNodeBroker":
        if self.running:
            raise jars.BrokerError(f"the broker in {self.home} is already running (pid {self.pid})")
        self.write_config()
        started = time.monotonic()
        self.pid = processes.spawn(self.argv(), os.environ.copy(), self.log)
        self.wait_ready(timeout, started)
        return self

    def wait_ready(self, timeout: float, started: float | None = None) -> None:
        started = started or time.monotonic()
        while not client.metadata_ready(self.bootstrap):
            if not self.running:
                raise jars.BrokerError(f"Kafka exited at start; last lines of {self.log}:\n"
                                       f"{processes.tail(self.log, 20)}")
            if time.monotonic() - started > timeout:
                self.stop()
                raise jars.BrokerError(f"Kafka was not ready after {timeout:.0f} s; see {self.log}")
            time.sleep(0.05)
        self.ready_after = time.monotonic() - started

    @property
    def running(self) -> bool:
        return self.pid is not None and processes.alive(self.pid)

    def stop(self) -> None:
        """A clean shutdown (SIGTERM), as `kafka-server-stop.sh` does."""
        if self.pid is not None:
            processes.stop_group(self.pid, grace=30.0)
            self.pid = None

    def kill(self) -> None:
        """A crash: SIGKILL, no shutdown hooks run."""
        if self.pid is not None:
            try:
                os.killpg(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            processes.stop_group(self.pid, grace=5.0)
            self.pid = None

    def restart(self, timeout: float = 60.0) -> "SingleNodeBroker":
        self.stop()
        return self.start(timeout)

    def __enter__(self) -> "SingleNodeBroker":
        return self.start() if not self.running else self

    def __exit__(self, *exc) -> None:
        self.stop()
