"""The whole suite's set-up, for tests/ and autograder/tests/ alike.

Markers come from folders, here and nowhere else: a test under .../unit/ is `unit`, under
.../integration/ `integration`, under .../e2e/ `e2e`; a folder named docker or kafka adds
that marker too (a Docker test is also an integration test). A unit test may not start a
process: it fails, and says to move the test.

Every run keeps its labs under its own MICROLAB_HOME, so it never touches a student's
running labs, and nothing it starts outlives it.
"""
from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

import pytest

_HOME = Path(tempfile.mkdtemp(prefix="microlab-tests-"))
os.environ.setdefault("MICROLAB_HOME", str(_HOME))

LEVELS = ("unit", "integration", "e2e")
NEEDS = {"docker": "docker", "kafka": "kafka"}  # folder -> marker it adds


def markers_for(path: Path) -> list[str]:
    parts = path.parts
    level = next((p for p in reversed(parts) if p in LEVELS), None)
    if level is None:
        raise pytest.UsageError(f"{path}: every test lives under a unit/, integration/ or e2e/ folder")
    found = [level] + [marker for folder, marker in NEEDS.items() if folder in parts]
    return found


def pytest_collection_modifyitems(items):
    for item in items:
        for name in markers_for(Path(item.path)):
            item.add_marker(name)


@pytest.fixture(autouse=True)
def _unit_tests_start_no_processes(request, monkeypatch):
    if request.node.get_closest_marker("unit") is None:
        return

    def refuse(self, *args, **kwargs):
        raise AssertionError("a unit test started a process: move it under an integration/ folder")

    monkeypatch.setattr(subprocess.Popen, "__init__", refuse)


@pytest.fixture(scope="session", autouse=True)
def _sweep_labs_at_exit():
    yield
    from microlab import state
    from microlab.lab import make_backend

    for lab_id in state.lab_ids():
        found = state.load_lab(lab_id)
        make_backend(found.backend if found else "local", lab_id).down()
