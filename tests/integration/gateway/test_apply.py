"""Hot apply: a whole new config at once, in-flight requests finish on the old one, and
an invalid config is refused while the old one keeps serving."""
import threading
import time

import httpx


OLD = """
_format_version: "3.0"
services:
  - name: echo
    url: http://echo:8080
    routes: [{name: old, paths: ["/old"], strip_path: false}]
"""
NEW = """
_format_version: "3.0"
services:
  - name: echo
    url: http://echo:8080/v2
    routes: [{name: new, paths: ["/new"]}]
"""
BROKEN = """
_format_version: "3.0"
services:
  - name: echo
    url: http://echo:8080
    routes: [{name: r, paths: ["new"]}]
"""


def post(gw, text):
    return httpx.post(f"{gw.admin_url}/config", json={"config": text}, timeout=10)


def test_apply_swaps_the_whole_config(start_gateway):
    gw = start_gateway(OLD)
    assert httpx.get(f"{gw.url}/old").status_code == 200
    r = post(gw, NEW)
    assert r.status_code == 201, r.text
    assert httpx.get(f"{gw.url}/old").status_code == 404
    assert httpx.get(f"{gw.url}/new/x").json()["path"] == "/v2/x"
    assert httpx.get(f"{gw.admin_url}/config").json()["config"] == NEW


def test_invalid_config_is_refused_and_the_old_one_stays(start_gateway):
    gw = start_gateway(OLD)
    before = httpx.get(f"{gw.admin_url}/status").json()["configuration_hash"]
    r = post(gw, BROKEN)
    assert r.status_code == 400
    assert r.json()["name"] == "invalid declarative configuration"
    [problem] = r.json()["problems"]
    assert problem["path"] == "services[0].routes[0].paths[0]" and problem["line"] == 6
    assert problem["message"] == "should start with: / (fixed path) or ~/ (regex path)"
    r = post(gw, "services: [")
    assert r.status_code == 400 and "failed parsing declarative configuration" in r.json()["report"]
    assert httpx.get(f"{gw.url}/old").status_code == 200
    assert httpx.get(f"{gw.admin_url}/status").json()["configuration_hash"] == before


def test_requests_in_flight_finish_on_the_old_config(start_gateway):
    gw = start_gateway(OLD)
    result = {}

    def slow():
        result["r"] = httpx.get(f"{gw.url}/old/slow?seconds=1", timeout=10)

    t = threading.Thread(target=slow)
    t.start()
    time.sleep(0.3)  # the slow request is now waiting on the upstream
    assert t.is_alive()
    assert post(gw, NEW).status_code == 201
    assert httpx.get(f"{gw.url}/old/ping").status_code == 404  # new requests: new config
    t.join(10)
    assert result["r"].status_code == 200
    assert result["r"].json()["path"] == "/old/slow"


def test_admin_accepts_a_raw_yaml_body_like_kong(start_gateway):
    gw = start_gateway(OLD)
    r = httpx.post(f"{gw.admin_url}/config", content=NEW, headers={"Content-Type": "text/yaml"})
    assert r.status_code == 201
    assert httpx.get(f"{gw.admin_url}/").json()["configuration"]["database"] == "off"
    assert httpx.get(f"{gw.admin_url}/status").status_code == 200
    assert httpx.get(f"{gw.url}/new").status_code == 200
