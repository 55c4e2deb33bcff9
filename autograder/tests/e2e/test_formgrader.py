"""formgrader, nbgrader's manual grading UI, serves this course from JupyterLab's server."""
from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

pytestmark = [pytest.mark.timeout(180)]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_formgrader_lists_the_course_assignments(course, tmp_path):
    port = _free_port()
    jupyter = Path(sys.executable).with_name("jupyter")
    server = subprocess.Popen(
        [str(jupyter), "server", "--no-browser", f"--ServerApp.port={port}", "--ServerApp.ip=127.0.0.1",
         "--IdentityProvider.token=", "--ServerApp.password=", "--ServerApp.allow_root=True",
         f"--ServerApp.root_dir={course}"],
        cwd=course, stdout=open(tmp_path / "server.log", "wb"), stderr=subprocess.STDOUT,
        env={**__import__("os").environ, "JUPYTER_RUNTIME_DIR": str(tmp_path / "rt")}, start_new_session=True)
    try:
        deadline, answer = time.monotonic() + 90, None
        while time.monotonic() < deadline:
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/formgrader/api/assignments", timeout=5)
                if answer.status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        assert answer is not None and answer.status_code == 200, (tmp_path / "server.log").read_text()[-2000:]
        names = {a["name"] for a in answer.json()}
        assert {"01-monolith", "02-decomposition", "03-sync-communication"} <= names
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
