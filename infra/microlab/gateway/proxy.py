"""The proxy: route, run plugins, forward on a pooled aiohttp client, add Kong's headers.

Kept lean on purpose: it sits on every request and the budget is ~1 ms added at p50.
"""
from __future__ import annotations

import asyncio
import logging
import os
import time

import aiohttp
from aiohttp import web
from multidict import CIMultiDict

from microlab.gateway.exchange import SERVER, Exchange, Reply, kong_error

log = logging.getLogger("microlab.gateway")
VIA = f"1.1 {SERVER}"
HOP_BY_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te",
              "trailer", "trailers", "transfer-encoding", "upgrade", "host", "content-length"}
INVALID_RESPONSE = "An invalid response was received from the upstream server"
TIMING_OUT = "The upstream server is timing out"


def _ms(seconds: float) -> str:
    return str(int(seconds * 1000))


class Proxy:
    def __init__(self, state, resolver, listen_port: int):
        self.state = state  # has .runtime (swapped atomically by a hot apply)
        self.resolve = resolver
        self.listen_port = listen_port
        self.session: aiohttp.ClientSession | None = None
        self._timeouts: dict = {}  # per Service (frozen, hashable): built once, not per request

    async def start(self) -> None:
        connector = aiohttp.TCPConnector(limit=256, keepalive_timeout=60, ttl_dns_cache=10)
        self.session = aiohttp.ClientSession(connector=connector, auto_decompress=False,
                                             cookie_jar=aiohttp.DummyCookieJar(),
                                             skip_auto_headers=("User-Agent", "Accept-Encoding",
                                                                "Accept", "Content-Type"))

    async def close(self) -> None:
        if self.session is not None:
            await self.session.close()

    async def handle(self, request: web.BaseRequest) -> web.StreamResponse:
        try:
            return await self._handle(request)
        except Exception:  # a bug must not drop the connection: answer as Kong does
            log.exception("unexpected error on %s %s", request.method, request.path)
            return self.reply(Exchange(request.method, request.path, request.rel_url.query,
                                       request.headers, request.remote or "", os.urandom(16).hex()),
                              kong_error(500, "An unexpected error occurred", ""))

    async def _handle(self, request: web.BaseRequest) -> web.StreamResponse:
        rt = self.state.runtime  # this request keeps this config to the end
        raw = request.raw_path
        path, _, query = raw.partition("?")
        ex = Exchange(request.method, path, request.rel_url.query, request.headers,
                      request.remote or "", os.urandom(16).hex())
        match = rt.router.match(ex.method, path, request.headers.get("Host", ""), request.headers)
        if match is None:
            return self.reply(ex, kong_error(404, "no Route matched with those values", ex.request_id))
        route = match.route
        ex.route, ex.service, ex.prefix, ex.upstream_path = route, route.service, match.prefix, match.upstream_path
        if "http" not in route.protocols:
            return self.reply(ex, kong_error(426, "Please use HTTPS protocol", ex.request_id,
                                             {"Connection": "Upgrade", "Upgrade": "TLS/1.2, HTTP/1.1"}))
        if route.service is None:
            return self.reply(ex, kong_error(503, "no Service found with those values", ex.request_id))
        for _name, instances in rt.chain(route):
            for plugin in instances:
                if plugin.for_consumer(ex.consumer):
                    reply = plugin.handler.access(ex)
                    if reply is not None:
                        return self.reply(ex, reply)
                    break
        return await self.forward(request, ex, query)

    def reply(self, ex: Exchange, reply: Reply) -> web.Response:
        headers = CIMultiDict(reply.headers)
        headers.update(ex.response_headers)
        for callback in ex.after:
            callback(ex, headers)
        headers["X-Kong-Response-Latency"] = _ms(time.perf_counter() - ex.started)
        headers["Server"] = SERVER
        headers["X-Kong-Request-Id"] = ex.request_id
        return web.Response(status=reply.status, body=reply.body, headers=headers)

    def upstream_headers(self, request: web.BaseRequest, ex: Exchange) -> CIMultiDict:
        service, route = ex.service, ex.route
        headers = CIMultiDict((k, v) for k, v in request.headers.items() if k.lower() not in HOP_BY_HOP)
        host = request.headers.get("Host", "")
        headers["Host"] = host if route.preserve_host and host else service.host_header
        forwarded_for = request.headers.get("X-Forwarded-For")
        headers["X-Forwarded-For"] = f"{forwarded_for}, {ex.client_ip}" if forwarded_for else ex.client_ip
        headers["X-Forwarded-Proto"] = "http"
        headers["X-Forwarded-Host"] = host.rsplit(":", 1)[0] if host else ""
        headers["X-Forwarded-Port"] = str(self.listen_port)
        headers["X-Forwarded-Path"] = ex.path
        headers.popall("X-Forwarded-Prefix", None)
        if ex.prefix and ex.prefix != "/":
            headers["X-Forwarded-Prefix"] = ex.prefix
        headers["X-Real-IP"] = ex.client_ip
        headers["X-Kong-Request-Id"] = ex.request_id
        via = request.headers.get("Via")
        headers["Via"] = f"{via}, {VIA}" if via else VIA
        for name in ex.drop_upstream:
            headers.popall(name, None)
        headers.update(ex.set_upstream)
        return headers

    def upstream_url(self, ex: Exchange, query: str) -> str:
        service = ex.service
        host, port = self.resolve(service.host, service.port)
        if ex.drop_query:
            query = "&".join(p for p in query.split("&") if p.split("=", 1)[0] not in ex.drop_query)
        url = f"{service.protocol}://{host}:{port}{ex.upstream_path}"
        return f"{url}?{query}" if query else url

    async def forward(self, request: web.BaseRequest, ex: Exchange, query: str) -> web.StreamResponse:
        service = ex.service
        body = await request.read() if request.body_exists else None
        headers = self.upstream_headers(request, ex)
        url = self.upstream_url(ex, query)
        timeout = self._timeouts.get(service)
        if timeout is None:
            if len(self._timeouts) > 1000:  # old configs' services after many applies
                self._timeouts.clear()
            timeout = self._timeouts[service] = aiohttp.ClientTimeout(
                total=None, sock_connect=service.connect_timeout / 1000, sock_read=service.read_timeout / 1000)
        sent = time.perf_counter()
        attempts = max(0, service.retries) + 1
        for attempt in range(attempts):
            try:
                async with self.session.request(ex.method, url, headers=headers, data=body,
                                                allow_redirects=False, timeout=timeout,
                                                compress=None, auto_decompress=False) as resp:
                    payload = await resp.read()
                    return self.proxied(ex, resp, payload, sent)
            except aiohttp.ClientConnectorDNSError:
                return self.reply(ex, kong_error(503, "name resolution failed", ex.request_id))
            except (aiohttp.ConnectionTimeoutError, aiohttp.SocketTimeoutError, asyncio.TimeoutError):
                return self.reply(ex, kong_error(504, TIMING_OUT, ex.request_id))
            except aiohttp.ClientConnectorError:
                if attempt + 1 < attempts:
                    continue  # nginx tries the next peer (here: the same address again)
                return self.reply(ex, kong_error(502, INVALID_RESPONSE, ex.request_id))
            except (aiohttp.ClientError, ValueError):
                return self.reply(ex, kong_error(502, INVALID_RESPONSE, ex.request_id))
        return self.reply(ex, kong_error(502, INVALID_RESPONSE, ex.request_id))

    def proxied(self, ex: Exchange, resp: aiohttp.ClientResponse, payload: bytes, sent: float) -> web.Response:
        done = time.perf_counter()
        headers = CIMultiDict((k, v) for k, v in resp.headers.items() if k.lower() not in HOP_BY_HOP)
        headers.update(ex.response_headers)
        for callback in ex.after:
            callback(ex, headers)
        headers["X-Kong-Upstream-Latency"] = _ms(done - sent)
        headers["X-Kong-Proxy-Latency"] = _ms(sent - ex.started)
        via = resp.headers.get("Via")
        headers["Via"] = f"{via}, {VIA}" if via else VIA
        if "Server" not in headers:
            headers["Server"] = SERVER
        headers["X-Kong-Request-Id"] = ex.request_id
        response = web.Response(status=resp.status, body=payload, headers=headers)
        if "Content-Type" not in resp.headers:
            response.headers.popall("Content-Type", None)
        return response
