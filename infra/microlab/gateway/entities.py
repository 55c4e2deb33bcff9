"""Kong's core entities (kong/db/schema/entities/*.lua) as `Field` records.

Only the fields Kong 3.x accepts are known; anything else is an "unknown field". The
embedded gateway acts on a subset (http/https services and routes), but the validator
accepts every field Kong would, so a file that loads here loads on real Kong.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from microlab.gateway import fields as t
from microlab.gateway.schema import Field, quoted

JWT_ALGORITHMS = ("HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "ES256", "ES384",
                  "ES512", "PS256", "PS384", "PS512", "EdDSA")


def _service_checks(svc: dict) -> list[tuple[tuple, str]]:
    out = []
    if svc.get("protocol") in ("tcp", "tls", "udp", "grpc", "grpcs") and svc.get("path") is not None:
        out.append(((), "failed conditional validation given value of field 'protocol'"))
        out.append((("path",), "value must be null"))
    return out


SERVICE = Field("record", fields={
    "id": t.uuid(), "name": t.name(),
    "retries": Field("integer", default=5, between=(0, 32767)),
    "protocol": Field("string", required=True, default="http", one_of=t.PROTOCOLS),
    "host": Field("string", required=True, check=t.check_host),
    "port": Field("integer", required=True, default=80, between=(0, 65535)),
    "path": Field("string", check=t.check_path),
    "connect_timeout": t.timeout(), "write_timeout": t.timeout(), "read_timeout": t.timeout(),
    "tags": t.tags(), "client_certificate": t.foreign(), "tls_verify": Field("boolean"),
    "tls_verify_depth": Field("integer", between=(0, 64)),
    "ca_certificates": Field("array", elements=Field("string")),
    "enabled": Field("boolean", required=True, default=True),
}, record_check=_service_checks)


def expand_service_url(raw: dict) -> dict:
    """Kong's `url` shorthand: protocol, host, port and path from one string."""
    url = raw.get("url")
    if not isinstance(url, str):
        return raw
    parts = urlsplit(url)
    out = {k: v for k, v in raw.items() if k != "url"}
    try:
        port = parts.port
    except ValueError:
        port = None
        out["port"] = parts.netloc.rsplit(":", 1)[-1]  # reported as "expected an integer"
    protocol = parts.scheme or ("https" if port == 443 else "http")
    out["protocol"] = protocol
    out["host"] = parts.hostname
    if port is not None:
        out["port"] = port
    elif "port" not in out:
        out["port"] = {"http": 80, "https": 443}.get(protocol, 80)
    out["path"] = parts.path or None
    return out


def _route_checks(route: dict) -> list[tuple[tuple, str]]:
    protocols = route.get("protocols") or []
    if not isinstance(protocols, list) or not all(isinstance(p, str) for p in protocols):
        return []
    matchers = ["methods", "hosts", "headers", "paths"]
    if "https" in protocols:
        matchers.append("snis")
        kind = "https"
    elif "http" in protocols:
        kind = "http"
    else:
        return []
    if not any(route.get(m) for m in matchers):
        return [((), f"must set one of {quoted(matchers)} when 'protocols' is '{kind}'")]
    return []


ROUTE = Field("record", fields={
    "id": t.uuid(), "name": t.name(),
    "protocols": Field("set", required=True, elements=Field("string", one_of=t.PROTOCOLS),
                       default=["http", "https"]),
    "https_redirect_status_code": Field("integer", required=True, default=426,
                                        one_of=(426, 301, 302, 307, 308)),
    "strip_path": Field("boolean", required=True, default=True),
    "preserve_host": Field("boolean", required=True, default=False),
    "request_buffering": Field("boolean", required=True, default=True),
    "response_buffering": Field("boolean", required=True, default=True),
    "tags": t.tags(), "service": t.foreign(),
    "snis": Field("set", elements=Field("string")),
    "sources": Field("set", elements=Field("record", fields={
        "ip": Field("string"), "port": Field("integer", between=(0, 65535))})),
    "destinations": Field("set", elements=Field("record", fields={
        "ip": Field("string"), "port": Field("integer", between=(0, 65535))})),
    "methods": Field("set", elements=Field("string", check=t.check_method)),
    "hosts": Field("array", elements=Field("string", check=t.check_route_host)),
    "paths": Field("array", elements=Field("string", check=t.check_router_path)),
    "headers": Field("map"),
    "regex_priority": Field("integer", default=0),
    "path_handling": Field("string", default="v0", one_of=("v0", "v1")),
}, record_check=_route_checks)


def _consumer_checks(consumer: dict) -> list[tuple[tuple, str]]:
    if not consumer.get("username") and not consumer.get("custom_id"):
        return [((), "at least one of these fields must be non-empty: 'custom_id', 'username'")]
    return []


CONSUMER = Field("record", fields={
    "id": t.uuid(), "username": Field("string"), "custom_id": Field("string"), "tags": t.tags(),
}, record_check=_consumer_checks)


def _check_pem(key: str) -> str | None:
    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    try:
        load_pem_public_key(key.encode())
    except (ValueError, TypeError):
        return "invalid key"
    return None


def _jwt_secret_checks(secret: dict) -> list[tuple[tuple, str]]:
    alg = secret.get("algorithm")
    if isinstance(alg, str) and alg[:2] in ("RS", "PS", "Ed") and not secret.get("rsa_public_key"):
        return [((), "failed conditional validation given value of field 'algorithm'"),
                (("rsa_public_key",), "required field missing")]
    return []


JWT_SECRET = Field("record", fields={
    "id": t.uuid(), "consumer": t.foreign(), "key": Field("string"), "secret": Field("string"),
    "rsa_public_key": Field("string", check=_check_pem),
    "algorithm": Field("string", default="HS256", one_of=JWT_ALGORITHMS), "tags": t.tags(),
}, record_check=_jwt_secret_checks)

KEYAUTH_CREDENTIAL = Field("record", fields={
    "id": t.uuid(), "consumer": t.foreign(), "key": Field("string"), "tags": t.tags(),
    "ttl": Field("integer"),
})

PLUGIN = Field("record", fields={
    "id": t.uuid(), "name": Field("string", required=True), "instance_name": t.name(),
    "route": t.foreign(), "service": t.foreign(), "consumer": t.foreign(),
    "config": Field("map"), "protocols": Field("set", elements=Field("string", one_of=t.PROTOCOLS)),
    "enabled": Field("boolean", required=True, default=True), "tags": t.tags(),
})

# Which nested arrays each entity may hold, and the field the child uses to point back.
NESTED = {
    "services": {"routes": "service", "plugins": "service"},
    "routes": {"plugins": "route"},
    "consumers": {"plugins": "consumer", "jwt_secrets": "consumer",
                  "keyauth_credentials": "consumer"},
}
SCHEMAS = {"services": SERVICE, "routes": ROUTE, "consumers": CONSUMER, "plugins": PLUGIN,
           "jwt_secrets": JWT_SECRET, "keyauth_credentials": KEYAUTH_CREDENTIAL}
# endpoint keys: how a top-level reference names an entity
ENDPOINT_KEY = {"services": "name", "routes": "name", "consumers": "username",
                "jwt_secrets": "key", "keyauth_credentials": "key", "plugins": "instance_name"}
# Kong entities this gateway accepts in a file but does not act on.
ACCEPTED_ONLY = ("upstreams", "targets", "certificates", "ca_certificates", "snis", "vaults",
                 "keys", "key_sets", "acls", "basicauth_credentials", "hmacauth_credentials",
                 "oauth2_credentials", "filter_chains")
