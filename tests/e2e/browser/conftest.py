"""JupyterLab started as `make lab` starts it, on a copy of notebooks/, and Debian's Chromium
driven by Playwright. Screenshots go to .microlab/test-artefacts/browser/<test>/ (printed).

Needs the system `chromium` (apt; infra/scripts/ensure-test-tools.sh installs it) and the
`playwright` package (the dev extras); browsers are never downloaded.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest

from microlab_grading import paths, pipeline, sweep

REPO = Path(__file__).resolve().parents[3]
# test artefacts (screenshots), git-ignored with the rest of .microlab/; MICROLAB_TEST_ARTEFACTS moves them
ARTEFACTS = Path(os.environ.get("MICROLAB_TEST_ARTEFACTS", REPO / ".microlab" / "test-artefacts")) / "browser"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SETTINGS = {
    # every cell in the page at once: JupyterLab 4 otherwise leaves cells out of view out of the DOM
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
    # no "get Jupyter news?" pop-up over the screenshots (and no request to the internet)
    "@jupyterlab/apputils-extension/notification": {"fetchNews": "false"},
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _graded_with_answers(folder: Path) -> None:
    """Graded notebooks get the reference answers, so Run All can reach their last cell."""
    for path in folder.glob("*.ipynb"):
        if (paths.course_dir() / "source" / path.stem).is_dir():
            import nbformat

            nb = pipeline.fill_answers(nbformat.read(path, as_version=4), pipeline.solution_sources(path.stem))
            nbformat.write(nb, path)


@pytest.fixture(scope="module")
def jupyterlab(tmp_path_factory):
    """(base url, token, notebooks folder) of a JupyterLab serving a copy of notebooks/."""
    if CHROMIUM is None:
        pytest.fail("no chromium on this machine: run `bash infra/scripts/ensure-test-tools.sh` (apt install chromium)")
    root = tmp_path_factory.mktemp("jupyterlab")
    notebooks = root / "notebooks"
    shutil.copytree(REPO / "notebooks", notebooks)
    _graded_with_answers(notebooks)
    for plugin, values in SETTINGS.items():
        path = root / "settings" / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    token, port, marker = uuid.uuid4().hex, _free_port(), uuid.uuid4().hex
    env = {**os.environ, "MICROLAB_HOME": str(root / "home"), "MICROLAB_BACKEND": "local",
           # settings and workspaces of its own: nothing restored from, or left in, ~/.jupyter
           "JUPYTERLAB_SETTINGS_DIR": str(root / "settings"), "JUPYTERLAB_WORKSPACES_DIR": str(root / "workspaces"),
           "JUPYTER_RUNTIME_DIR": str(root / "runtime"),
           sweep.MARKER: marker}
    # the Makefile's `lab` target, plus what a test needs: a known port and token, no browser
    command = [str(Path(sys.executable).parent / "jupyter"), "lab", "--ServerApp.ip=127.0.0.1",
               f"--ServerApp.root_dir={notebooks}", f"--ServerApp.port={port}",
               f"--IdentityProvider.token={token}", "--no-browser"]
    if os.geteuid() == 0:
        command.append("--allow-root")
    log = open(root / "jupyterlab.log", "w")
    server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/api/status", params={"token": token}, timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert server.poll() is None, (root / "jupyterlab.log").read_text()[-3000:]
            time.sleep(0.3)
        yield base, token, notebooks
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        log.close()
        sweep.stop_marked(marker)  # any lab a kernel left running


@pytest.fixture
def page(tmp_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        try:
            context = browser.new_context(viewport={"width": 1400, "height": 1600})
            yield context.new_page()
        finally:
            browser.close()


@pytest.fixture
def shots(request):
    """Where this test's screenshots go: shots("name") -> a path under ARTEFACTS/<test>/,
    emptied at the start of the test, kept after it (pytest's tmp folders are rotated away)."""
    folder = ARTEFACTS / request.node.name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    print(f"screenshots: {folder}")
    return lambda name: str(folder / f"{name}.png")
