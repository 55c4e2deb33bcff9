"""The routing table: Kong's order (regex before prefix, longest prefix first, more
matching fields first), strip_path joining, methods and hosts."""
import pytest
from multidict import CIMultiDict

from microlab.gateway.model import build
from microlab.gateway.plugins.rate_limiting import Counters
from microlab.gateway.router import upstream_uri
from microlab.gateway.validation import validate


CONFIG = """
_format_version: "3.0"
services:
  - name: users
    url: http://user-service:8080/users
    routes:
      - {name: users, paths: [/api/v1/users]}
      - {name: users-post, paths: [/api/v1/users], methods: [POST]}
      - {name: short, paths: [/api]}
      - {name: by-id, paths: ["~/api/v1/users/\\\\d+$"], strip_path: false}
      - {name: by-id-first, paths: ["~/api/v1/users/1\\\\d*$"], regex_priority: 10, strip_path: false}
      - {name: host, hosts: ["*.example.org"], paths: [/h]}
      - {name: plain-host, hosts: ["shop.example.org"], paths: [/h]}
  - name: root
    url: http://root:8080
    routes:
      - {name: everything, paths: [/]}
"""


@pytest.fixture(scope="module")
def router():
    report = validate(CONFIG)
    assert report.ok, str(report)
    return build(report, Counters()).router


def route(router, path, method="GET", host="gw"):
    m = router.match(method, path, host, CIMultiDict())
    return (m.route.name, m.upstream_path) if m else None


@pytest.mark.parametrize("method,path,expected", [
    ("GET", "/api/v1/users", ("users", "/users")),
    ("GET", "/api/v1/users/", ("users", "/users/")),
    ("GET", "/api/v1/users/a/b", ("users", "/users/a/b")),
    ("GET", "/api/v1/usersXYZ", ("users", "/users/XYZ")),  # plain prefix, not segment aware
    ("POST", "/api/v1/users", ("users-post", "/users")),  # methods add a matching field
    ("GET", "/api/v1/users/7", ("by-id", "/users/api/v1/users/7")),  # regex beats prefix
    ("GET", "/api/v1/users/12", ("by-id-first", "/users/api/v1/users/12")),  # regex_priority
    ("GET", "/api/v1/users/7/x", ("users", "/users/7/x")),  # regex anchored at both ends here
    ("GET", "/api/v2", ("short", "/users/v2")),  # longest prefix that matches
    ("GET", "/other", ("everything", "/other")),
    ("GET", "/", ("everything", "/")),
])
def test_routing_table(router, method, path, expected):
    assert route(router, path, method) == expected


def test_hosts_plain_beats_wildcard_and_ports_are_ignored(router):
    assert route(router, "/h/1", host="shop.example.org:8000") == ("plain-host", "/users/1")
    assert route(router, "/h/1", host="m.example.org") == ("host", "/users/1")
    assert route(router, "/h/1", host="example.org") == ("everything", "/h/1")  # *.x needs a label


def test_no_match_without_catch_all():
    report = validate('_format_version: "3.0"\nservices: [{name: s, host: a, routes: [{name: r, paths: [/a]}]}]\n')
    r = build(report, Counters()).router
    assert r.match("GET", "/b", "x", CIMultiDict()) is None


@pytest.mark.parametrize("strip,postfix,req,base,expected", [
    (True, "/a", "/svc/a", "/", "/a"),
    (True, "", "/svc", "/", "/"),
    (True, "", "/svc/", "/users", "/users/"),
    (True, "", "/svc", "/users/", "/users"),
    (True, "/1", "/svc/1", "/users", "/users/1"),
    (True, "a", "/svca", "/users", "/users/a"),
    (False, "", "/svc/a", "/", "/svc/a"),
    (False, "", "/svc/a", "/base", "/base/svc/a"),
    (False, "", "/", "/base", "/base"),
    (False, "", "/svc", "/base/", "/base/svc"),
])
def test_upstream_uri_is_kongs_v0_join(strip, postfix, req, base, expected):
    assert upstream_uri(strip, postfix, req, base) == expected


def test_a_route_host_with_a_port_matches_that_port_only():
    report = validate('_format_version: "3.0"\nservices: [{name: s, host: a, routes: '
                      '[{name: r, hosts: ["shop.example.org:8000"]}]}]\n')
    r = build(report, Counters()).router
    assert r.match("GET", "/", "shop.example.org:8000", CIMultiDict()) is not None
    assert r.match("GET", "/", "shop.example.org:9000", CIMultiDict()) is None
