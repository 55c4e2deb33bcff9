"""Proxying for real: routing, strip_path, Kong's upstream and downstream headers, errors."""
import socket

import httpx
import pytest


CONFIG = """
_format_version: "3.0"
services:
  - name: users
    url: http://echo:8080/users
    routes:
      - name: users
        paths: ["/api/v1/users"]
      - name: users-kept
        paths: ["/keep"]
        strip_path: false
      - name: by-host
        hosts: ["shop.example.org"]
        preserve_host: true
  - name: regex
    url: http://echo:8080
    routes:
      - name: order-of-user
        paths: ["~/api/v1/users/\\\\d+/orders$"]
        strip_path: false
"""


@pytest.fixture
def gw(start_gateway):
    return start_gateway(CONFIG)


def test_strip_path_joins_the_rest_onto_the_service_path(gw):
    r = httpx.get(f"{gw.url}/api/v1/users/7?x=1&y=2")
    assert r.status_code == 200
    assert r.json()["path"] == "/users/7" and r.json()["query"] == "x=1&y=2"
    assert httpx.get(f"{gw.url}/api/v1/users").json()["path"] == "/users"
    assert httpx.get(f"{gw.url}/keep/a").json()["path"] == "/users/keep/a"


def test_regex_route_beats_a_prefix_and_is_anchored(gw):
    assert httpx.get(f"{gw.url}/api/v1/users/3/orders").json()["path"] == "/api/v1/users/3/orders"
    assert httpx.get(f"{gw.url}/api/v1/users/3/orders/x").json()["path"] == "/users/3/orders/x"


def test_no_route_is_kongs_404_made_by_the_gateway(gw):
    r = httpx.get(f"{gw.url}/nothing/here")
    assert r.status_code == 404
    assert r.json()["message"] == "no Route matched with those values"
    assert r.json()["request_id"] == r.headers["X-Kong-Request-Id"]
    assert r.headers["Server"].startswith("kong/")
    assert int(r.headers["X-Kong-Response-Latency"]) >= 0
    assert "Via" not in r.headers


def test_upstream_sees_kongs_forwarding_headers(gw):
    r = httpx.get(f"{gw.url}/api/v1/users/1", headers={"X-Forwarded-For": "10.0.0.9",
                                                     "X-Request-ID": "req-42"})
    seen = r.json()["headers"]
    assert seen["Host"] == "echo:8080"
    assert seen["X-Forwarded-For"] == "10.0.0.9, 127.0.0.1"
    assert seen["X-Real-IP"] == "127.0.0.1"
    assert seen["X-Forwarded-Proto"] == "http"
    assert seen["X-Forwarded-Host"] == "127.0.0.1"
    assert seen["X-Forwarded-Port"] == gw.url.rsplit(":", 1)[1]
    assert seen["X-Forwarded-Path"] == "/api/v1/users/1"
    assert seen["X-Forwarded-Prefix"] == "/api/v1/users"
    assert seen["X-Request-ID"] == "req-42"
    assert seen["X-Kong-Request-Id"] == r.headers["X-Kong-Request-Id"]
    assert len(seen["X-Kong-Request-Id"]) == 32
    assert seen["Via"].startswith("1.1 kong/")


def test_proxied_response_carries_kongs_latency_headers(gw):
    r = httpx.get(f"{gw.url}/api/v1/users/1")
    assert r.headers["X-Upstream"] == "echo"
    assert r.headers["Via"].startswith("1.1 kong/")
    assert int(r.headers["X-Kong-Upstream-Latency"]) >= 0
    assert int(r.headers["X-Kong-Proxy-Latency"]) >= 0
    assert "X-Kong-Response-Latency" not in r.headers


def test_hosts_and_preserve_host(gw):
    r = httpx.get(f"{gw.url}/anything", headers={"Host": "shop.example.org:8000"})
    assert r.status_code == 200
    assert r.json()["headers"]["Host"] == "shop.example.org:8000"
    assert r.json()["path"] == "/users/anything"


def test_request_body_and_method_pass_through(gw):
    r = httpx.post(f"{gw.url}/api/v1/users", json={"name": "Ada"})
    assert r.json()["method"] == "POST" and r.json()["body"] == '{"name":"Ada"}'


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_upstream_down_is_502_and_timeout_is_504(start_gateway):
    port = _closed_port()
    gw = start_gateway(f"""
_format_version: "3.0"
services:
  - name: down
    url: http://127.0.0.1:{port}
    retries: 2
    routes: [{{name: down, paths: ["/down"]}}]
  - name: slow
    url: http://echo:8080
    read_timeout: 300
    routes: [{{name: slow, paths: ["/slow"], strip_path: false}}]
""")
    r = httpx.get(f"{gw.url}/down")
    assert r.status_code == 502
    assert r.json()["message"] == "An invalid response was received from the upstream server"
    r = httpx.get(f"{gw.url}/slow?seconds=2", timeout=10)
    assert r.status_code == 504
    assert r.json()["message"] == "The upstream server is timing out"
    assert r.headers["Server"].startswith("kong/")
    assert httpx.get(f"{gw.url}/slow?seconds=0.01").status_code == 200  # within read_timeout


def test_unresolvable_host_is_503_name_resolution_failed(start_gateway):
    gw = start_gateway("""
_format_version: "3.0"
services:
  - name: ghost
    url: http://ghost-service.invalid:8080
    routes: [{name: ghost, paths: ["/ghost"]}]
""")
    r = httpx.get(f"{gw.url}/ghost", timeout=30)
    assert r.status_code == 503
    assert r.json()["message"] == "name resolution failed"


def test_route_without_service_is_503(start_gateway):
    gw = start_gateway("""
_format_version: "3.0"
routes: [{name: lonely, paths: ["/lonely"]}]
""")
    r = httpx.get(f"{gw.url}/lonely")
    assert r.status_code == 503 and r.json()["message"] == "no Service found with those values"
