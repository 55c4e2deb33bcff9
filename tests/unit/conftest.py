import importlib

import pytest
from fastapi.testclient import TestClient


@pytest.fixture(autouse=True)
def _lab_state_in_tmp(tmp_path, monkeypatch):
    """A unit test that makes a lab's token (a Docker spec's admin env) writes that lab's state;
    it goes to the test's own folder, not to the session's labs, which the exit sweep takes
    down with the lab's backend (Docker, which a unit run need not have)."""
    monkeypatch.setenv("MICROLAB_HOME", str(tmp_path / "microlab-home"))


@pytest.fixture
def make_client(tmp_path, monkeypatch):
    """A TestClient for one app of the shop, on its own fresh SQLite file."""

    def make(module: str, **env: str) -> TestClient:
        monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / (module + '.db')}")
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        app = importlib.import_module(f"labs.{module}.app").app
        client = TestClient(app)
        client.__enter__()
        clients.append(client)
        return client

    clients: list[TestClient] = []
    yield make
    for client in clients:
        client.__exit__(None, None, None)
