"""Docker tests run against a real engine, or skip, all of them, with the reason shown
in the pytest summary. Every test also checks through the SDK that no container,
network or volume of its labs is left behind."""
from __future__ import annotations

import uuid

import pytest

from microlab import Lab
from microlab.engine import docker_problem

_WHY_SKIPPED: list[str] = []


def leftovers(client, prefix: str) -> list[str]:
    """Every resource whose microlab.lab label starts with `prefix`, as 'kind name'."""
    from microlab.docker import naming

    def mine(labels) -> bool:
        return (labels or {}).get(naming.LAB, "").startswith(prefix)

    found = [f"container {c.name}" for c in client.containers.list(all=True, filters=naming.ANY_LAB)
             if mine(c.labels)]
    found += [f"network {n.name}" for n in client.networks.list(filters=naming.ANY_LAB)
              if mine(n.attrs.get("Labels"))]
    found += [f"volume {v.name}" for v in client.volumes.list(filters=naming.ANY_LAB)
              if mine(v.attrs.get("Labels"))]
    return found


@pytest.fixture(scope="session")
def docker_client():
    problem = docker_problem()
    if problem is not None:
        if not _WHY_SKIPPED:
            _WHY_SKIPPED.append(problem)
        pytest.skip(f"no Docker engine: {problem}")
    from microlab.docker import engine

    return engine.client()


@pytest.fixture(scope="session")
def docker_images(docker_client):
    """The images every stack needs, built or loaded once (first time here: ~90 s)."""
    from microlab.docker import images, specs
    from microlab.topology import STACKS

    roles = set().union(*(specs.roles_for(c) for c in STACKS.values()))
    return images.ensure(docker_client, roles, report=print)


@pytest.fixture(scope="session")
def find_leftovers(docker_client):
    """find_leftovers(lab_name_or_prefix) -> what the engine still holds of those labs."""
    return lambda prefix: leftovers(docker_client, prefix)


@pytest.fixture
def prefix():
    return f"dk{uuid.uuid4().hex[:6]}"


@pytest.fixture(autouse=True)
def _nothing_left_behind(docker_client, prefix):
    yield
    assert leftovers(docker_client, prefix) == [], "the test's labs left resources behind"


@pytest.fixture(scope="session")
def services_lab(docker_images, find_leftovers, until_folder_ends):
    """One "services" lab shared by the modules' tests (it takes ~30 s on 2 cores). A test
    that changes it (stops a service, applies another gateway config) puts it back."""
    prefix = f"dkmod{uuid.uuid4().hex[:6]}"
    lab = Lab(backend="docker", name=prefix, quiet=True)
    until_folder_ends(__file__).callback(_down_and_gone, lab, prefix, find_leftovers)
    lab.up("services")  # down'ed after the last Docker test, even when this fails
    yield lab


def _down_and_gone(lab: Lab, prefix: str, find_leftovers) -> None:
    lab.down()
    assert find_leftovers(prefix) == []


@pytest.fixture
def make_lab(docker_images, prefix):
    """make_lab() -> a new docker Lab of this test; all are torn down afterwards."""
    made: list[Lab] = []

    def make() -> Lab:
        lab = Lab(backend="docker", name=f"{prefix}-{len(made)}", quiet=True)
        made.append(lab)
        return lab

    yield make
    for lab in made:
        lab.down()


def pytest_collection_modifyitems(items):
    """The first docker test may build the offline images (~4 min on a busy 2-core machine
    when CI did not run `microlab images build` first): more room than the default 300 s."""
    for item in items:
        if item.get_closest_marker("docker") and not item.get_closest_marker("timeout"):
            item.add_marker(pytest.mark.timeout(900))


def pytest_terminal_summary(terminalreporter):
    if _WHY_SKIPPED:
        terminalreporter.write_sep("-", "Docker tests skipped")
        terminalreporter.write_line(f"no Docker engine could be had: {_WHY_SKIPPED[0]}")
        terminalreporter.write_line("(CI starts one with infra/scripts/ensure-docker.sh)")
