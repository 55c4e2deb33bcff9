"""Name -> address maps for the embedded gateway, and the three ways to give a config."""
import json
from pathlib import Path

import pytest

from microlab.gateway.resolve import ENV, Resolver, from_sources, parse_entry
from microlab.gateway.validation import read, validate



def test_resolve_entries_from_args_env_and_file(tmp_path):
    mapping = tmp_path / "map.json"
    mapping.write_text('{"payment-service": "10.0.0.5:9000"}')
    r = from_sources(["user-service=127.0.0.1:5001", "order-service:8080=127.0.0.1:5002"], str(mapping),
                     env={ENV: "inventory-service=127.0.0.1:5003"})
    assert r("user-service", 8080) == ("127.0.0.1", 5001)
    assert r("order-service", 8080) == ("127.0.0.1", 5002)
    assert r("order-service", 9999) == ("order-service", 9999)  # port-specific entry only
    assert r("inventory-service", 8080) == ("127.0.0.1", 5003)
    assert r("payment-service", 8080) == ("10.0.0.5", 9000)
    assert Resolver()("kong", 80) == ("kong", 80)  # unknown names are left to DNS


def test_names_started_after_the_gateway_resolve_from_the_lab_state(tmp_path):
    """The monolith brought up beside the services, a BFF deployed later: not in --resolve."""
    state = tmp_path / "state.json"
    r = from_sources(["user-service=127.0.0.1:5001"], env={}, lab_state=str(state))
    assert r("monolith", 8080) == ("monolith", 8080)  # no state file yet: DNS
    state.write_text(json.dumps({"ports": {"monolith": 6001, "user-service": 9999}}))
    assert r("monolith", 8080) == ("127.0.0.1", 6001)
    assert r("user-service", 8080) == ("127.0.0.1", 5001)  # what it was given wins
    state.write_text(json.dumps({"ports": {"monolith": 6001, "mobile-bff": 6002}}) + " ")  # a new mtime and size
    assert r("mobile-bff", 8080) == ("127.0.0.1", 6002)
    state.write_text("{half a write")
    assert r("mobile-bff", 8080) == ("127.0.0.1", 6002)  # what was read last stays


@pytest.mark.parametrize("bad", ["user-service", "user-service=127.0.0.1", "=1.2.3.4:5", "a=h:x"])
def test_bad_resolve_entries_say_what_is_expected(bad):
    with pytest.raises(ValueError, match="NAME\\[:PORT\\]=HOST:PORT"):
        parse_entry(bad)


def test_path_text_and_dict_give_the_same_report(tmp_path):
    text = '_format_version: "3.0"\nservices: [{name: s, url: "http://a:1", colour: red}]\n'
    path = tmp_path / "kong.yml"
    path.write_text(text)
    as_path, as_str_path, as_text = validate(path), validate(str(path)), validate(text)
    as_dict = validate({"_format_version": "3.0", "services": [{"name": "s", "url": "http://a:1", "colour": "red"}]})
    for report in (as_path, as_str_path, as_text, as_dict):
        assert [(p.where, p.message) for p in report.problems] == [("services[0].colour", "unknown field")]
    assert as_path.problems[0].line == 2 and as_dict.problems[0].line is None
    assert read(Path(path)).text == text


def test_to_dict_for_tools():
    d = validate("services: 1\n").to_dict()
    assert d["ok"] is False
    assert {"path": "services", "line": 1, "column": None, "message": "expected an array"} in d["problems"]
