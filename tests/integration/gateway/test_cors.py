"""cors: the gateway answers preflights itself (before jwt) and decorates responses."""
import httpx
import pytest


CONFIG = """
_format_version: "3.0"
services:
  - name: echo
    url: http://echo:8080
    routes:
      - name: web
        paths: ["/web"]
        plugins:
          - name: cors
            config:
              origins: ["http://localhost:3000", "https://shop.example.org"]
              methods: [GET, POST]
              headers: [Authorization, Content-Type]
              exposed_headers: [X-Request-ID]
              credentials: true
              max_age: 600
          - name: jwt
      - name: open
        paths: ["/open"]
        plugins:
          - name: cors
"""


@pytest.fixture
def gw(module_gateway):
    return module_gateway


def test_preflight_is_answered_by_the_gateway_before_auth(gw):
    r = httpx.options(f"{gw.url}/web/x", headers={"Origin": "http://localhost:3000",
                                                  "Access-Control-Request-Method": "POST"})
    assert r.status_code == 200 and r.content == b""
    assert r.headers["Access-Control-Allow-Origin"] == "http://localhost:3000"
    assert r.headers["Access-Control-Allow-Methods"] == "GET,POST"
    assert r.headers["Access-Control-Allow-Headers"] == "Authorization,Content-Type"
    assert r.headers["Access-Control-Allow-Credentials"] == "true"
    assert r.headers["Access-Control-Max-Age"] == "600"
    assert r.headers["Vary"] == "Origin"
    assert r.headers["Server"].startswith("kong/")


def test_unknown_origin_gets_no_allow_origin(gw):
    r = httpx.options(f"{gw.url}/web/x", headers={"Origin": "http://evil.example",
                                                  "Access-Control-Request-Method": "GET"})
    assert r.status_code == 200 and "Access-Control-Allow-Origin" not in r.headers


def test_actual_request_gets_cors_headers_even_when_auth_fails(gw):
    r = httpx.get(f"{gw.url}/web/x", headers={"Origin": "https://shop.example.org"})
    assert r.status_code == 401
    assert r.headers["Access-Control-Allow-Origin"] == "https://shop.example.org"
    assert r.headers["Access-Control-Expose-Headers"] == "X-Request-ID"


def test_default_config_allows_any_origin_on_proxied_responses(gw):
    r = httpx.get(f"{gw.url}/open/x", headers={"Origin": "http://anything.example"})
    assert r.status_code == 200 and r.headers["Access-Control-Allow-Origin"] == "*"
    r = httpx.options(f"{gw.url}/open/x", headers={"Origin": "http://a.example",
                                                   "Access-Control-Request-Method": "PUT",
                                                   "Access-Control-Request-Headers": "X-Custom"})
    assert r.headers["Access-Control-Allow-Headers"] == "X-Custom"
    assert r.headers["Access-Control-Allow-Methods"] == "GET,HEAD,PUT,PATCH,POST,DELETE,OPTIONS,TRACE,CONNECT"
