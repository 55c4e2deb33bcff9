"""`make lab`'s session (microlab.session): when JupyterLab ends, by its own shut-down or by
Ctrl-C in the terminal, the labs started during it are stopped, and it says which; a lab
that was running before the session is left alone."""
from __future__ import annotations

import os
import signal
import subprocess
import sys

from labkit import owned_pids
from microlab import Lab, state
from microlab.local.processes import alive


def notebook_code(lab: str, then: str) -> str:
    """What a notebook's kernel does: start a lab and never clean up."""
    return (f"from microlab import Lab; Lab(backend='local', name={lab!r}, quiet=True).up('monolith'); "
            f"print('lab is up', flush=True); {then}")


def session(code: str) -> subprocess.Popen:
    """The session in a process group of its own, as `make lab` runs in a terminal's."""
    return subprocess.Popen([sys.executable, "-m", "microlab.session", sys.executable, "-c", code],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)


def started_lab_pids(name: str) -> list[int]:
    return list(owned_pids(Lab(backend="local", name=name, quiet=True)).values())


def test_ctrl_c_ends_the_session_and_stops_only_the_labs_it_started(local_lab, lab_name):
    local_lab.up("monolith")  # the student's own lab from a terminal, before `make lab`
    kept = list(owned_pids(local_lab).values())
    new = f"{lab_name}-nb"
    proc = session(notebook_code(new, "import time; time.sleep(600)"))
    try:
        assert proc.stdout.readline().strip() == "lab is up"
        pids = started_lab_pids(new)
        assert pids and all(alive(p) for p in pids)
        os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C: the terminal signals the whole group
        out, _ = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        Lab(backend="local", name=new, quiet=True).down()
    assert "stopping the labs started during this session" in out
    assert f"stopped lab {new!r} (local: 1 process: monolith)" in out, out
    assert repr(local_lab.name) not in out
    assert not [p for p in pids if alive(p)] and new not in state.lab_ids()
    assert all(alive(p) for p in kept) and local_lab.status()["monolith"].state == "healthy"


def test_a_session_that_ends_by_itself_stops_its_labs_too(lab_name):
    """JupyterLab's File > Shut Down: the server exits with code 0."""
    new = f"{lab_name}-quit"
    proc = session(notebook_code(new, "import sys; sys.exit(0)"))
    try:
        out, _ = proc.communicate(timeout=180)
    finally:
        Lab(backend="local", name=new, quiet=True).down()
    assert proc.returncode == 0, out
    assert f"stopped lab {new!r}" in out and new not in state.lab_ids()


def test_a_session_with_nothing_started_says_so():
    proc = session("pass")
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0
    assert "No lab started during this session is running: nothing to stop." in out
