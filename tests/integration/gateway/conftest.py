"""A real gateway on 127.0.0.1 in front of a small real upstream, both in a background
event loop of this test process (so a test can freeze the gateway's clock).

The upstream echoes what it received as JSON; a path containing `/slow` answers after
`?seconds=x` (default 1).
"""
from __future__ import annotations

import asyncio
import threading

import pytest
from aiohttp import web

from microlab.gateway.app import Gateway, State
from microlab.gateway.resolve import Resolver


async def _echo(request: web.Request) -> web.Response:
    if "/slow" in request.path:
        await asyncio.sleep(float(request.query.get("seconds", "1")))
    body = await request.read()
    data = {"method": request.method, "path": request.path, "query": request.query_string,
            "headers": {k: v for k, v in request.headers.items()}, "body": body.decode()}
    return web.json_response(data, headers={"X-Upstream": "echo"})


class Running:
    def __init__(self, config: str, clock=None):
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.state = State(clock) if clock else State()
        self.state.apply(config)
        self.run(self._start())

    def run(self, coro, timeout: float = 15):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    async def _start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", _echo)
        self.upstream = web.AppRunner(app, access_log=None)
        await self.upstream.setup()
        site = web.TCPSite(self.upstream, "127.0.0.1", 0)
        await site.start()
        self.upstream_port = site._server.sockets[0].getsockname()[1]
        resolver = Resolver({"echo": ("127.0.0.1", self.upstream_port)})
        self.gateway = Gateway(self.state, resolver, port=0, admin_port=0)
        await self.gateway.start()
        self.url = f"http://127.0.0.1:{self.gateway.port}"
        self.admin_url = f"http://127.0.0.1:{self.gateway.admin_port}"

    async def _stop(self) -> None:
        await self.gateway.stop()
        await self.upstream.cleanup()

    def close(self) -> None:
        try:
            self.run(self._stop())
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(10)
            self.loop.close()


@pytest.fixture
def start_gateway():
    """start_gateway(yaml_text, clock=None) -> Running; everything is stopped afterwards."""
    started: list[Running] = []

    def start(config: str, clock=None) -> Running:
        started.append(Running(config, clock))
        return started[-1]

    yield start
    for running in started:
        running.close()
    assert not [r for r in started if r.thread.is_alive()], "a gateway loop thread survived"


@pytest.fixture(scope="module")
def module_gateway(request):
    """One gateway for a whole test module, configured with the module's CONFIG (and its
    CLOCK, when the module holds time still)."""
    running = Running(request.module.CONFIG, getattr(request.module, "CLOCK", None))
    yield running
    running.close()
    assert not running.thread.is_alive()
