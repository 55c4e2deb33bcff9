"""One check run: a submission's answer cells, then a check's code, in a fresh confined
interpreter (harness.py), started by the judge.

The job goes in read-only (a file bound into the sandbox), the report comes back through a
file descriptor opened outside it; the run's writable space is its own tmpfs, gone when it
ends, with every process it started (its pid namespace). It shares the judge's network
namespace, which holds nothing but the judge's own lab (confine.judge_prefix).
"""
from __future__ import annotations

import json
import secrets
import subprocess
import sys
import tempfile
from pathlib import Path

from microlab_grading import confine, sandbox, sweep


def run(root: Path, token: str, course: Path, job: dict, env: dict[str, str], timeout: float) -> dict:
    """The harness's report, or {"timeout": ...} / {"crashed": True} when it gave none."""
    job_file = root / "in" / f"job-{secrets.token_hex(6)}.json"
    box = root / "box"
    with tempfile.TemporaryFile() as report:
        job_file.write_text(json.dumps(job | {"result_fd": report.fileno()}))
        argv = [*confine.prefix(box, confine.hidden_folders(course), {job_file: "job.json"}, confine.CHECK_RUN),
                sys.executable, "-I", "-m", "microlab_grading.harness", str(box / "work" / "job.json")]
        try:
            subprocess.run(argv, cwd=box / "work" if (box / "work").is_dir() else root,
                           env=sandbox.environment(box, token) | env, stdin=subprocess.DEVNULL,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=timeout,
                           start_new_session=True, pass_fds=(report.fileno(),))
        except subprocess.TimeoutExpired:
            return {"timeout": timeout, "errors": {}, "names": {}, "result": None}
        finally:
            sweep.stop_marked(token)
            job_file.unlink(missing_ok=True)
        report.seek(0)
        data = report.read()
    try:
        return json.loads(data) if data else {"crashed": True, "errors": {}, "names": {}, "result": None}
    except ValueError:  # the student's code wrote over the report: it has none
        return {"crashed": True, "errors": {}, "names": {}, "result": None}
