"""`microlab doctor` with an engine up: the Docker rows come after the basic ones, and a
problem is a row telling what to do, never a traceback."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

DOCKER_ROWS = ("docker images", "docker registry", "docker ports")


def doctor(**env: str) -> subprocess.CompletedProcess:
    cli = [sys.executable, "-m", "microlab.cli", "doctor"]
    return subprocess.run(cli, capture_output=True, text=True, timeout=120, env={**os.environ, **env})


def rows(stdout: str) -> dict[str, str]:
    """'  ok   docker images        MICROLAB_IMAGES=...' -> {"docker images": "ok   ... "}"""
    found = {}
    for line in stdout.splitlines():
        for what in ("docker engine", *DOCKER_ROWS):
            if line[7:].startswith(what):
                found[what] = line
    return found


@pytest.mark.parametrize("images", ["auto", "offline"])
def test_doctor_prints_the_docker_rows(docker_client, images):
    done = doctor(MICROLAB_IMAGES=images)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    found = rows(done.stdout)
    assert set(found) == {"docker engine", *DOCKER_ROWS}, done.stdout
    assert "reachable" in found["docker engine"]
    assert f"MICROLAB_IMAGES={images}" in found["docker images"]
    if images == "offline":
        assert "not needed" in found["docker registry"]


def test_a_bad_image_setting_is_a_row_to_fix(docker_client, monkeypatch):
    """In-process: `microlab doctor` as a whole also reads the setting elsewhere."""
    from microlab.docker import doctor as docker_doctor

    monkeypatch.setenv("MICROLAB_IMAGES", "newest")
    found = {what: (ok, detail) for what, ok, detail in docker_doctor.checks()}
    assert found["docker images"][0] is False
    assert "MICROLAB_IMAGES='newest'" in found["docker images"][1]
    assert found["docker ports"][0] is True
