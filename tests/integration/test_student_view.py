"""What a student sees from a terminal and a notebook on a real local lab: every lab listed,
--lab anywhere, logs that say when a component is down and leave health checks out,
/docs that works offline, and status rows that read right."""
from __future__ import annotations

import re
import subprocess
import sys
from html.parser import HTMLParser
from urllib.parse import urljoin, urlparse

import requests

from microlab import Lab, logfilter, topology
from microlab.status import SCHEMES

CLI = [sys.executable, "-m", "microlab.cli", "--backend", "local"]


def cli(*args: str, timeout: int = 120) -> subprocess.CompletedProcess:
    return subprocess.run(CLI + list(args), capture_output=True, text=True, timeout=timeout)


def test_status_without_lab_lists_every_running_lab_and_lab_goes_before_or_after(local_lab, lab_name):
    other = Lab(backend="local", name=f"{lab_name}-b", quiet=True)
    try:
        local_lab.up("monolith")
        other.up("monolith")
        listing = cli("status")
        assert listing.returncode == 0, listing.stderr
        for name in (local_lab.name, other.name):
            assert f"lab {name!r} (local backend): 1 component, healthy" in listing.stdout
        before, after = cli("--lab", lab_name, "status"), cli("status", "--lab", lab_name)
        assert before.returncode == after.returncode == 0, before.stderr + after.stderr
        assert before.stdout.splitlines()[0] == after.stdout.splitlines()[0] == (
            f"lab {lab_name!r} (local backend): 1 component, healthy")
        assert other.name not in after.stdout
    finally:
        other.down()
    assert other.name not in cli("status").stdout


def test_logs_hide_health_checks_unless_all_and_say_when_a_component_is_down(local_lab, lab_name):
    local_lab.up("monolith")
    url = local_lab.url("monolith")
    for _ in range(3):
        assert requests.get(f"{url}/health", timeout=5).status_code == 200
    requests.get(f"{url}/users/4242", headers={"X-Request-ID": "mine-1"}, timeout=5)
    everything = local_lab.logs("monolith", tail=400, everything=True)
    assert "GET /health" in everything and "request_id=mine-1" in everything
    filtered = local_lab.logs("monolith", tail=400)
    assert "GET /health" not in filtered and "request_id=mine-1" in filtered
    assert filtered.splitlines() == [ln for ln in everything.splitlines() if not logfilter.is_noise(ln)]

    shown = cli("logs", "monolith", "--lab", lab_name, "--tail", "400")
    assert shown.returncode == 0 and "request_id=mine-1" in shown.stdout and "GET /health" not in shown.stdout
    assert re.search(r"\d+ health-check and Kafka metadata lines left out; --all shows them", shown.stderr)
    assert "GET /health" in cli("logs", "monolith", "--lab", lab_name, "--all", "--tail", "400").stdout

    local_lab.stop("monolith")
    down = cli("logs", "monolith", "--lab", lab_name)
    assert down.returncode == 1
    assert "monolith is down (stopped:" in down.stderr and "request_id=mine-1" in down.stdout

    local_lab.down()
    gone = cli("logs", "user-service", "--lab", lab_name)
    assert gone.returncode != 0 and f"user-service is not running in lab {lab_name!r}" in gone.stderr


class _Refs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.refs: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.refs += [v for k, v in attrs if k in ("src", "href", "spec-url") and v]


def referenced(html: str) -> list[str]:
    """Every URL the page loads: src/href attributes and the quoted URLs in its inline script."""
    parser = _Refs()
    parser.feed(html)
    return parser.refs + re.findall(r"""url:\s*['"]([^'"]+)['"]""", html)


def test_docs_load_only_assets_the_service_serves_itself(local_lab):
    local_lab.up("monolith")
    base = local_lab.url("monolith")
    for page in ("/docs", "/redoc"):
        resp = requests.get(base + page, timeout=10)
        assert resp.status_code == 200
        assert not re.search(r"https?://(?!127\.0\.0\.1)", resp.text), f"{page} names an outside URL"
        refs = referenced(resp.text)
        assert any(r.endswith(".js") for r in refs), refs
        for ref in refs:
            target = urljoin(base + page, ref)
            assert urlparse(target).netloc == urlparse(base).netloc
            asset = requests.get(target, timeout=10)
            assert asset.status_code == 200 and asset.content, target


def test_status_rows_in_topology_order_with_a_scheme_per_kind(local_lab):
    local_lab.up("services")
    report = local_lab.status()
    order = topology.port_names()
    assert [r.name for r in report] == sorted((r.name for r in report), key=order.index)
    for row in report:
        kind = topology.component(row.name).kind
        assert row.url == f"{SCHEMES[kind]}127.0.0.1:{local_lab.backend.address(row.name)[1]}"
    assert row.url.startswith("http://") and report["kafka"].url == local_lab.kafka_bootstrap
    text, html = str(report), report._repr_html_()
    assert text.splitlines()[0] == f"lab {local_lab.name!r} (local backend): {len(topology.stack('services'))} components, all healthy"
    assert all(row.name in text and row.name in html for row in report)
    assert max(len(line) for line in text.splitlines()) <= 100
