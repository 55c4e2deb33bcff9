"""The gateway as part of the lab: started by up("services"), routing to the real shop,
hot apply through lab.gateway, the CLI, and backends-for-frontends."""
import subprocess
import sys

import httpx
import pytest

from microlab.gateway.api import GatewayConfigError
from microlab.kinds.gateway import PACKAGE


LIMITED = """
_format_version: "3.0"
services:
  - name: user-service
    url: http://user-service:8080/users
    routes: [{name: users-route, paths: ["/api/v1/users"]}]
    plugins:
      - name: rate-limiting
        config: {hour: 1000}
"""


def cli(*args, lab=None):
    base = [sys.executable, "-m", "microlab.cli"] + (["--lab", lab, "--backend", "local"] if lab else [])
    return subprocess.run(base + list(args), capture_output=True, text=True, timeout=60)


def test_services_stack_routes_the_four_apis_through_the_gateway(local_lab):
    local_lab.up("services")
    gw = local_lab.gateway.url
    assert gw == local_lab.url("gateway")
    ada = httpx.post(f"{gw}/api/v1/users", json={"name": "Ada", "email": "ada@example.org"}, timeout=10)
    assert ada.status_code == 201, ada.text
    assert ada.headers["Via"].startswith("1.1 kong/")
    assert httpx.get(f"{gw}/api/v1/users/{ada.json()['id']}", timeout=10).json()["name"] == "Ada"
    assert httpx.get(f"{gw}/api/v1/inventory/SKU-BOOK", timeout=10).json()["sku"] == "SKU-BOOK"
    order = httpx.post(f"{gw}/api/v1/orders", json={"user_id": ada.json()["id"], "items": [
        {"sku": "SKU-MUG", "quantity": 1}]}, headers={"X-Request-ID": "gw-7"}, timeout=10)
    assert order.status_code == 201, order.text
    assert order.headers["X-Request-ID"] == "gw-7"
    assert httpx.get(f"{gw}/api/v1/orders/{order.json()['id']}", timeout=10).status_code == 200
    assert httpx.get(f"{gw}/api/v1/payments/999", timeout=10).status_code == 404
    assert httpx.get(f"{gw}/api/v2/users", timeout=10).json()["message"] == "no Route matched with those values"
    assert local_lab.status()["gateway"].state == "healthy"


def test_apply_via_the_lab_api_and_the_cli(local_lab, tmp_path):
    local_lab.up("services")
    gw = local_lab.gateway.url
    local_lab.gateway.apply(LIMITED)
    r = httpx.get(f"{gw}/api/v1/users/1", timeout=10)
    assert r.headers["X-RateLimit-Limit-Hour"] == "1000"
    assert httpx.get(f"{gw}/api/v1/orders", timeout=10).status_code == 404  # only users now
    with pytest.raises(GatewayConfigError) as refused:
        local_lab.gateway.apply(LIMITED.replace('"/api/v1/users"', '"api/v1/users"'))
    assert "should start with: / (fixed path) or ~/ (regex path)" in str(refused.value)
    assert refused.value.report.problems[0].line == 6
    assert httpx.get(f"{gw}/api/v1/users/1", timeout=10).headers["X-RateLimit-Limit-Hour"] == "1000"
    # the CLI: back to the default file
    done = cli("gateway", "apply", str(PACKAGE / "gateway" / "kong.yml"), lab=local_lab.name)
    assert done.returncode == 0, done.stderr
    r = httpx.get(f"{gw}/api/v1/orders", timeout=10)
    assert r.status_code == 200 and "X-RateLimit-Limit-Hour" not in r.headers
    bad = tmp_path / "bad.yml"
    bad.write_text("services: [\n")
    done = cli("gateway", "apply", str(bad), lab=local_lab.name)
    assert done.returncode == 1 and "line 2" in done.stderr and "Traceback" not in done.stderr


def test_cli_validate_lists_every_problem_and_sets_the_exit_status(tmp_path):
    good = cli("gateway", "validate", str(PACKAGE / "gateway" / "kong.yml"))
    assert good.returncode == 0 and "valid" in good.stdout
    bad = tmp_path / "kong.yml"
    bad.write_text("services:\n  - name: a\n    url: http://a:1\n    routes: [{name: r, paths: [x]}]\n"
                   "    colour: red\n")
    done = cli("gateway", "validate", str(bad))
    assert done.returncode == 1
    for expected in ("_format_version: required field missing", "line 5: services[0].colour: unknown field",
                     "line 4: services[0].routes[0].paths[0]: should start with"):
        assert expected in done.stderr
    broken = tmp_path / "broken.yml"
    broken.write_text("services:\n  - name: [a\n")
    done = cli("gateway", "validate", str(broken))
    assert done.returncode == 1 and "Traceback" not in done.stderr and "column" in done.stderr


def test_embedded_gateway_refuses_to_start_on_an_invalid_file(tmp_path):
    bad = tmp_path / "kong.yml"
    bad.write_text('_format_version: "3.0"\nservices: [{name: s, host: a, port: 99999}]\n')
    done = subprocess.run([sys.executable, "-m", "microlab.gateway", "--config", str(bad), "--port", "0",
                           "--admin-port", "0"], capture_output=True, text=True, timeout=30)
    assert done.returncode == 2
    assert "line 2: services[0].port: value should be between 0 and 65535" in done.stderr


def test_bff_stack_runs_two_gateways_with_their_own_configs(local_lab):
    local_lab.up("bff")
    web, mobile = local_lab.gateway("web-gateway"), local_lab.gateway("mobile-gateway")
    r = httpx.get(f"{web.url}/api/v1/inventory", headers={"Origin": "http://localhost:3000"}, timeout=10)
    assert r.status_code == 200 and r.headers["Access-Control-Allow-Origin"] == "http://localhost:3000"
    assert httpx.get(f"{web.url}/m/inventory", timeout=10).status_code == 404
    r = httpx.get(f"{mobile.url}/m/inventory/SKU-BOOK", timeout=10)
    assert r.status_code == 200 and r.headers["X-RateLimit-Limit-Minute"] == "60"
    assert httpx.get(f"{mobile.url}/api/v1/users", timeout=10).status_code == 404
    assert httpx.delete(f"{mobile.url}/m/orders/1", timeout=10).status_code == 404  # methods: GET, POST
