"""rate-limiting through a real gateway whose clock the test holds still (or moves)."""
import asyncio
import calendar

import aiohttp
import httpx


# 2026-11-25 13:20:15 UTC: 15 s into a minute, 20 min 15 s into an hour
T0 = calendar.timegm((2026, 11, 25, 13, 20, 15))


class Clock:
    def __init__(self, now: float = T0):
        self.now = now

    def __call__(self) -> float:
        return self.now


def config(plugin_config: str, extra: str = "") -> str:
    return f"""
_format_version: "3.0"
services:
  - name: users
    url: http://echo:8080/users
    routes: [{{name: users, paths: ["/users"]}}]
    plugins:
      - name: rate-limiting
        config: {plugin_config}
{extra}"""


def test_headers_count_down_and_429_with_retry_after(start_gateway):
    clock = Clock()
    gw = start_gateway(config("{minute: 3}"), clock)
    seen = [httpx.get(f"{gw.url}/users") for _ in range(3)]
    assert [r.status_code for r in seen] == [200, 200, 200]
    assert [r.headers["X-RateLimit-Remaining-Minute"] for r in seen] == ["2", "1", "0"]
    first = seen[0].headers
    assert first["X-RateLimit-Limit-Minute"] == "3"
    assert (first["RateLimit-Limit"], first["RateLimit-Remaining"], first["RateLimit-Reset"]) == ("3", "2", "45")
    assert "Retry-After" not in first
    r = httpx.get(f"{gw.url}/users")
    assert r.status_code == 429
    assert r.json()["message"] == "API rate limit exceeded"
    assert r.headers["Retry-After"] == "45" and r.headers["X-RateLimit-Remaining-Minute"] == "0"
    assert r.headers["Server"].startswith("kong/")


def test_fixed_utc_window_resets_at_the_minute(start_gateway):
    clock = Clock(T0 + 44)  # 13:20:59
    gw = start_gateway(config("{minute: 1}"), clock)
    assert httpx.get(f"{gw.url}/users").status_code == 200
    r = httpx.get(f"{gw.url}/users")
    assert r.status_code == 429 and r.headers["Retry-After"] == "1"
    clock.now = T0 + 45  # 13:21:00, a new window (not 60 s after the first request)
    assert httpx.get(f"{gw.url}/users").status_code == 200


def test_rejected_requests_are_not_counted_and_lowest_remaining_wins(start_gateway):
    clock = Clock()
    gw = start_gateway(config("{minute: 3, hour: 5}"), clock)
    codes = [httpx.get(f"{gw.url}/users").status_code for _ in range(6)]
    assert codes == [200, 200, 200, 429, 429, 429]
    clock.now += 60  # next minute, same hour: only the 3 admitted requests count
    r = httpx.get(f"{gw.url}/users")
    assert r.status_code == 200
    h = r.headers
    assert (h["X-RateLimit-Remaining-Minute"], h["X-RateLimit-Remaining-Hour"]) == ("2", "1")
    assert (h["RateLimit-Limit"], h["RateLimit-Remaining"]) == ("5", "1")  # the hour is lower
    assert h["RateLimit-Reset"] == str(3600 - (20 * 60 + 15 + 60))
    assert httpx.get(f"{gw.url}/users").status_code == 200
    r = httpx.get(f"{gw.url}/users")
    assert r.status_code == 429 and r.headers["X-RateLimit-Remaining-Hour"] == "0"


def test_limit_by_header_and_by_consumer(start_gateway):
    gw = start_gateway(config("{minute: 1, limit_by: header, header_name: X-Client}"), Clock())
    assert httpx.get(f"{gw.url}/users", headers={"X-Client": "a"}).status_code == 200
    assert httpx.get(f"{gw.url}/users", headers={"X-Client": "b"}).status_code == 200
    assert httpx.get(f"{gw.url}/users", headers={"X-Client": "a"}).status_code == 429
    gw2 = start_gateway(config("{minute: 1}", """      - name: key-auth
consumers:
  - {username: ada, keyauth_credentials: [{key: ka}]}
  - {username: bob, keyauth_credentials: [{key: kb}]}
"""), Clock())
    assert httpx.get(f"{gw2.url}/users", headers={"apikey": "ka"}).status_code == 200
    assert httpx.get(f"{gw2.url}/users", headers={"apikey": "kb"}).status_code == 200
    assert httpx.get(f"{gw2.url}/users", headers={"apikey": "ka"}).status_code == 429


def test_hide_client_headers(start_gateway):
    gw = start_gateway(config("{second: 5, hide_client_headers: true}"), Clock())
    r = httpx.get(f"{gw.url}/users")
    assert r.status_code == 200 and not [h for h in r.headers if "ratelimit" in h.lower()]


def test_fifty_concurrent_clients_against_100_per_minute_admit_exactly_100(start_gateway):
    gw = start_gateway(config("{minute: 100, limit_by: service}"), Clock())  # time held still

    async def client(session: aiohttp.ClientSession) -> list[int]:
        codes = []
        for _ in range(4):
            async with session.get(f"{gw.url}/users") as r:
                await r.read()
                codes.append(r.status)
        return codes

    async def crowd() -> list[int]:
        connector = aiohttp.TCPConnector(limit=50)
        async with aiohttp.ClientSession(connector=connector) as session:
            results = await asyncio.gather(*(client(session) for _ in range(50)))
        return [c for codes in results for c in codes]

    codes = asyncio.run(crowd())
    assert len(codes) == 200
    assert codes.count(200) == 100 and codes.count(429) == 100
