"""Choosing the route for a request, in the order Kong 3's router uses
(kong/router/transform.lua get_priority): more matching fields first, then plain hosts,
header count, regex paths before prefixes, regex_priority, and the longest prefix.

Plain paths are string prefixes (not segment aware); `~` paths are regexes anchored at
the start of the path.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

_NAMED_GROUP = re.compile(r"\(\?<(?=[A-Za-z_])")


def compile_regex(pattern: str) -> re.Pattern:
    """Kong's regex syntax (PCRE / Rust) in Python: (?<name>..) becomes (?P<name>..)."""
    return re.compile(_NAMED_GROUP.sub("(?P<", pattern))


@dataclass(frozen=True)
class Match:
    route: object
    prefix: str | None  # the stripped part, when strip_path
    upstream_path: str


@dataclass
class _Entry:
    key: tuple
    route: object
    plain: str | None
    regex: re.Pattern | None
    hosts: tuple
    methods: frozenset | None
    headers: tuple


def _host_matches(patterns: tuple, host: str, with_port: str) -> bool:
    for pattern in patterns:
        if ":" in pattern:  # a route host with a port matches the Host header's port too
            if with_port == pattern or (pattern.startswith("*.") and with_port.endswith(pattern[1:])):
                return True
            continue
        if pattern.startswith("*."):
            if host.endswith(pattern[1:]) and len(host) > len(pattern) - 1:
                return True
        elif pattern.endswith(".*"):
            if host.startswith(pattern[:-1]) and len(host) > len(pattern) - 1:
                return True
        elif host == pattern:
            return True
    return False


def _headers_match(wanted: tuple, headers) -> bool:
    for name, values in wanted:
        got = [v.lower() for v in headers.getall(name, [])]
        ok = False
        for value in values:
            if value.startswith("~*"):
                ok = any(re.search(value[2:], g, re.I) for g in got)
            else:
                ok = value.lower() in got
            if ok:
                break
        if not ok:
            return False
    return True


class Router:
    def __init__(self, routes: list):
        entries: list[_Entry] = []
        for order, route in enumerate(routes):
            hosts = tuple(h.lower() for h in route.hosts or ())
            methods = frozenset(route.methods) if route.methods else None
            headers = tuple((k, tuple(v if isinstance(v, list) else [v]))
                            for k, v in (route.headers or {}).items())
            weight = sum(bool(x) for x in (route.methods, route.hosts, route.headers, route.paths))
            plain_hosts = bool(hosts) and not any("*" in h for h in hosts)
            base = (weight, plain_hosts, len(headers))
            for path in route.paths or [None]:
                if path is None:
                    key, plain, regex = base + (False, 0, 0), None, None
                elif path.startswith("~"):
                    key, plain, regex = base + (True, route.regex_priority, 0), None, compile_regex(path[1:])
                else:
                    key, plain, regex = base + (False, 0, len(path)), path, None
                entries.append(_Entry(key + (-order,), route, plain, regex, hosts, methods, headers))
        entries.sort(key=lambda e: e.key, reverse=True)
        self.entries = entries

    def match(self, method: str, path: str, host: str, headers) -> Match | None:
        with_port = (host or "").lower()
        host = with_port.rsplit(":", 1)[0] if ":" in with_port and not with_port.endswith("]") else with_port
        for e in self.entries:
            if e.methods is not None and method not in e.methods:
                continue
            if e.plain is not None:
                if not path.startswith(e.plain):
                    continue
                matched = e.plain
            elif e.regex is not None:
                m = e.regex.match(path)
                if m is None:
                    continue
                matched = m.group(0)
            else:
                matched = None
            if e.hosts and not _host_matches(e.hosts, host, with_port):
                continue
            if e.headers and not _headers_match(e.headers, headers):
                continue
            return self._result(e.route, matched, path)
        return None

    @staticmethod
    def _result(route, matched: str | None, path: str) -> Match:
        prefix = matched if route.strip_path and matched is not None else None
        base = (route.service.path if route.service is not None else None) or "/"
        postfix = _sanitize(path[len(prefix or "/"):])
        return Match(route, prefix, upstream_uri(route.strip_path, postfix, path, base))


def _sanitize(postfix: str) -> str:
    if postfix in (".", ".."):
        return ""
    if postfix.startswith("./"):
        return postfix[2:]
    if postfix.startswith("../"):
        return postfix[3:]
    return postfix


def upstream_uri(strip_path: bool, postfix: str, req_uri: str, base: str) -> str:
    """kong/router/utils.lua get_upstream_uri_v0: join the request onto service.path."""
    if base.endswith("/"):
        if strip_path:
            if postfix == "":
                if base == "/":
                    return "/"
                return base if req_uri.endswith("/") else base[:-1]
            return base[:-1] + postfix if postfix.startswith("/") else base + postfix
        return base + req_uri[1:]
    if strip_path:
        if postfix == "":
            return base + "/" if len(req_uri) > 1 and req_uri.endswith("/") else base
        return base + postfix if postfix.startswith("/") else base + "/" + postfix
    return base if req_uri == "/" else base + req_uri
