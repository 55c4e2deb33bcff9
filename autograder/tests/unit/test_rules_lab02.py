"""The rules of 02's split (microlab.visible.lab02, run visibly and by the grader) and the
grader's own checks of 02, on answers given directly: no kernel, no sandbox."""
from __future__ import annotations

import importlib.util
import json
import random

import nbformat
import pytest

from microlab import selfcheck
from microlab.visible import lab02 as rules
from microlab_grading import harness, paths
from microlab_grading.exercise import CheckFailed, Context

A = "02-decomposition"
GOOD = {  # any names will do
    "accounts": {"tables": ["users"], "endpoints": ["POST /users", "GET /users/{id}"]},
    "ordering": {"tables": ["orders", "order_items"],
                 "endpoints": ["POST /orders", "GET /orders/{id}", "GET /users/{id}/orders"]},
    "stock": {"tables": ["inventory"],
              "endpoints": ["GET /inventory", "GET /inventory/{sku}", "POST /inventory/reservations"]},
    "billing": {"tables": ["payments"], "endpoints": ["POST /payments", "GET /payments/{id}"]},
}
ALL_RULES = [rule for named in rules.RULES.values() for rule in named]


def broken(services) -> list[str]:
    """The names of the rules `services` breaks."""
    split, names = rules.parse(services), []
    for name, rule in ALL_RULES:
        try:
            rule(split)
        except AssertionError:
            names.append(name)
    return names


def test_any_names_pass_when_the_rules_hold_in_python_and_as_json():
    as_sets = {n: {"tables": set(s["tables"]), "endpoints": tuple(s["endpoints"])} for n, s in GOOD.items()}
    assert broken(GOOD) == broken(as_sets) == broken(json.loads(json.dumps(harness.jsonable(as_sets)))) == []


def test_payments_inside_ordering_is_a_valid_split_too():
    merged = {k: v for k, v in GOOD.items() if k != "billing"}
    merged["ordering"] = {"tables": ["orders", "order_items", "payments"],
                          "endpoints": GOOD["ordering"]["endpoints"] + GOOD["billing"]["endpoints"]}
    assert broken(merged) == []


def test_one_service_owning_everything_plus_two_empty_services_is_the_monolith_again():
    everything = {"tables": list(rules.TABLES), "endpoints": list(rules.ENDPOINTS)}
    padded = {"shop": everything, "spare": {"tables": [], "endpoints": []}, "other": {"tables": [], "endpoints": []}}
    assert broken(padded) == ["not the monolith again", "no empty services"]


def test_one_service_per_table_is_flagged_as_nanoservices_with_the_reason():
    nano = {t: {"tables": [t], "endpoints": [e for e, (w, s) in rules.ENDPOINTS.items() if (w | s) <= {t}]}
            for t in rules.TABLES}
    with pytest.raises(AssertionError, match="one aggregate"):
        rules.no_nanoservices(rules.parse(nano))
    assert "no nanoservices" in broken(nano)


def test_endpoints_are_compared_whatever_their_spacing_and_case():
    loose = dict(GOOD, accounts={"tables": [" Users"], "endpoints": ["post  /users", "GET /users/{id}"]})
    assert broken(loose) == []


@pytest.mark.parametrize("services, error", [({}, selfcheck.NotAnswered), (None, selfcheck.NotAnswered),
                                             ([GOOD], AssertionError), ({"x": {"tables": "users"}}, AssertionError)])
def test_a_split_of_the_wrong_shape_is_refused(services, error):
    with pytest.raises(error):
        rules.parse(services)


def test_the_visible_checks_never_raise_and_say_what_is_wrong(capsys):
    assert rules.tables({}) is False and "NOT ANSWERED" in capsys.readouterr().out
    assert rules.split([1]) is False and rules.SHAPE in capsys.readouterr().out
    assert rules.subdomains("core") is False and rules.conway({"a": "yes"}) is False
    assert rules.endpoints(GOOD) is True


@pytest.fixture(scope="module")
def checks():
    """The grader's checks module, loaded from the course the way the judge loads it."""
    spec = importlib.util.spec_from_file_location("checks02", paths.course_dir() / "checks" / f"{A}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def grader(checks):
    return {e.grade_id: e for e in checks.EXERCISES}


def verdict(exercise, answers) -> dict[str, bool]:
    """Each check of `exercise` on the data `answers` (as the judge reads them): passed?"""
    ctx = Context("unit", exercise, random.Random(0), answers=json.loads(json.dumps(harness.jsonable(answers))))
    found = {}
    for check in exercise.checks:
        try:
            check.run(ctx)
            found[check.name] = True
        except CheckFailed:
            found[check.name] = False
    return found


def test_the_grader_runs_the_public_rules_on_services(grader):
    for grade_id, named in rules.RULES.items():
        assert [c.name for c in grader[grade_id].checks] == [name for name, _ in named]
        assert all(verdict(grader[grade_id], {"SERVICES": GOOD}).values())
        assert not any(verdict(grader[grade_id], {"SERVICES": {}}).values())


def test_accounts_may_be_generic_or_supporting_and_nothing_else(grader):
    base = {"ordering": "core", "inventory": "supporting", "payments": "generic"}
    for kind, ok in (("generic", True), ("Supporting ", True), ("core", False), (None, False)):
        assert verdict(grader["lab02_subdomains"], {"SUBDOMAIN_KIND": base | {"accounts": kind}}) == {
            f"{s} classified": ok or s != "accounts" for s in rules.SUBDOMAINS}


def test_conway_statements_want_booleans(grader):
    assert not any(verdict(grader["lab02_conway"], {"CONWAY": {s: "no" for s in rules.STATEMENTS}}).values())


def _code(path) -> str:
    return "\n".join(c.source for c in nbformat.read(path, as_version=4).cells)


def test_no_answer_key_ships_with_the_handout(checks):
    course = paths.course_dir()
    # the released notebook (notebooks/) and the visible rules; the whole handout is scanned
    # by autograder/tests/e2e/test_handout.py (release/ exists only once generated)
    handout = [open(rules.__file__).read(), _code(paths.notebooks_dir() / f"{A}.ipynb")]
    assert checks.SECRETS and not [s for s in checks.SECRETS for text in handout if s in text]
    solution = _code(course / "source" / A / f"{A}.ipynb")
    assert all(s in solution for s in checks.SECRETS), "each secret is a real line of the answer key"
