"""One request passing through the gateway: what the router found, who the client is,
and what the plugins want changed upstream and downstream."""
from __future__ import annotations

import json
import time
from dataclasses import dataclass, field

from multidict import CIMultiDict, CIMultiDictProxy, MultiDict

KONG_VERSION = "3.9.1"  # the Kong release whose behaviour (headers, messages) we copy
SERVER = f"kong/{KONG_VERSION}"
JSON_TYPE = "application/json; charset=utf-8"


@dataclass
class Reply:
    """A response the gateway makes itself (404, 401, 429, 502...)."""

    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


def kong_error(status: int, message: str, request_id: str, headers: dict | None = None) -> Reply:
    """kong.response.error: Kong's JSON error template, which carries the request id."""
    text = '{\n  "message":%s,\n  "request_id":"%s"\n}' % (json.dumps(message), request_id)
    return Reply(status, text.encode(), {"Content-Type": JSON_TYPE, **(headers or {})})


def kong_exit(status: int, body: dict, headers: dict | None = None) -> Reply:
    """kong.response.exit with a table: the table as compact JSON, nothing added."""
    text = json.dumps(body, separators=(",", ":"))
    return Reply(status, text.encode(), {"Content-Type": JSON_TYPE, **(headers or {})})


@dataclass
class Exchange:
    method: str
    path: str  # raw path, without the query string
    query: MultiDict
    headers: CIMultiDictProxy
    client_ip: str
    request_id: str
    started: float = field(default_factory=time.perf_counter)
    route: object = None
    service: object = None
    prefix: str | None = None  # the part of the path the route stripped
    upstream_path: str = "/"
    consumer: object = None
    credential: object = None
    set_upstream: CIMultiDict = field(default_factory=CIMultiDict)  # headers to set
    drop_upstream: set = field(default_factory=set)  # header names to remove (lower case)
    drop_query: set = field(default_factory=set)
    response_headers: dict[str, str] = field(default_factory=dict)  # for every reply
    after: list = field(default_factory=list)  # callbacks(exchange, headers) on the response

    def authenticate(self, consumer, credential) -> None:
        self.consumer, self.credential = consumer, credential
        self.identify(consumer)
        self._upstream_header("X-Credential-Identifier", credential.identifier)
        self.drop_upstream.add("x-anonymous-consumer")

    def identify(self, consumer) -> None:
        """The X-Consumer-* headers upstream sees for `consumer`; empty ones are removed,
        so a client cannot pass its own off as the gateway's."""
        self._upstream_header("X-Consumer-ID", consumer.id)
        self._upstream_header("X-Consumer-Custom-ID", consumer.custom_id)
        self._upstream_header("X-Consumer-Username", consumer.username)

    def _upstream_header(self, name: str, value) -> None:
        if value:
            self.set_upstream[name] = value
        else:
            self.drop_upstream.add(name.lower())
