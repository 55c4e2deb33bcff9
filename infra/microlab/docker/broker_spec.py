"""Container spec for kind "broker": Apache Kafka, KRaft single node.

Two listeners: PLAINTEXT for the lab's network, advertised as kafka:9092 (what the
services are given), and HOST, advertised as 127.0.0.1:<host port> and published on
that same port, so a notebook's kafka-python client can follow the advertised address.
The host port is picked when the container is made ("{host_port}" below).
"""
from __future__ import annotations

from microlab.docker.specs import ContainerSpec, SpecContext, register
from microlab.topology import Component

HOST_LISTENER_PORT = 29092  # inside the container; published as 127.0.0.1:<host port>
CONTROLLER_PORT = 9093
DATA = "/var/lib/kafka"  # offline image: server.properties and logs/ (pre-formatted)
OFFICIAL_DATA = "/var/lib/kafka/data"  # apache/kafka: its VOLUME, owned by its appuser


def _ready(port: int) -> bool:
    from microlab.broker.client import metadata_ready

    return metadata_ready(f"127.0.0.1:{port}")  # a metadata fetch, never just an open port


def listeners(port: int, name: str, host_port: str) -> tuple[dict, dict]:
    """(listeners, advertised) of the lab's broker container."""
    bind = {"PLAINTEXT": f"0.0.0.0:{port}", "HOST": f"0.0.0.0:{HOST_LISTENER_PORT}",
            "CONTROLLER": f"localhost:{CONTROLLER_PORT}"}
    return bind, {"PLAINTEXT": f"{name}:{port}", "HOST": f"127.0.0.1:{host_port}"}


def broker_spec(c: Component, ctx: SpecContext) -> ContainerSpec:
    from microlab.broker import config

    listeners_, advertised = listeners(c.port, c.name, "{host_port}")
    common = dict(name=c.name, kind=c.kind, role="kafka", port=HOST_LISTENER_PORT, ready=_ready,
                  ready_timeout=90.0)
    if ctx.image_set == "official":  # apache/kafka: configuration through KAFKA_* variables
        env = {
            "KAFKA_NODE_ID": "1", "KAFKA_PROCESS_ROLES": "broker,controller",
            "KAFKA_LISTENERS": ",".join(f"{k}://{v}" for k, v in listeners_.items()),
            "KAFKA_ADVERTISED_LISTENERS": ",".join(f"{k}://{v}" for k, v in advertised.items()),
            "KAFKA_LISTENER_SECURITY_PROTOCOL_MAP": "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,HOST:PLAINTEXT",
            "KAFKA_CONTROLLER_QUORUM_VOTERS": f"1@localhost:{CONTROLLER_PORT}",
            "KAFKA_CONTROLLER_LISTENER_NAMES": "CONTROLLER", "KAFKA_INTER_BROKER_LISTENER_NAME": "PLAINTEXT",
            "KAFKA_LOG_DIRS": OFFICIAL_DATA,
            **{f"KAFKA_{k.upper().replace('.', '_')}": v for k, v in config.SINGLE_NODE.items()},
        }
        check = ["CMD-SHELL", f"/opt/kafka/bin/kafka-broker-api-versions.sh --bootstrap-server localhost:{c.port}"
                 " >/dev/null 2>&1"]
        return ContainerSpec(env=env, healthcheck=check, data_path=OFFICIAL_DATA,
                             detail="apache/kafka (KRaft)", health_interval=15.0, **common)
    properties = config.render(f"{DATA}/logs", listeners_, advertised)
    env = {"KAFKA_SERVER_PROPERTIES": properties, "CLUSTER_ID": config.new_cluster_id()}
    # a JVM per check would cost more than the broker: Docker's own check is the listener
    # (microlab's readiness is still a real metadata fetch)
    check = ["CMD-SHELL", f"bash -c '</dev/tcp/127.0.0.1/{c.port}'"]
    return ContainerSpec(env=env, healthcheck=check, data_path=DATA,
                         detail="Apache Kafka on Debian's Java (offline image set)", **common)


register("broker", broker_spec, "kafka")
