"""The warm harness (harnessserver.py) with real bubblewrap processes: one run cannot leave
anything the next one sees (a patched module, a file, a process, a SysV segment), a run that
hangs or kills the server costs that run only, and the server refuses to run where it has no
pid namespace of its own."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from microlab_grading import checkrun, confine, sandbox

pytestmark = pytest.mark.skipif(confine.mechanism() != "bubblewrap", reason="needs bubblewrap")
PROVIDED = "import json\nimport os\n"
MARK = "7373"

LEAVE = (  # everything a run could leave for the next one
    "import ctypes, os, subprocess\n"
    "json.dumps = lambda *a, **k: 'patched'\n"
    "for where in ('home', 'tmp', 'work'):\n"
    "    open(os.path.join(os.environ['HOME'], '..', where, 'left'), 'w').write('x')\n"
    "os.makedirs(os.path.join(os.environ['HOME'], 'locked', 'in'))\n"
    "os.chmod(os.path.join(os.environ['HOME'], 'locked'), 0)\n"
    f"subprocess.Popen(['sleep', '{MARK}'], start_new_session=True)\n"
    "libc = ctypes.CDLL(None)\n"
    "SHM = libc.shmget(0x7373, 4096, 0o1600)\n"
)
LOOK = (
    "import os\n"
    "box = os.path.join(os.environ['HOME'], '..')\n"
    "files = sorted(f'{w}/{n}' for w in ('home', 'tmp', 'work') for n in os.listdir(os.path.join(box, w)))\n"
    "procs = [p for p in os.listdir('/proc') if p.isdigit() and int(p) not in (1, os.getpid(), os.getppid())]\n"
    "shm = open('/proc/sysvipc/shm').read().splitlines()[1:]\n"
    "result = {'dumps': json.dumps(1), 'files': files, 'procs': procs, 'shm': shm, 'env': os.environ.get('ONLY')}\n"
)


@pytest.fixture
def harness(tmp_path):
    root, token = sandbox.workspace("test")
    (tmp_path / "course").mkdir()
    found = checkrun.Harness(root, token, tmp_path / "course", checkrun.imported_modules([PROVIDED]))
    yield found
    found.close()
    shutil.rmtree(root, ignore_errors=True)


def job(code: str, cells: dict[str, str] | None = None) -> dict:
    return {"provided": PROVIDED, "cells": cells or {}, "code": code, "names": []}


def test_a_run_leaves_nothing_for_the_next(harness):
    first = harness.run(job("result = SHM >= 0", {"a": LEAVE}), {"ONLY": "first"}, 30)
    assert first["result"] is True and first["errors"] == {}, first
    server = harness.proc.pid
    second = harness.run(job(LOOK), {}, 30)["result"]
    assert second == {"dumps": "1", "files": [], "procs": [], "shm": [], "env": None}
    assert harness.proc.pid == server  # the same warm server: nothing outlived the run


def test_a_hanging_run_times_out_and_the_next_gets_a_new_server(harness):
    assert harness.run(job("while True:\n    pass"), {}, 3)["timeout"] == 3
    assert harness.proc is None
    assert harness.run(job("result = 2"), {}, 30)["result"] == 2


def test_a_run_that_kills_the_server_crashed_and_costs_nothing_after(harness):
    assert harness.run(job("os.kill(os.getppid(), 9)\nimport time\ntime.sleep(30)"), {}, 20).get("crashed")
    assert harness.run(job("result = 3"), {}, 30)["result"] == 3


def test_the_modules_provided_imports_are_preloaded():
    assert checkrun.imported_modules(["import os\nfrom time import sleep\nfrom . import x\n", "import a.b"]) == \
        ["a.b", "os", "time"]


def test_the_server_refuses_without_a_pid_namespace_of_its_own():
    done = subprocess.run([sys.executable, "-I", "-m", "microlab_grading.harnessserver"], input="",
                          capture_output=True, text=True, timeout=30, cwd=Path(__file__).parent)
    assert done.returncode != 0 and "pid namespace" in done.stderr
