"""06-api-gateway's support module (microlab.lessons.gateway_tour) against a real local lab:
the shop behind its three gateways, and the monolith beside it for the strangler fig."""
from __future__ import annotations

import copy
import time
import uuid

import httpx
import pytest
import yaml
from matplotlib.figure import Figure

from labkit import owned_pids
from microlab import Lab
from microlab.kinds.gateway import PACKAGE
from microlab.lessons import gateway_tour as tour
from microlab.local.processes import alive

KONG = yaml.safe_load((PACKAGE / "gateway" / "kong.yml").read_text())
COURSE = yaml.safe_load((PACKAGE / "gateway" / "examples" / "course.yml").read_text())
MOBILE = yaml.safe_load((PACKAGE / "gateway" / "bff" / "mobile.yml").read_text())
LIMIT = 100


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    with pytest.MonkeyPatch.context() as env:
        env.setenv("MICROLAB_HOME", str(tmp_path_factory.mktemp("home")))
        lab = Lab(backend="local", name=f"tour-{uuid.uuid4().hex[:6]}", quiet=True)
        try:
            lab.up("gateways")  # the shop behind gateway, web-gateway and mobile-gateway; no broker
            lab.up("monolith")  # started after the gateways: they must still find it
            yield lab
        finally:
            pids = list(owned_pids(lab).values())
            lab.down()
        assert not [p for p in pids if alive(p)], "down left processes behind"


@pytest.fixture(scope="module")
def user_id(lab) -> int:
    body = {"name": "Ada", "email": f"ada-{uuid.uuid4().hex[:8]}@example.org"}
    r = httpx.post(f"{lab.url('user-service')}/users", json=body, timeout=10)
    assert r.status_code == 201, r.text
    return r.json()["id"]


def service_of(config: dict, name: str) -> dict:
    return next(s for s in config["services"] if s["name"] == name)


def test_the_course_snippet_is_refused_for_its_missing_format_version(lab):
    report = lab.gateway.validate(tour.COURSE_SNIPPET)
    assert not report.ok
    assert "_format_version" in str(report)
    assert "minute: 100" in tour.COURSE_SNIPPET and tour.COURSE_SNIPPET.startswith("# Kong")


def test_both_paths_shows_the_prefix_stripped(lab, user_id):
    lab.gateway.apply(KONG)
    text = tour.both_paths(lab, f"/api/v1/users/{user_id}")
    route = service_of(KONG, "user-service")["routes"][0]["paths"][0]  # /api/v1/users
    received = f"/users/{user_id}"  # the service's url path (/users) + what follows the route's prefix
    assert f"GET {route}/{user_id}" in text and f"GET {received} " in text
    assert "(200," in text
    assert "never saw it" in tour.both_paths(lab, "/api/v2/nothing")


def test_a_burst_over_the_minute_limit_is_cut_at_the_gateway(lab, user_id):
    config = copy.deepcopy(KONG)
    service_of(config, "user-service")["plugins"] = [{"name": "rate-limiting", "config": {"minute": LIMIT}}]
    lab.gateway.apply(config)
    tour.wait_for_fresh_minute(20)
    assert 60 - time.time() % 60 >= 19.9
    n = LIMIT + 20
    burst = tour.burst(f"{lab.gateway.url}/api/v1/users/{user_id}", n=n)
    assert (burst.admitted, burst.rejected) == (LIMIT, n - LIMIT)
    assert burst.request_ids(200) == burst.request_ids()[:LIMIT]
    refusal = burst.first_refusal()
    assert refusal.status == 429 and "API rate limit exceeded" in refusal.body
    assert refusal.headers["Retry-After"] == refusal.headers["RateLimit-Reset"]
    left_in_minute = 60 - (burst.started + refusal.at) % 60  # the window ends at the next :00
    assert abs(int(refusal.headers["Retry-After"]) - left_in_minute) <= 1.5
    assert refusal.headers["X-RateLimit-Remaining-Minute"] == "0"
    assert f"admitted {LIMIT}, rejected {n - LIMIT}" in str(burst)
    assert tour.reached(lab, "user-service", burst) == {"admitted": LIMIT, "rejected": 0}
    fig = tour.plot_admissions(burst)
    assert isinstance(fig, Figure) and f"{LIMIT} admitted" in fig.axes[0].get_title()


def test_jwt_cases_admit_only_the_valid_token(lab, user_id):
    config = copy.deepcopy(COURSE)
    users = service_of(config, "user-service")
    users["plugins"] = [p for p in users["plugins"] if p["name"] == "jwt"]  # the burst's limit aside
    users["plugins"][0]["config"]["claims_to_verify"] = ["exp"]
    lab.gateway.apply(config)
    credential = config["consumers"][0]["jwt_secrets"][0]
    table = tour.jwt_cases(f"{lab.gateway.url}/api/v1/users/{user_id}", credential["key"], credential["secret"])
    statuses = {row["case"]: row["status"] for row in table}
    assert statuses.pop("valid token") == 200
    assert len(statuses) == 5 and set(statuses.values()) == {401}
    messages = {row["case"]: row["message"] for row in table}
    assert messages["no token"] == "Unauthorized"
    assert messages["wrong secret"] == "Invalid signature"
    assert messages["expired"] == "exp: token expired"
    assert messages["alg: none"] == "Bad token; invalid alg"
    assert messages["unknown iss"] == "No credentials found for given 'iss'"
    assert "expired" in str(table) and "<table>" in table._repr_html_()


def test_hop_latency_samples_both_paths(lab, user_id):
    lab.gateway.apply(KONG)
    samples = tour.hop_latency(lab, n=40, path=f"/users/{user_id}")
    assert set(samples) == {"direct", "via gateway"}
    assert [len(v) for v in samples.values()] == [40, 40] and min(map(min, samples.values())) > 0
    summary = tour.hop_summary(samples)
    assert "p50" in summary and "the gateway adds" in summary
    assert isinstance(tour.plot_hops(samples), Figure)


@pytest.mark.parametrize("moved, users_by", [(("inventory",), "monolith"),
                                             (("inventory", "users"), "user-service")])
def test_journey_through_a_strangler_fig(lab, moved, users_by):
    config = tour.strangler_config(moved)
    assert lab.gateway.validate(config).ok
    lab.gateway.apply(config)
    table = tour.journey(lab)
    assert all(200 <= row["status"] < 300 for row in table), str(table)
    by = {row["step"]: row["answered by"] for row in table}
    assert by == {"create user": users_by, "read user": users_by,
                  "list inventory": "inventory-service", "read item": "inventory-service"}, str(table)


def test_surface_of_the_two_bff_gateways(lab):
    table = tour.surface(lab)
    users = table.row("GET /api/v1/users/1")
    assert users["mobile-gateway"] == "404 no route"
    assert "no route" not in users["web-gateway"]
    orders = next(s for s in MOBILE["services"] if s["name"] == "order-service")["routes"][0]
    delete = table.row("DELETE /m/orders/1")["mobile-gateway"]
    assert ("no route" in delete) == ("DELETE" not in orders["methods"])
    assert "no route" not in table.row("GET /m/inventory")["mobile-gateway"]
    assert table.row("GET /m/inventory")["web-gateway"] == "404 no route"
