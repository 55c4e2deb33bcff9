"""One real Kafka broker for the whole session (a JVM start costs seconds on 2 cores), and
a fresh topic per test so tests never see each other's records."""
from __future__ import annotations

import uuid

import pytest
from kafka import KafkaAdminClient
from kafka.admin import NewTopic

from microlab.broker import jars
from microlab.broker.single import SingleNodeBroker
from microlab.local.processes import alive


def _libs():
    if jars.missing_jars(jars.libs_dir()):
        jars.fetch()  # CI: `python -m microlab.broker.fetch` should have done it already
    return jars.libs_dir()


@pytest.fixture(scope="session")
def broker(tmp_path_factory, until_folder_ends):
    _libs()
    node = SingleNodeBroker(tmp_path_factory.mktemp("kafka") / "home")
    node.start()
    until_folder_ends(__file__).callback(_stopped, node, node.pid)  # after the last Kafka test
    yield node


def _stopped(node: SingleNodeBroker, pid: int) -> None:
    node.stop()
    assert not alive(pid), "the session broker outlived its tests"


@pytest.fixture
def fresh_broker(tmp_path):
    """A broker of the test's own, for tests that stop, kill or restart it."""
    _libs()
    node = SingleNodeBroker(tmp_path / "home")
    pids = []
    try:
        yield node, pids
    finally:
        pids.append(node.pid)
        node.stop()
        assert not [p for p in pids if p and alive(p)], "a broker process outlived its test"


@pytest.fixture
def admin(broker):
    client = KafkaAdminClient(bootstrap_servers=broker.bootstrap, client_id="tests")
    yield client
    client.close()


@pytest.fixture
def new_topic(admin):
    """new_topic(partitions) -> the name of a topic created just now."""

    def create(partitions: int = 1) -> str:
        name = f"t-{uuid.uuid4().hex[:10]}"
        admin.create_topics([NewTopic(name, partitions, 1)])
        return name

    return create
