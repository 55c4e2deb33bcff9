"""Kind "broker": Apache Kafka, KRaft single node, on the JVM.

Local backend: a process whose home is the lab's data dir for the component
(server.properties + logs/), so topics, data and committed offsets survive a broker restart
and go away with `lab.down()`.

Docker backend: two listeners. PLAINTEXT for the lab's network, advertised as kafka:9092
(what the services are given), and HOST, advertised as 127.0.0.1:<host port> and published
on that same port, so a notebook's kafka-python client can follow the advertised address.
The host port is picked when the container is made ("{host_port}" below).
"""
from __future__ import annotations

import sys

from microlab.broker import client, config, jars, server
from microlab.broker.java import find_java
from microlab.kinds.spec import ContainerSpec, LaunchContext, LaunchSpec, Ready, SpecContext
from microlab.ports import can_listen, free_port
from microlab.topology import Component

IMAGE_ROLE = "kafka"
READY_TIMEOUT = 90.0  # a cold JVM on a busy 2-core machine; about 3 s when idle
HOST_LISTENER_PORT = 29092  # inside the container; published as 127.0.0.1:<host port>
CONTROLLER_PORT = 9093  # inside the container
DATA = "/var/lib/kafka"  # offline image: server.properties and logs/ (pre-formatted)
OFFICIAL_DATA = "/var/lib/kafka/data"  # apache/kafka: its VOLUME, owned by its appuser


def ready(c: Component) -> Ready:
    return lambda port: client.metadata_ready(f"127.0.0.1:{port}")  # a metadata fetch


# -- local process --------------------------------------------------------------------
def _controller_port(home, avoid) -> int:
    """The KRaft controller's port: the one used before when still free (stable across restarts)."""
    saved = home / "controller.port"
    if saved.exists():
        port = int(saved.read_text())
        if can_listen(port):
            return port
    port = free_port(avoid)
    saved.write_text(str(port))
    return port


def launch(c: Component, port: int, ctx: LaunchContext) -> LaunchSpec:
    find_java()  # fail now, with what to install, rather than in the broker's log
    if jars.missing_jars(jars.libs_dir()):
        jars.fetch()  # the first lab on a machine resolves the jars (once)
    home = ctx.data_dir(c.name)
    controller_port = _controller_port(home, avoid=ctx.ports.values())
    (home / "server.properties").write_text(config.local(server.log_dir(home), port, controller_port))
    argv = [sys.executable, "-m", "microlab.broker.run", str(home)]
    # spawned, not forked: it execs the JVM at once, so nothing warm is worth sharing, and it
    # starts before the fork server has finished its imports
    return LaunchSpec(argv, ctx.base_env(c), ready_timeout=READY_TIMEOUT, fork=False,
                      extra={"controller_port": controller_port, "home": str(home)})


# -- container ------------------------------------------------------------------------
def listeners(port: int, name: str, host_port: str) -> tuple[dict, dict]:
    """(listeners, advertised) of the lab's broker container."""
    bind = {"PLAINTEXT": f"0.0.0.0:{port}", "HOST": f"0.0.0.0:{HOST_LISTENER_PORT}",
            "CONTROLLER": f"localhost:{CONTROLLER_PORT}"}
    return bind, {"PLAINTEXT": f"{name}:{port}", "HOST": f"127.0.0.1:{host_port}"}


def container(c: Component, ctx: SpecContext) -> ContainerSpec:
    bind, advertised = listeners(c.port, c.name, "{host_port}")
    common = dict(name=c.name, kind=c.kind, role=IMAGE_ROLE, port=HOST_LISTENER_PORT,
                  ready=ready(c), ready_timeout=READY_TIMEOUT)
    if ctx.image_set == "official":  # apache/kafka: configuration through KAFKA_* variables
        env = config.image_env(OFFICIAL_DATA, bind, advertised)
        check = ["CMD-SHELL", f"/opt/kafka/bin/kafka-broker-api-versions.sh --bootstrap-server "
                              f"localhost:{c.port} >/dev/null 2>&1"]
        return ContainerSpec(env=env, healthcheck=check, data_path=OFFICIAL_DATA,
                             detail="apache/kafka (KRaft)", health_interval=15.0, **common)
    properties = config.render(f"{DATA}/logs", bind, advertised)
    env = {"KAFKA_SERVER_PROPERTIES": properties, "CLUSTER_ID": config.new_cluster_id()}
    # a JVM per check would cost more than the broker: Docker's own check is the listener
    # (microlab's readiness is still a real metadata fetch)
    check = ["CMD-SHELL", f"bash -c '</dev/tcp/127.0.0.1/{c.port}'"]
    return ContainerSpec(env=env, healthcheck=check, data_path=DATA,
                         detail="Apache Kafka on Debian's Java (offline image set)", **common)
