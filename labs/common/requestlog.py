"""Every request through a service: its request id, the lab's injected faults, one log line.

A plain ASGI middleware, not Starlette's `@app.middleware("http")` (BaseHTTPMiddleware): that
one runs each request through a task group and memory streams, which cost about as much CPU as
the endpoint itself on a small GET. The log line's format is what `lab.trace` and the graders
read: `request_id=<id> <METHOD> <path> -> <status> (<ms> ms)`.
"""
from __future__ import annotations

import asyncio
import logging
import time

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from labs.common import requestid
from labs.common.faults import Faults

UNFAULTED = ("/health", "/admin/", "/docs", "/openapi.json", "/redoc")
_HEADER_KEY = requestid.HEADER.lower().encode("latin-1")


class RequestLog:
    def __init__(self, app: ASGIApp, log: logging.Logger, faults: Faults):
        self.app, self.log, self.faults = app, log, faults

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        rid = _request_id(scope)
        token = requestid.current.set(rid)
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", ()), (_HEADER_KEY, rid.encode("latin-1"))]
                # logged before the caller can have the answer: a client that reads the log
                # right after its call finds the line
                took = (time.perf_counter() - started) * 1000
                self.log.info("request_id=%s %s %s -> %s (%.1f ms)", rid, scope["method"], scope["path"],
                              message["status"], took)
            await send(message)

        try:
            await self._with_faults(scope, receive, send_with_id)
        finally:
            requestid.current.reset(token)

    async def _with_faults(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not scope["path"].startswith(UNFAULTED):
            if self.faults.latency_ms:
                await asyncio.sleep(self.faults.latency_ms / 1000)
            if self.faults.should_fail():
                failed = JSONResponse({"error": "injected fault (lab.fault error_rate)",
                                       "request_id": requestid.current.get()}, status_code=500)
                return await failed(scope, receive, send)
        await self.app(scope, receive, send)


def _request_id(scope: Scope) -> str:
    for name, value in scope["headers"]:
        if name == _HEADER_KEY:
            return value.decode("latin-1") or requestid.new_id()
    return requestid.new_id()
