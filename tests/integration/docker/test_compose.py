"""`microlab compose`: the same topology as a compose file that docker-compose accepts,
and that really runs."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time

import pytest
import requests
import yaml

from microlab.topology import stack



def compose_file(tmp_path, stack_name: str, *flags: str) -> tuple[str, dict]:
    cli = [sys.executable, "-m", "microlab.cli", "compose", stack_name, *flags]
    done = subprocess.run(cli, capture_output=True, text=True, timeout=300, env=os.environ)
    assert done.returncode == 0, done.stderr
    path = tmp_path / "docker-compose.yml"
    path.write_text(done.stdout)
    return str(path), yaml.safe_load(done.stdout)


def docker_compose() -> str:
    found = shutil.which("docker-compose")
    if found is None:
        pytest.skip("docker-compose is not installed (apt-get install docker-compose; "
                    "infra/scripts/ensure-docker.sh does it in CI)")
    return found


def test_compose_file_is_the_topology_and_docker_compose_accepts_it(tmp_path):
    path, doc = compose_file(tmp_path, "services", "--no-build")
    checked = subprocess.run([docker_compose(), "-f", path, "config", "-q"], capture_output=True,
                             text=True, timeout=60)
    assert checked.returncode == 0, checked.stderr
    services = doc["services"]
    for c in stack("services"):
        assert c.name in services
        assert services[c.name]["healthcheck"]["test"], f"{c.name} has no health check"
        for dep in c.depends_on:
            assert services[c.name]["depends_on"][dep] == {"condition": "service_healthy"}
        if c.database is not None:  # database per service, waited on before the service
            assert services[c.name]["depends_on"][c.database.name] == {"condition": "service_healthy"}
            assert f"@{c.database.name}:5432/" in services[c.name]["environment"]["DATABASE_URL"]
    for name, service in services.items():
        assert all(p.startswith("127.0.0.1:") for p in service["ports"]), name
        assert len(service["networks"]) == 1
    assert list(doc["networks"]) == [list(services.values())[0]["networks"][0]]


@pytest.mark.slow
def test_compose_file_runs_the_monolith(tmp_path, docker_images, docker_client, prefix,
                                        find_leftovers):
    compose = docker_compose()
    path, _ = compose_file(tmp_path, "monolith")
    # this test's own labels and network, so the leftover check covers it
    doc = yaml.safe_load(open(path).read().replace("compose-default", f"{prefix}-compose"))
    doc["services"]["monolith"]["ports"] = ["127.0.0.1::8080"]  # any free ports: CI shares hosts
    doc["services"]["monolith-db"]["ports"] = ["127.0.0.1::5432"]
    with open(path, "w") as out:
        yaml.safe_dump(doc, out)
    project = ["-p", prefix, "-f", path]
    try:
        up = subprocess.run([compose, *project, "up", "-d"], capture_output=True, text=True, timeout=180)
        assert up.returncode == 0, up.stderr
        port = subprocess.run([compose, *project, "port", "monolith", "8080"], capture_output=True,
                              text=True, timeout=30).stdout.strip().rpartition(":")[2]
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                if requests.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            time.sleep(0.5)
        assert requests.get(f"http://127.0.0.1:{port}/health", timeout=5).status_code == 200
    finally:
        down = subprocess.run([compose, *project, "down", "-v"], capture_output=True, text=True,
                              timeout=120)
    assert down.returncode == 0, down.stderr
    assert find_leftovers(prefix) == []
