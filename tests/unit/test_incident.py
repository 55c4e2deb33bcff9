"""07's incident tooling: its table of who consumes what is the shop's own, a snapshot's log
cut starts after the incident's marker, and every drawn incident is one the lab can inject."""
import importlib
import random

import pytest

from microlab import incident


def test_the_consumers_are_the_shops_own():
    found = {}
    for service in incident.SERVICES:
        module = f"labs.{service.replace('-', '_')}.eventflow"
        try:
            messaging = importlib.import_module(module).messaging
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise
            continue  # user-service publishes and consumes nothing
        if messaging.group:
            found[service] = tuple(messaging.topics)
    assert found == incident.CONSUMES


def test_the_log_is_cut_after_the_incidents_marker():
    text = "old 1\nGET /incident-marker request_id=incident-abc\nnew 1\nnew 2"
    assert incident._after(text, "incident-abc") == "new 1\nnew 2"
    assert incident._after("no marker\nhere", "incident-abc") == "no marker\nhere"  # not found: keep all


class _Lab:
    name = "fake"

    def __init__(self):
        self.faults = []

    def fault(self, service, **setting):
        self.faults.append((service, setting))

    def url(self, name):
        return "http://127.0.0.1:9"  # nothing listens: the marker is skipped


@pytest.mark.parametrize("seed", range(20))
def test_a_drawn_incident_is_one_the_service_can_have(seed, monkeypatch):
    monkeypatch.setattr(incident, "traffic", lambda lab, rounds: [])
    lab = _Lab()
    found = incident.mystery_fault(lab, seed=seed)
    assert found.kind in incident.KINDS and found.service in incident.SERVICES
    assert found.kind != "consumer" or found.service in incident.CONSUMES
    assert lab.faults == [(found.service, found.setting)]
    assert found.service not in repr(found)  # the repr must not give it away
    with pytest.raises(ValueError, match="consumes no events"):
        incident.inject(lab, "user-service", "consumer", random.Random(seed))
