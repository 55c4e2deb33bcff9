"""lab.deploy's reading of a student's code: what it is, what it needs, clear refusals."""
from __future__ import annotations

import pytest

from labs.common import host
from microlab import deployment, topology
from microlab.errors import LabError
from microlab.kinds import deployed

SERVICE = "from fastapi import FastAPI\napp = FastAPI()\n"
CONSUMER = "seen = []\ndef handle(event):\n    seen.append(event)\n"


def test_the_kind_probes_the_path_the_host_answers():
    assert deployed.READY_PATH == host.READY_PATH


@pytest.mark.parametrize("code, mode", [(SERVICE, "app"), (CONSUMER, "consumer"),
                                        ("app: object = None\n", "app"), ("async def handle(e): pass", "consumer")])
def test_the_mode_is_read_from_module_level_names(code, mode):
    assert deployment.mode_of(code, "cell") == mode


@pytest.mark.parametrize("code, words", [
    ("def handle(:\n", "not valid Python: line 1"),
    ("x = 1\n", "defines neither"),
    (SERVICE + CONSUMER, "both `app` and `handle`"),
    ("def f():\n    app = 1\n", "defines neither"),  # only module level counts
])
def test_code_that_is_neither_is_refused_with_the_reason(code, words):
    with pytest.raises(LabError, match=words.replace("(", r"\(")):
        deployment.mode_of(code, "cell")


@pytest.mark.parametrize("name", ["Orders", "x", "user-service", "my-db", "a_b", "-x", "9lives", ""])
def test_names_that_cannot_be_components_are_refused(name):
    with pytest.raises(LabError):
        deployment.check_name(name)


def test_a_consumer_needs_topic_and_group_and_a_service_takes_neither(tmp_path, monkeypatch):
    monkeypatch.setenv("MICROLAB_HOME", str(tmp_path))
    with pytest.raises(LabError, match="consumer group"):
        deployment.prepare("lab", "counter", CONSUMER, topic="orders")
    with pytest.raises(LabError, match="needs its topic"):
        deployment.prepare("lab", "counter", CONSUMER, group="g")
    with pytest.raises(LabError, match="for consumers"):
        deployment.prepare("lab", "api", SERVICE, topic="orders")


def test_prepare_copies_the_code_and_the_record_round_trips(tmp_path, monkeypatch):
    monkeypatch.setenv("MICROLAB_HOME", str(tmp_path))
    c = deployment.prepare("lab", "counter", CONSUMER, topic=["orders", "payments"], group="g1")
    assert open(c.source).read() == CONSUMER
    assert c.env["DEPLOY_TOPICS"] == "orders,payments" and c.env["DEPLOY_GROUP"] == "g1"
    assert c.depends_on == (topology.KAFKA.name,) and c.database.name == "counter-db"
    # told where the shop is, as the shop's own services are
    assert c.env["ORDER_SERVICE_URL"] == topology.ORDER.internal_url
    assert deployment.from_record(deployment.to_record(c)) == c


def test_a_file_is_read_and_a_missing_one_named(tmp_path):
    path = tmp_path / "svc.py"
    path.write_text(SERVICE)
    assert deployment.read_source(path) == (SERVICE, str(path))
    assert deployment.read_source(str(path))[0] == SERVICE
    with pytest.raises(LabError, match="no such file"):
        deployment.read_source(str(tmp_path / "nope.py"))
