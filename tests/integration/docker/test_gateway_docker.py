"""`lab.gateway.apply(...)` on the Docker backend: the config goes to the gateway container's
admin API (published port 8001), takes effect at once, and a bad one changes nothing."""
from __future__ import annotations

from pathlib import Path

import httpx
import pytest
import requests
import yaml

import microlab
from microlab import admintoken
from microlab import LabError
from microlab.gateway.api import GatewayConfigError
from microlab.kinds import gateway as gateway_kind
from microlab.topology import component

COURSE = Path(microlab.__file__).parent / "gateway" / "examples" / "course.yml"


def protected_paths() -> list[str]:
    """The paths of the routes course.yml puts behind its jwt plugin."""
    doc = yaml.safe_load(COURSE.read_text())
    return [path for service in doc["services"]
            if any(p["name"] == "jwt" for p in service.get("plugins", []))
            for route in service["routes"] for path in route["paths"]]


@pytest.fixture
def course_gateway(services_lab):
    """The shared lab's gateway running course.yml; its own kong.yml again afterwards."""
    services_lab.gateway.apply(str(COURSE))
    yield services_lab.gateway
    services_lab.gateway.apply(str(gateway_kind.config_path(component("gateway"))))


def test_the_admin_api_is_the_published_8001_of_the_gateway_container(services_lab):
    host, port = services_lab.backend.admin_address("gateway")
    assert host == "127.0.0.1" and port != services_lab.backend.address("gateway")[1]
    assert httpx.get(f"http://{host}:{port}/status", timeout=5).status_code == 200
    with pytest.raises(LabError, match="not a gateway"):
        services_lab.backend.admin_address("user-service")


def test_course_yml_applies_and_its_route_then_wants_a_token(course_gateway):
    paths = protected_paths()
    assert paths, "course.yml protects no route: the test would check nothing"
    for path in paths:
        response = requests.get(f"{course_gateway.url}{path}/1", timeout=10)
        assert response.status_code == 401, response.text
        assert response.json() == {"message": "Unauthorized"}  # Kong 3.x's words, exactly
        assert response.headers["WWW-Authenticate"] == "Bearer"
    # the routes course.yml leaves out are gone: it replaced the whole config
    assert requests.get(f"{course_gateway.url}/api/v1/inventory", timeout=10).status_code == 404


def test_an_invalid_config_is_refused_and_the_old_one_stays(course_gateway):
    path = protected_paths()[0]
    broken = yaml.safe_load(COURSE.read_text())
    broken["services"][0]["plugins"] = [{"name": "no-such-plugin"}]
    with pytest.raises(GatewayConfigError, match="refused, the old config stays") as refused:
        course_gateway.apply(broken)
    assert not refused.value.report.ok
    # the gateway itself refuses what slips past the client-side check (another tool posting,
    # with the lab's admin token: without it the answer would be 401 whatever the config)
    posted = httpx.post(f"{course_gateway.admin_url}/config", json={"config": yaml.safe_dump(broken)},
                        headers=admintoken.headers(course_gateway.lab.backend, "gateway"), timeout=10)
    assert posted.status_code == 400, posted.text
    assert requests.get(f"{course_gateway.url}{path}/1", timeout=10).status_code == 401


def test_the_lab_gateway_serves_its_own_config_again_after_course_yml(course_gateway, services_lab):
    """Applying the topology's kong.yml brings the open routes back (the fixture relies on it)."""
    course_gateway.apply(str(gateway_kind.config_path(component("gateway"))))
    response = requests.get(f"{services_lab.url('gateway')}/api/v1/inventory", timeout=10)
    assert response.status_code == 200, response.text
