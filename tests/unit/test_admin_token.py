"""The lab's admin token: kept in its state, required by the gateway's admin API."""
import asyncio

from aiohttp.test_utils import TestClient, TestServer

from microlab import admintoken, state
from microlab.gateway import admin
from microlab.gateway.app import State

CONFIG = "_format_version: '3.0'\nservices: []\n"


def test_the_token_is_made_once_and_survives_a_writer_that_never_read_it(tmp_path, monkeypatch):
    monkeypatch.setenv("MICROLAB_HOME", str(tmp_path))
    token = admintoken.for_lab("lab-a", "docker")
    assert len(token) >= 24 and admintoken.for_lab("lab-a", "docker") == token
    state.save_lab("lab-a", state.LabState(backend="docker", stack="services"))  # as docker's up() does
    assert state.load_lab("lab-a").admin_token == token
    assert admintoken.for_lab("lab-b", "local") != token


def _calls(token: str) -> dict[str, int]:
    async def run() -> dict[str, int]:
        gw = State()
        gw.apply(CONFIG)
        client = TestClient(TestServer(admin.make_app(gw, token=token)))
        await client.start_server()
        try:
            found = {}
            for label, headers in (("none", {}), ("wrong", {admintoken.HEADER: "x"}),
                                   ("right", {admintoken.HEADER: token})):
                found[label] = (await client.post("/config", json={"config": CONFIG}, headers=headers)).status
            found["status"] = (await client.get("/status")).status
            found["read"] = (await client.get("/config")).status
            return found
        finally:
            await client.close()

    return asyncio.run(run())


def test_the_gateway_admin_api_refuses_calls_without_the_token():
    assert _calls("secret-of-this-lab") == {"none": 401, "wrong": 403, "right": 201, "status": 200, "read": 401}
