"""`microlab down --all` removes this user's labs (this uid, this MICROLAB_HOME) and says
which, leaves other users' labs on the same engine alone, and says when nothing ran."""
from __future__ import annotations

import subprocess
import sys

from docker.errors import NotFound

from microlab.docker import naming
from microlab.docker.sweep import Removed


def down_all() -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "microlab.cli", "down", "--all"],
                          capture_output=True, text=True, timeout=180)


def test_down_all_removes_only_this_users_labs_and_says_what(make_lab, docker_client, docker_images,
                                                          prefix, find_leftovers, tmp_path, monkeypatch):
    # a home of its own: `down --all` removes every lab of this home, and the session's shared
    # lab (other modules' tests use it) lives in the session's home
    monkeypatch.setenv("MICROLAB_HOME", str(tmp_path / "home"))
    mine = make_lab()
    mine.up("monolith")
    theirs = docker_client.containers.run(  # another user's lab on the same engine
        docker_images.refs["service"], ["sleep", "600"], detach=True,
        labels={naming.LAB: f"{prefix}-theirs", naming.COMPONENT: "monolith", naming.KIND: "service",
                naming.OWNER: "54321", naming.HOME: "/home/someone-else/.microlab"})
    try:
        ours = naming.lab_filter(mine.name)
        counts = (len(docker_client.containers.list(all=True, filters=ours)),
                  len(docker_client.networks.list(filters=ours)), len(docker_client.volumes.list(filters=ours)))
        swept = down_all()
        assert swept.returncode == 0, swept.stderr
        assert str(Removed(mine.name, *counts)) in swept.stdout.splitlines()
        assert counts[0] == 2 and f"removed docker lab {mine.name!r}: 2 containers, 1 network, " in swept.stdout
        assert "theirs" not in swept.stdout
        assert find_leftovers(mine.name) == []
        theirs.reload()
        assert theirs.status == "running"
        again = down_all()
        assert again.returncode == 0 and again.stdout.startswith("nothing was running"), again.stdout
    finally:
        try:
            theirs.remove(force=True)
        except NotFound:
            pass


def test_docker_status_rows_name_postgres_and_order_by_topology(make_lab):
    lab = make_lab()
    lab.up("monolith")
    report = lab.status()
    assert [r.name for r in report] == ["monolith", "monolith-db"]
    assert report["monolith"].url == lab.url("monolith")
    assert report["monolith-db"].url.startswith("postgresql://127.0.0.1:")
    assert str(report).splitlines()[0] == f"lab {lab.name!r} (docker backend): 2 components, all healthy"


def test_a_crashed_container_is_exited_and_its_logs_say_it_is_down(make_lab, docker_client):
    lab = make_lab()
    lab.up("monolith")
    (crashed,) = docker_client.containers.list(filters=naming.lab_filter(lab.name, "monolith"))
    crashed.kill()
    row = lab.status()["monolith"]
    assert row.state == "exited" and "exit code 137" in row.detail
    logs = subprocess.run([sys.executable, "-m", "microlab.cli", "logs", "monolith", "--lab", lab.name],
                          capture_output=True, text=True, timeout=120)
    assert logs.returncode == 1 and "monolith is down (exited:" in logs.stderr
    assert "Uvicorn running" in logs.stdout
