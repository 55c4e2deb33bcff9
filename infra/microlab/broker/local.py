"""The local backend's launcher for kind "broker": Apache Kafka on the JVM, on 127.0.0.1.

The broker's home is the lab's data dir for the component (server.properties + logs/), so
topics, data and committed offsets survive a broker restart and go away with `lab.down()`.
Its output goes to the lab's logs dir like every component's (`lab.logs("kafka")`).
"""
from __future__ import annotations

import sys

from microlab.broker import client, config, jars, server
from microlab.broker.java import find_java
from microlab.local.launchers import LaunchContext, LaunchSpec, register
from microlab.local.processes import free_port, port_is_free
from microlab.topology import Component

READY_TIMEOUT = 90.0  # a cold JVM on a busy 2-core machine; about 3 s when idle


def _controller_port(home) -> int:
    """The KRaft controller's port: the one used before when still free (stable across restarts)."""
    saved = home / "controller.port"
    if saved.exists():
        port = int(saved.read_text())
        if port_is_free(port):
            return port
    port = free_port()
    saved.write_text(str(port))
    return port


class KafkaLauncher:
    def spec(self, component: Component, port: int, ctx: LaunchContext) -> LaunchSpec:
        find_java()  # fail now, with what to install, rather than in the broker's log
        if jars.missing_jars(jars.libs_dir()):
            jars.fetch()  # the first lab on a machine resolves the jars (once)
        home = ctx.data_dir(component.name)
        controller_port = _controller_port(home)
        (home / "server.properties").write_text(
            config.local(server.log_dir(home), port, controller_port))
        argv = [sys.executable, "-m", "microlab.broker.run", str(home)]
        return LaunchSpec(argv, ctx.base_env(component), ready_timeout=READY_TIMEOUT,
                          extra={"controller_port": controller_port, "home": str(home)})

    def ready(self, component: Component, port: int) -> bool:
        return client.metadata_ready(f"127.0.0.1:{port}")


register("broker", KafkaLauncher())
