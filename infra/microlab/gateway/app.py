"""The running gateway: one proxy listener and one admin listener in one event loop,
sharing a `State` whose runtime a hot apply swaps in one assignment."""
from __future__ import annotations

import hashlib
import time
from typing import Callable

from aiohttp import web

from microlab.gateway import admin, model, validation
from microlab.gateway.plugins.rate_limiting import Counters
from microlab.gateway.proxy import Proxy
from microlab.gateway.resolve import Resolver
from microlab.gateway.source import SourceError


class InvalidConfig(ValueError):
    def __init__(self, report: validation.Report):
        super().__init__(str(report))
        self.report = report


class State:
    """The current config. `apply` either swaps in a whole new runtime or changes nothing."""

    def __init__(self, clock: Callable[[], float] = time.time):
        self.counters = Counters(clock)
        self.runtime: model.Runtime | None = None
        self.report: validation.Report | None = None
        self.applied_at = 0.0

    def apply(self, config, name: str | None = None) -> validation.Report:
        try:
            source = validation.read(config, name)
        except SourceError as exc:
            raise InvalidConfig(validation.syntax_report(exc, name or "<config>")) from None
        report = validation.validate_source(source)
        if not report.ok:
            raise InvalidConfig(report)
        runtime = model.build(report, self.counters, source.text)
        self.runtime, self.report, self.applied_at = runtime, report, time.time()
        return report

    @property
    def hash(self) -> str:
        return hashlib.md5((self.runtime.text if self.runtime else "").encode()).hexdigest()


MAX_BODY = 64 * 1024 * 1024  # Kong sets no limit; aiohttp's default (1 MiB) is too small


def _large_bodies(server: web.Server):
    def make(message, payload, protocol, writer, task):
        return web.BaseRequest(message, payload, protocol, writer, task, server._loop,
                               client_max_size=MAX_BODY)

    return make


class Gateway:
    """Start with `await gw.start()`, stop with `await gw.stop()`; or `run()` from __main__."""

    def __init__(self, state: State, resolver: Resolver | None = None, host: str = "127.0.0.1",
                 port: int = 8000, admin_host: str = "127.0.0.1", admin_port: int | None = 8001):
        self.state, self.host, self.port = state, host, port
        self.admin_host, self.admin_port = admin_host, admin_port
        self.proxy = Proxy(state, resolver or Resolver(), port)
        self.runners: list[web.BaseRunner] = []

    async def start(self) -> None:
        await self.proxy.start()
        if self.admin_port is not None:  # admin first: once the proxy answers, apply works too
            runner = web.AppRunner(admin.make_app(self.state), access_log=None)
            await runner.setup()
            site = web.TCPSite(runner, self.admin_host, self.admin_port)
            await site.start()
            self.admin_port = site._server.sockets[0].getsockname()[1]
            self.runners.append(runner)
        server = web.Server(self.proxy.handle)
        server.request_factory = _large_bodies(server)
        runner = web.ServerRunner(server, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port, backlog=512)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]
        self.proxy.listen_port = self.port
        self.runners.append(runner)

    async def stop(self) -> None:
        for runner in reversed(self.runners):
            await runner.cleanup()
        self.runners.clear()
        await self.proxy.close()
