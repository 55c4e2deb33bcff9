"""The words a student reads: status tables, the CLI's options, log filtering, owner labels, /docs."""
from __future__ import annotations

import os
import re

import pytest

from microlab import logfilter
from microlab.backends.base import ComponentStatus
from microlab.cli import DEFAULT_LAB, parse
from microlab.docker import naming
from microlab.status import StatusReport, address, summary
from microlab.topology import port_names


def row(name: str, kind: str = "service", state: str = "healthy", detail: str = "pid 1") -> ComponentStatus:
    return ComponentStatus(name, kind, state, address(kind, "127.0.0.1", 4000), detail)


@pytest.mark.parametrize("kind, expected", [
    ("service", "http://127.0.0.1:4000"), ("gateway", "http://127.0.0.1:4000"),
    ("broker", "127.0.0.1:4000"), ("database", "postgresql://127.0.0.1:4000"),
])
def test_each_kind_gets_the_address_a_client_of_it_takes(kind, expected):
    assert address(kind, "127.0.0.1", 4000) == expected


@pytest.mark.parametrize("states, expected", [
    (["healthy"], "1 component, healthy"),
    (["healthy", "healthy"], "2 components, all healthy"),
    (["healthy", "exited", "healthy"], "3 components: 2 healthy, 1 exited"),
])
def test_summary_grammar(states, expected):
    assert summary([row(f"c{i}", state=s) for i, s in enumerate(states)]) == expected


def test_rows_come_in_topology_order_whatever_order_the_backend_found_them():
    names = ["gateway", "order-db", "kafka", "order-service", "user-service"]
    report = StatusReport([row(n) for n in names], "docker", "x")
    assert [r.name for r in report] == sorted(names, key=port_names().index)


def test_text_and_html_show_the_same_title_and_cells():
    long = "embedded gateway (no Kong image); container 0123456789ab, docker health: healthy"
    report = StatusReport([row("kafka", "broker"), row("gateway", "gateway", detail=long),
                           row("user-service", state="exited", detail="pid 7 is gone")], "local", "lab01")
    text, html = str(report), report._repr_html_()
    assert text.splitlines()[0] == "lab 'lab01' (local backend): 3 components: 2 healthy, 1 exited"
    assert "lab &#x27;lab01&#x27; (local backend): 3 components: 2 healthy, 1 exited" in html
    cells = [c for r in report.cells() for c in r]
    assert all(c in text for c in cells)
    assert re.findall(r"<td[^>]*>([^<]*)</td>", html) == [c.replace("'", "&#x27;") for c in cells]
    assert max(map(len, text.splitlines())) <= 100  # no wrapped rows in a notebook's output
    assert str(StatusReport([], "docker", "x")) == "lab 'x' (docker backend): nothing running"


@pytest.mark.parametrize("argv", [
    ["--lab", "lab01", "status"], ["status", "--lab", "lab01"],
    ["--lab", "other", "status", "--lab", "lab01"],  # the later one wins
])
def test_lab_is_taken_before_or_after_the_command(argv):
    args = parse(argv)
    assert (args.lab, args.lab_given, args.command) == ("lab01", True, "status")


def test_without_lab_commands_use_the_default_and_know_it_was_not_given():
    args = parse(["logs", "order-service", "--backend", "local", "--tail", "5"])
    assert (args.lab, args.lab_given, args.backend, args.name, args.tail) == (
        DEFAULT_LAB, False, "local", "order-service", 5)
    assert parse(["gateway", "apply", "k.yml", "--lab", "lab03"]).lab == "lab03"


def test_log_filter_leaves_out_health_checks_and_metadata_refreshes_only():
    mine = "INFO order-service request_id=abc POST /orders -> 201 (3.1 ms)"
    noise = ["INFO order-service request_id=x GET /health -> 200 (1.5 ms)",
             'INFO:     172.18.0.1:50000 - "GET /health HTTP/1.1" 200 OK',
             "INFO kafka.cluster Updated metadata: ClusterMetadata(brokers: 1, topics: 2)"]
    text = "\n".join([noise[0], mine, *noise[1:], "INFO GET /healthy-users -> 200"])
    assert logfilter.keep(text, 50, everything=False) == (f"{mine}\nINFO GET /healthy-users -> 200", 3)
    assert logfilter.keep(text, 2, everything=True) == ("\n".join(text.splitlines()[-2:]), 0)
    assert logfilter.keep(text, 1, everything=False)[0] == "INFO GET /healthy-users -> 200"


def test_every_resource_carries_its_owner_and_home(monkeypatch, tmp_path):
    tmp_path = tmp_path.resolve()
    monkeypatch.setenv("MICROLAB_HOME", str(tmp_path))
    labels = naming.labels("lab01", "user-service", "service")
    assert labels[naming.OWNER] == str(os.getuid()) and labels[naming.HOME] == str(tmp_path)
    assert naming.owner_filter() == {"label": [naming.LAB, f"{naming.OWNER}={os.getuid()}",
                                               f"{naming.HOME}={tmp_path}"]}


def test_docs_pages_name_no_outside_url_and_their_assets_are_served(make_client):
    client = make_client("user_service")
    for page in ("/docs", "/redoc"):
        html = client.get(page)
        assert html.status_code == 200
        assert not re.search(r"https?://", html.text), f"{page} loads something from outside"
        assets = re.findall(r"""(?:src=|href=|spec-url=|url:\s*)['"](/[^'"]+)['"]""", html.text)
        assert any(a.endswith(".js") for a in assets) and "/openapi.json" in assets
        for asset in assets:
            got = client.get(asset)
            assert got.status_code == 200 and got.content, asset
