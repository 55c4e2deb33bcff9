"""Kong's typedefs (kong/db/schema/typedefs.lua) that several entities share."""
from __future__ import annotations

import ipaddress
import re

from microlab.gateway.schema import Field

PROTOCOLS = ("grpc", "grpcs", "http", "https", "tcp", "tls", "tls_passthrough", "udp")
HTTP_PROTOCOLS = ("http", "https")

_PATH_CHARS = re.compile(r"^/[A-Za-z0-9.\-_~/%:@!$&'()*+,;=]*$")
_NAME = re.compile(r"^[A-Za-z0-9.\-_~]+$")
_HEADER_NAME = re.compile(r"^[A-Za-z0-9_-]+$")  # kong/tools/http.lua validate_header_name
_HOSTNAME = re.compile(r"^(\*\.)?([A-Za-z0-9\-_]+\.)*[A-Za-z0-9\-_]+(\.\*)?$")


def _path_rules(path: str) -> str | None:
    if "//" in path:
        return "must not have empty segments"
    if not _PATH_CHARS.match(path):
        return f"invalid path: '{path}' (characters outside of the reserved list of RFC 3986 found)"
    bad = re.search(r"%(?![0-9A-Fa-f]{2})..?", path)
    if bad:
        return f"invalid url-encoded value: '{bad.group(0)}'"
    return None


def check_path(path: str) -> str | None:
    if not path.startswith("/"):
        return "should start with: /"
    return _path_rules(path)


def check_router_path(path: str) -> str | None:
    if not (path.startswith("/") or path.startswith("~/")):
        return "should start with: / (fixed path) or ~/ (regex path)"
    if "//" in path:
        return "must not have empty segments"
    if path.startswith("~"):
        from microlab.gateway.router import compile_regex

        try:
            compile_regex(path[1:])
        except re.error as exc:
            return f"invalid regex: '{path[1:]}' (PCRE returned: {exc})"
        return None
    message = _path_rules(path)
    if message:
        return message
    normal = normalize_path(path)
    if normal != path:
        return f"non-normalized path, consider use '{normal}' instead"
    return None


def normalize_path(path: str) -> str:
    """Remove dot segments (RFC 3986 5.2.4), keeping a trailing slash."""
    out: list[str] = []
    for segment in path.split("/")[1:]:
        if segment == "..":
            if out:
                out.pop()
        elif segment != ".":
            out.append(segment)
    normal = "/" + "/".join(out)
    if path.endswith(("/.", "/..")) and not normal.endswith("/"):
        normal += "/"
    return normal


def check_name(name: str) -> str | None:
    if not _NAME.match(name):
        return f"invalid value '{name}': it must only contain alphanumeric and '., -, _, ~' characters"
    return None


def check_host(host: str) -> str | None:
    try:
        ipaddress.ip_address(host.strip("[]"))
        return None
    except ValueError:
        pass
    if re.match(r"^[^:]+:\d*$", host):
        return "must not have a port"
    if not _HOSTNAME.match(host):
        return f"invalid value: {host}"
    return None


def check_route_host(host: str) -> str | None:
    """typedefs.hosts: at most one wildcard, leftmost or rightmost label, optional port."""
    if host.count("*") > 1:
        return "invalid wildcard: must have at most one wildcard"
    if "*" in host and not (host.startswith("*.") or host.endswith(".*")):
        return "invalid wildcard: must be placed at leftmost or rightmost label"
    name, _, port = host.replace("*", "abc").rpartition(":") if ":" in host else (host, "", "")
    if port and (not port.isdigit() or not 0 < int(port) < 65536):
        return "invalid port number"
    return check_host(name if port else host.replace("*", "abc"))


def check_header_name(name: str) -> str | None:
    if name == "":
        return "no header name provided"
    if not _HEADER_NAME.match(name):
        return f"bad header name '{name}', allowed characters are A-Z, a-z, 0-9, '_', and '-'"
    return None


def check_method(method: str) -> str | None:
    return None if re.match(r"^[A-Z]+$", method) else f"invalid value: {method}"


def name() -> Field:
    return Field("string", check=check_name)


def tags() -> Field:
    return Field("set", elements=Field("string"))


def uuid() -> Field:
    return Field("string")


def timeout(default: int = 60000) -> Field:
    return Field("integer", default=default, between=(1, 2**31 - 2))


def foreign() -> Field:
    """A reference at top level: a name/id string, or {id=...}/{name=...}."""
    return Field("foreign")
