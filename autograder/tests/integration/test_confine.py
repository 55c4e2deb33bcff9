"""The sandbox itself, with real bubblewrap processes: each test runs a small hostile
program confined as a check run (or a notebook run) is, and fails if the sandbox lets it."""
from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from microlab_grading import confine, sandbox

pytestmark = pytest.mark.skipif(confine.mechanism() != "bubblewrap", reason="needs bubblewrap")


def confined(tmp_path: Path, code: str, network: str = "private", timeout: float = 60,
             resources: confine.Resources = confine.CHECK_RUN) -> dict:
    """Run `code` confined; it prints one JSON line, returned here."""
    root, token = sandbox.workspace("test")
    hidden = [tmp_path / "course"]
    (tmp_path / "course").mkdir(exist_ok=True)
    argv = [*confine.prefix(root / "box", hidden, resources=resources, network=network), sys.executable, "-I", "-c", code]
    try:
        done = subprocess.run(argv, env=sandbox.environment(root / "box", token), capture_output=True,
                              text=True, timeout=timeout, cwd=root)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    assert lines, done.stderr[-2000:]
    return json.loads(lines[-1])


def live_with(text: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and text.encode() in (entry / "cmdline").read_bytes():
                found.append(int(entry.name))
        except OSError:
            pass
    return found


def test_a_detached_daemon_with_an_empty_environment_ends_with_the_run(tmp_path):
    code = ("import os, json\n"
            "if os.fork() == 0:\n    os.setsid()\n"
            "    if os.fork() == 0:\n        os.execve('/bin/sleep', ['sleep', '7071'], {})\n    os._exit(0)\n"
            "print(json.dumps({'uid': os.getuid()}))")
    assert confined(tmp_path, code)["uid"] >= confine.RUN_UIDS[0] or os.geteuid() != 0
    time.sleep(0.5)
    assert live_with("sleep\x007071") == []


def test_the_network_is_loopback_only_and_other_labs_are_out_of_reach(tmp_path):
    with socket.socket() as server:  # "another lab" on this machine's loopback
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        code = ("import socket, json\nfound = {}\nfor host in ('127.0.0.1', '1.1.1.1'):\n"
                "    try:\n        socket.create_connection((host, %d), timeout=2).close()\n        found[host] = True\n"
                "    except OSError:\n        found[host] = False\n"
                "own = socket.socket(); own.bind(('127.0.0.1', 0)); own.listen()\n"  # its own lab can listen
                "print(json.dumps(found))" % port)
        assert confined(tmp_path, code) == {"127.0.0.1": False, "1.1.1.1": False}


def test_the_judge_namespace_hides_this_machines_ports_too(tmp_path):
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        probe = f"import socket\ntry:\n    socket.create_connection(('127.0.0.1', {server.getsockname()[1]}), 2)\n" \
                "    print('reached')\nexcept OSError:\n    print('refused')"
        done = subprocess.run([*confine.judge_prefix(), sys.executable, "-c", probe], capture_output=True, text=True,
                              timeout=60)
    assert done.stdout.strip() == "refused", done.stderr


def test_a_fork_bomb_is_bounded(tmp_path):
    code = ("import os, time, json\nforked = 0\ntry:\n    for _ in range(1500):\n        pid = os.fork()\n"
            "        if pid == 0:\n            time.sleep(30)\n            os._exit(0)\n        forked += 1\n"
            "except OSError:\n    pass\nprint(json.dumps({'forked': forked}))")
    forked = confined(tmp_path, code)["forked"]
    assert forked < confine.CHECK_RUN.processes, forked


def test_memory_disk_and_the_course_are_bounded(tmp_path):
    code = ("import json, os\nfound = {}\n"
            "try:\n    hog = bytearray(4 * 1024 ** 3); found['memory'] = True\nexcept MemoryError:\n    found['memory'] = False\n"
            "hog = None\nwritten = 0\n"
            "try:\n    for i in range(40):\n        with open(f'fill-{i}', 'wb') as f:\n"
            "            for _ in range(4):\n                f.write(b'x' * 16 * 1024 * 1024); written += 16\n"
            "except OSError:\n    pass\nfound['written_mb'] = written\n"
            f"for target in ({str(tmp_path / 'course' / 'x')!r}, '/tmp/x', {str(Path.home() / 'x')!r}, '/var/tmp/x'):\n"
            "    try:\n        open(target, 'w').close(); found[target] = True\n    except OSError:\n        found[target] = False\n"
            "found['home'] = os.environ['HOME']\n"
            "print(json.dumps(found))")
    found = confined(tmp_path, code)
    assert found.pop("memory") is False
    assert found.pop("written_mb") <= confine.CHECK_RUN.disk_mb
    assert found.pop("home").endswith("/box/home")
    assert not any(found.values()), found
    assert not (tmp_path / "course" / "x").exists()


def test_a_cpu_hog_is_stopped_by_its_cpu_limit(tmp_path):
    tight = confine.Resources(cpu_s=2)
    code = "import json, signal, time\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass\n"
    started = time.monotonic()
    with pytest.raises(AssertionError):  # killed by SIGXCPU/SIGKILL: it never prints
        confined(tmp_path, code, resources=tight)
    assert time.monotonic() - started < 30
