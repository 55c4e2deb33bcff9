"""The offline image set keeps the official images' contracts (it stands in for them
where no registry exists)."""
from __future__ import annotations

import time

import psycopg
import pytest



@pytest.fixture
def run(docker_client, docker_images, prefix):
    """run(role, **kwargs) -> a container of this test, removed afterwards."""
    if docker_images.set != "offline":
        pytest.skip("the official image set is in use")
    started = []

    def start(role: str, **kwargs):
        container = docker_client.containers.run(
            docker_images.refs[role], detach=True, labels={"microlab.lab": prefix}, **kwargs)
        started.append(container)
        return container

    yield start
    for container in started:
        container.remove(force=True, v=True)


def _wait_exit(container, timeout: float = 30) -> int:
    return container.wait(timeout=timeout)["StatusCode"]


def _connect(container, user: str, password: str, dbname: str, timeout: float = 30):
    container.reload()
    port = int(container.attrs["NetworkSettings"]["Ports"]["5432/tcp"][0]["HostPort"])
    deadline = time.monotonic() + timeout
    while True:
        try:
            return psycopg.connect(host="127.0.0.1", port=port, user=user, password=password,
                                   dbname=dbname, connect_timeout=3)
        except psycopg.OperationalError as exc:
            if "password authentication failed" in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_postgres_refuses_to_start_without_a_password(run):
    container = run("postgres", environment={"POSTGRES_USER": "alice"})
    assert _wait_exit(container) != 0
    assert "POSTGRES_PASSWORD is required" in container.logs().decode()


def test_postgres_database_defaults_to_the_user_and_only_that_password_opens_it(run):
    container = run("postgres", environment={"POSTGRES_USER": "alice", "POSTGRES_PASSWORD": "s3cret'x"},
                    ports={"5432/tcp": ("127.0.0.1", None)})
    with _connect(container, "alice", "s3cret'x", "alice") as conn:
        row = conn.execute("SELECT current_user, current_database(), rolsuper FROM pg_roles "
                           "WHERE rolname = current_user").fetchone()
        assert row == ("alice", "alice", True)
    for user, password in (("alice", "wrong"), ("postgres", "")):
        with pytest.raises(psycopg.OperationalError):
            _connect(container, user, password, "alice", timeout=3)
