"""The local backend's fork server: services are forked from one warm interpreter per lab,
which `down` stops with them; without it (switched off, or dead) they are spawned as before."""
from __future__ import annotations

import json
import os
import signal
import time

import requests
from labkit import owned_pids
from microlab import Lab
from microlab.local.forkserver import LabForkServer
from microlab.local.processes import alive
from microlab.procfs import parent, pids


def _server(lab) -> LabForkServer:
    return LabForkServer(lab.backend.dir)


def test_services_are_forked_from_the_labs_server_and_down_stops_it(local_lab):
    local_lab.up("services-no-broker")
    server = _server(local_lab).pid()
    assert server is not None
    pids = owned_pids(local_lab)
    assert {parent(pid) for pid in pids.values()} == {server}, pids
    for name in ("user-service", "order-service", "gateway"):
        assert requests.get(local_lab.url(name) + ("/health" if name != "gateway" else "/"), timeout=5).status_code < 500
    # each one is its own session, as a spawned process is: stopping it stops only it
    assert all(os.getsid(pid) == pid for pid in pids.values())
    local_lab.stop("user-service")
    assert not alive(pids["user-service"]) and alive(server) and alive(pids["order-service"])
    local_lab.up("services-no-broker")  # restarted from the same warm server
    assert parent(owned_pids(local_lab)["user-service"]) == server
    local_lab.down()
    assert not alive(server)
    assert not (local_lab.backend.dir / "forkserver.json").exists()


def test_switched_off_the_services_are_spawned(local_lab, monkeypatch):
    monkeypatch.setenv("MICROLAB_FORK_SERVER", "off")
    local_lab.up("services-no-broker")
    assert _server(local_lab).pid() is None
    assert all(parent(pid) == os.getpid() or parent(pid) == 1 for pid in owned_pids(local_lab).values())


def test_a_dead_fork_server_means_spawning_with_a_note(local_lab, lab_name, capsys):
    local_lab.up("services-no-broker")
    server = _server(local_lab)
    pid = server.pid()
    local_lab.stop("payment-service")
    record = json.loads(server.record.read_text())
    os.kill(pid, signal.SIGSTOP)  # alive but never answering: the worst case for a caller
    try:
        started = time.monotonic()
        Lab(backend="local", name=lab_name).up("services-no-broker")  # one that reports
        assert time.monotonic() - started < 60
        assert requests.get(local_lab.url("payment-service") + "/health", timeout=5).status_code == 200
        assert "fresh interpreter" in capsys.readouterr().out
        assert parent(owned_pids(local_lab)["payment-service"]) != record["pid"]
    finally:
        os.kill(pid, signal.SIGCONT)
    # woken, the server must not fork the requests its callers gave up on: nothing started
    # from it outlives the lab
    time.sleep(2)
    assert alive(pid), "the server died answering a caller that had gone"
    starts = local_lab.logs("payment-service", tail=10_000).count("Started server process")
    assert starts == 2, f"payment-service was started {starts} times (once, then spawned once)"
    local_lab.down()
    deadline = time.monotonic() + 10
    while _started_from(server) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _started_from(server) == []


def _started_from(server: LabForkServer) -> list[int]:
    """The server and its children: they all carry its command line."""
    needle = str(server.socket_path()).encode()
    found = []
    for pid in pids():
        try:
            if needle in open(f"/proc/{pid}/cmdline", "rb").read() and alive(pid):
                found.append(pid)
        except OSError:
            continue
    return found
