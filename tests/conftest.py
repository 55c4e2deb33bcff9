"""Shared test set-up: every test run keeps its labs under its own MICROLAB_HOME, so it
never touches a student's running labs, and nothing it starts outlives it."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

_HOME = Path(tempfile.mkdtemp(prefix="microlab-tests-"))
os.environ.setdefault("MICROLAB_HOME", str(_HOME))


@pytest.fixture(scope="session", autouse=True)
def _sweep_labs_at_exit():
    yield
    from microlab.sweep import local_lab_ids
    from microlab.local.backend import LocalBackend

    for lab_id in local_lab_ids():
        LocalBackend(lab_id).down()
