"""`down()` on Docker removes every container before the lab's network, and leaves no
network behind even when someone else is removing the lab too or has joined its network.

The failure these guard against: "network microlab-... has active endpoints" from down(),
when a container was still attached as the network was removed."""
from __future__ import annotations

import threading

import pytest
from docker.errors import NotFound

from microlab import Lab
from microlab.docker import naming


def down_at_once(name: str, how_many: int) -> list[BaseException]:
    """down() from `how_many` Lab objects of one lab, all released together (a notebook's
    kernel and `microlab down` in a terminal); returns what each raised."""
    start = threading.Barrier(how_many)
    errors: list[BaseException] = []

    def down() -> None:
        lab = Lab(backend="docker", name=name, quiet=True)
        start.wait()
        try:
            lab.down()
        except BaseException as exc:  # the test reports it, with the others
            errors.append(exc)

    threads = [threading.Thread(target=down) for _ in range(how_many)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a down() hung"
    return errors


@pytest.fixture
def stranger(docker_client, docker_images):
    """stranger(network, **labels) -> a container microlab did not create, joined to a lab's
    network (a student's debugging shell); removed afterwards if still there."""
    made = []

    def run(network: str, **labels: str):
        container = docker_client.containers.run(docker_images.refs["service"], ["sleep", "600"],
                                                 detach=True, network=network, labels=labels)
        made.append(container)
        return container

    yield run
    for container in made:
        try:
            container.remove(force=True)
        except NotFound:  # down() removed it: it carried the lab's label
            pass


def test_downs_running_at_once_all_succeed_and_leave_nothing(make_lab, find_leftovers):
    lab = make_lab()
    lab.up("monolith")
    errors = down_at_once(lab.name, how_many=3)
    assert errors == []
    assert find_leftovers(lab.name) == []


def test_down_removes_a_labelled_container_it_did_not_create(make_lab, stranger, docker_client,
                                                            find_leftovers):
    lab = make_lab()
    lab.up("monolith")
    extra = stranger(naming.network(lab.name), **naming.labels(lab.name, "debug-shell"))
    lab.down()
    assert find_leftovers(lab.name) == []
    assert not docker_client.containers.list(all=True, filters={"id": extra.id})


def test_down_detaches_an_unlabelled_container_from_the_network_and_keeps_it(
        make_lab, stranger, docker_client, find_leftovers):
    """Not the lab's to remove (no label), but it must not keep the lab's network alive."""
    lab = make_lab()
    lab.up("monolith")
    network = naming.network(lab.name)
    extra = stranger(network)
    lab.down()
    assert find_leftovers(lab.name) == []
    assert not docker_client.networks.list(names=[network])
    extra.reload()
    assert extra.status == "running" and network not in extra.attrs["NetworkSettings"]["Networks"]


def test_owned_is_empty_after_down(make_lab):
    lab = make_lab()
    lab.up("monolith")
    assert {o.component for o in lab.backend.owned()} == {"monolith", "monolith-db"}
    lab.down()
    assert lab.backend.owned() == []
    lab.down()  # a second down() of a lab that is gone is no error
