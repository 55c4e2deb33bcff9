"""Which plugin config applies: Kong's precedence (consumer+route > ... > global), plugins
on consumers after authentication, anonymous consumers, limit_by ip/path."""
import httpx
import pytest



def CLOCK() -> float:  # time held still: no minute boundary falls inside a test
    return 1_800_000_015.0

CONFIG = """
_format_version: "3.0"
services:
  - name: echo
    url: http://echo:8080
    routes:
      - name: a
        paths: ["/a"]
        plugins:
          - {name: rate-limiting, config: {minute: 50}}
      - name: b
        paths: ["/b"]
      - name: anon
        paths: ["/anon"]
        plugins:
          - {name: key-auth, config: {anonymous: guest}}
      - name: by-path
        paths: ["/p"]
        plugins:
          - {name: rate-limiting, config: {minute: 1, limit_by: path, path: /p/one}}
plugins:
  - {name: rate-limiting, config: {minute: 100, limit_by: ip}}
  - {name: key-auth, route: a}
  - {name: key-auth, route: b}
consumers:
  - username: vip
    keyauth_credentials: [{key: vip-key}]
    plugins:
      - {name: rate-limiting, config: {minute: 1000}}
  - username: plain
    keyauth_credentials: [{key: plain-key}]
  - username: guest
"""


@pytest.fixture
def gw(module_gateway):
    return module_gateway


def limit(r) -> str:
    return r.headers.get("X-RateLimit-Limit-Minute")


def test_route_plugin_beats_global_and_consumer_plugin_beats_both(gw):
    assert limit(httpx.get(f"{gw.url}/a", headers={"apikey": "plain-key"})) == "50"
    assert limit(httpx.get(f"{gw.url}/b", headers={"apikey": "plain-key"})) == "100"
    assert limit(httpx.get(f"{gw.url}/a", headers={"apikey": "vip-key"})) == "1000"
    assert limit(httpx.get(f"{gw.url}/b", headers={"apikey": "vip-key"})) == "1000"


def test_anonymous_consumer_when_no_key(gw):
    r = httpx.get(f"{gw.url}/anon")
    assert r.status_code == 200
    seen = r.json()["headers"]
    assert seen["X-Anonymous-Consumer"] == "true" and seen["X-Consumer-Username"] == "guest"
    seen = httpx.get(f"{gw.url}/anon", headers={"apikey": "plain-key"}).json()["headers"]
    assert seen["X-Consumer-Username"] == "plain" and "X-Anonymous-Consumer" not in seen


def test_limit_by_path_counts_only_that_path(gw):
    assert httpx.get(f"{gw.url}/p/one").status_code == 200
    assert httpx.get(f"{gw.url}/p/one").status_code == 429
    # another path falls back to the client ip: its own counter
    assert httpx.get(f"{gw.url}/p/two").status_code == 200
