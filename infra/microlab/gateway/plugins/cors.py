"""cors (kong/plugins/cors): answers preflights itself, adds CORS headers to responses."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

from microlab.gateway.exchange import Exchange, Reply
from microlab.gateway.schema import Field

NAME = "cors"
PRIORITY = 2000
NO_CONSUMER = True
METHODS = ("GET", "HEAD", "PUT", "PATCH", "POST", "DELETE", "OPTIONS", "TRACE", "CONNECT")
_PLAIN_ORIGIN = re.compile(r"^[A-Za-z0-9.:/-]+$")

CONFIG = Field("record", fields={
    "origins": Field("array", elements=Field("string")),
    "headers": Field("array", elements=Field("string")),
    "exposed_headers": Field("array", elements=Field("string")),
    "methods": Field("array", elements=Field("string", one_of=METHODS), default=list(METHODS)),
    "max_age": Field("number"),
    "credentials": Field("boolean", required=True, default=False),
    "private_network": Field("boolean", required=True, default=False),
    "preflight_continue": Field("boolean", required=True, default=False),
    "allow_origin_absent": Field("boolean", required=True, default=True),
})


def _normalize(origin: str) -> tuple[str, str]:
    """(scheme://host[:port] without default ports, host)"""
    parts = urlsplit(origin)
    if not parts.hostname:
        return origin, origin
    port = parts.port
    if (parts.scheme, port) in (("http", 80), ("https", 443)):
        port = None
    scheme = f"{parts.scheme}://" if parts.scheme else ""
    return f"{scheme}{parts.hostname}{f':{port}' if port else ''}", parts.hostname


class Handler:
    def __init__(self, conf: dict, key: str, shared):
        self.conf = conf

    def access(self, ex: Exchange):
        origin = ex.headers.get("Origin")
        if ex.method != "OPTIONS" or not origin or "Access-Control-Request-Method" not in ex.headers:
            ex.after.append(self.response_headers)
            return None
        if self.conf["preflight_continue"]:
            return None
        headers: dict[str, str] = {}
        allow_all = self._origin(headers, origin)
        self._credentials(headers, allow_all, origin)
        if self.conf.get("headers"):
            headers["Access-Control-Allow-Headers"] = ",".join(self.conf["headers"])
        elif "Access-Control-Request-Headers" in ex.headers:
            headers["Access-Control-Allow-Headers"] = ex.headers["Access-Control-Request-Headers"]
        headers["Access-Control-Allow-Methods"] = ",".join(self.conf["methods"] or METHODS)
        if self.conf.get("max_age") is not None:
            headers["Access-Control-Max-Age"] = str(self.conf["max_age"])
        if self.conf["private_network"] and \
                ex.headers.get("Access-Control-Request-Private-Network") == "true":
            headers["Access-Control-Allow-Private-Network"] = "true"
        return Reply(200, b"", {k: v for k, v in headers.items() if v is not None})

    def response_headers(self, ex: Exchange, headers) -> None:
        origin = ex.headers.get("Origin")
        if not origin and not self.conf["allow_origin_absent"]:
            return
        out: dict[str, str] = {}
        allow_all = self._origin(out, origin)
        self._credentials(out, allow_all, origin)
        if self.conf.get("exposed_headers"):
            out["Access-Control-Expose-Headers"] = ",".join(self.conf["exposed_headers"])
        if "Vary" in out and "Vary" in headers:
            out["Vary"] = headers["Vary"] + ", Origin"
        if out.get("Access-Control-Allow-Origin") is None:
            headers.pop("Access-Control-Allow-Origin", None)
            out.pop("Access-Control-Allow-Origin", None)
        headers.update(out)

    def _origin(self, out: dict, origin: str | None) -> bool:
        origins = self.conf.get("origins") or []
        if not origins or origins == ["*"]:
            out["Access-Control-Allow-Origin"] = "*"
            return True
        out["Vary"] = "Origin"
        if len(origins) == 1 and _PLAIN_ORIGIN.match(origins[0]):
            out["Access-Control-Allow-Origin"] = origins[0]
            return False
        if origin:
            domain, host = _normalize(origin)
            for entry in origins:
                if entry == "*":
                    out["Access-Control-Allow-Origin"] = "*"
                    return True
                if _PLAIN_ORIGIN.match(entry):
                    if _normalize(entry)[0] == domain:
                        out["Access-Control-Allow-Origin"] = domain
                        return False
                    continue
                pattern = entry[1:] if entry.startswith("^") else entry
                subject = host if ":" not in entry else domain
                if re.match(pattern if pattern.endswith("$") else pattern + "$", subject):
                    out["Access-Control-Allow-Origin"] = domain
                    return False
        out["Access-Control-Allow-Origin"] = None
        return False

    def _credentials(self, out: dict, allow_all: bool, origin: str | None) -> None:
        if not self.conf["credentials"]:
            return
        if not allow_all:
            out["Access-Control-Allow-Credentials"] = "true"
        elif origin:
            out["Vary"] = "Origin"
            out["Access-Control-Allow-Origin"] = origin
            out["Access-Control-Allow-Credentials"] = "true"
