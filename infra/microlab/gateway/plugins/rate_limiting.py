"""rate-limiting (kong/plugins/rate-limiting): fixed, UTC-aligned windows counted locally.

Check and count happen in one step with no await in between, so on one event loop the
count is exact under any concurrency (Kong itself counts in a timer, slightly late).
Rejected requests are not counted.
"""
from __future__ import annotations

import calendar
import time
from typing import Callable

from microlab.gateway import fields as t
from microlab.gateway.exchange import Exchange, kong_error
from microlab.gateway.schema import Field

NAME = "rate-limiting"
PRIORITY = 910
NO_CONSUMER = False
PERIODS = ("second", "minute", "hour", "day", "month", "year")
WINDOW = {"second": 1, "minute": 60, "hour": 3600, "day": 86400, "month": 2592000, "year": 31536000}


def _check_periods(conf: dict) -> list[tuple[tuple, str]]:
    out = []
    limits = {p: conf.get(p) for p in PERIODS}
    numbers = {p: v for p, v in limits.items()
               if isinstance(v, (int, float)) and not isinstance(v, bool)}
    if not any(v is not None for v in limits.values()):
        names = ", ".join(f"'config.{p}'" for p in PERIODS)
        out.append(((), f"at least one of these fields must be non-empty: {names}"))
    out.extend(_order_problem(numbers))
    if conf.get("limit_by") == "header" and not conf.get("header_name"):
        out.append(((), "failed conditional validation given value of field 'config.limit_by'"))
        out.append((("header_name",), "required field missing"))
    if conf.get("limit_by") == "path" and not conf.get("path"):
        out.append(((), "failed conditional validation given value of field 'config.limit_by'"))
        out.append((("path",), "required field missing"))
    if conf.get("policy") != "redis" and conf.get("sync_rate") not in (-1, None):
        out.append(((), "sync_rate can only be used with the redis policy"))
    if conf.get("policy") == "redis" and not (conf.get("redis") or {}).get("host"):
        out.append(((), "failed conditional validation given value of field 'config.policy'"))
        out.append((("redis", "host"), "required field missing"))
    return out


def _order_problem(numbers: dict) -> list[tuple[tuple, str]]:
    """Kong reports the first longer period whose limit is below a shorter one's."""
    for i, lower in enumerate(PERIODS):
        for upper in PERIODS[i + 1:]:
            if lower in numbers and upper in numbers and numbers[upper] < numbers[lower]:
                return [((), f"The limit for {upper}({numbers[upper]:.1f}) cannot be lower "
                             f"than the limit for {lower}({numbers[lower]:.1f})")]
    return []


CONFIG = Field("record", fields={
    **{p: Field("number", gt=0) for p in PERIODS},
    "limit_by": Field("string", default="consumer",
                      one_of=("consumer", "credential", "ip", "service", "header", "path")),
    "header_name": Field("string", check=t.check_header_name),
    "path": Field("string", check=t.check_path),
    # DB-less Kong drops "cluster" from the choices (schema.lua, is_dbless)
    "policy": Field("string", default="local", one_of=("local", "redis")),
    "fault_tolerant": Field("boolean", required=True, default=True),
    "redis": Field("record", fields={k: Field("any") for k in (
        "host", "port", "username", "password", "database", "timeout", "ssl", "ssl_verify",
        "server_name", "connect_timeout", "send_timeout", "read_timeout", "keepalive_pool_size",
        "keepalive_backlog", "sentinel_master", "sentinel_role", "sentinel_nodes",
        "sentinel_username", "sentinel_password", "cluster_nodes", "cluster_max_redirections",
        "connection_is_proxied")}),
    "hide_client_headers": Field("boolean", required=True, default=False),
    "error_code": Field("number", default=429, gt=0),
    "error_message": Field("string", default="API rate limit exceeded"),
    "sync_rate": Field("number", required=True, default=-1),
}, record_check=_check_periods)


def window_start(period: str, now: float) -> int:
    """Start of the UTC window holding `now` (kong/tools/timestamp.lua get_timestamps)."""
    if period in ("month", "year"):
        tm = time.gmtime(now)
        month = tm.tm_mon if period == "month" else 1
        return calendar.timegm((tm.tm_year, month, 1, 0, 0, 0))
    size = WINDOW[period]
    return int(now // size * size)


class Counters:
    """Usage per (plugin, identifier, period, window start); kept across config reloads."""

    def __init__(self, clock: Callable[[], float] = time.time):
        self.clock = clock
        self.counts: dict[tuple, int] = {}
        self._last_sweep = 0.0

    def sweep(self, now: float) -> None:
        """Forget windows that have ended, at most once a second."""
        if now - self._last_sweep < 1:
            return
        self._last_sweep = now
        for key in [k for k in self.counts if k[3] + WINDOW[k[2]] <= now]:
            del self.counts[key]


class Handler:
    def __init__(self, conf: dict, key: str, shared):
        self.conf, self.key, self.counters = conf, key, shared.counters
        self.limits = [(p, conf[p]) for p in PERIODS if conf.get(p) is not None]

    def identifier(self, ex: Exchange) -> str:
        by = self.conf["limit_by"]
        found = None
        if by == "service":
            found = getattr(ex.service, "id", None)
        elif by == "consumer":
            found = getattr(ex.consumer, "id", None) or getattr(ex.credential, "id", None)
        elif by == "credential":
            found = getattr(ex.credential, "id", None)
        elif by == "header":
            found = ex.headers.get(self.conf["header_name"])
        elif by == "path":
            found = ex.path if ex.path == self.conf["path"] else None
        return found or ex.client_ip

    def access(self, ex: Exchange):
        now = self.counters.clock()
        self.counters.sweep(now)
        ident = self.identifier(ex)
        keys, usage, stop = [], [], None
        for period, limit in self.limits:
            start = window_start(period, now)
            k = (self.key, ident, period, start)
            used = self.counters.counts.get(k, 0)
            keys.append(k)
            usage.append((period, limit, limit - used, start))
            if limit - used <= 0:
                stop = period
        headers = {} if self.conf["hide_client_headers"] else self._headers(usage, stop, now)
        if stop is not None:
            if headers:
                headers["Retry-After"] = headers["RateLimit-Reset"]
            ex.response_headers.update(headers)
            code = int(self.conf["error_code"])
            return kong_error(code, self.conf["error_message"], ex.request_id)
        for k in keys:
            self.counters.counts[k] = self.counters.counts.get(k, 0) + 1
        ex.response_headers.update(headers)
        return None

    @staticmethod
    def _headers(usage, stop, now) -> dict[str, str]:
        out: dict[str, str] = {}
        best = None  # (remaining, window, limit, reset)
        for period, limit, remaining, start in usage:
            if stop is None or stop == period:
                remaining -= 1
            remaining = max(0, remaining)
            window = WINDOW[period]
            if best is None or remaining < best[0] or (remaining == best[0] and window > best[1]):
                reset = max(1, window - int(now - start))
                best = (remaining, window, limit, reset)
            title = period.capitalize()
            out[f"X-RateLimit-Limit-{title}"] = _num(limit)
            out[f"X-RateLimit-Remaining-{title}"] = _num(remaining)
        out["RateLimit-Limit"] = _num(best[2])
        out["RateLimit-Remaining"] = _num(best[0])
        out["RateLimit-Reset"] = _num(best[3])
        return out


def _num(value) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)
