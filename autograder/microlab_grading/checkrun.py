"""Check runs: a submission's answer cells, then a check's code, each in a fresh copy of a
confined interpreter (harness.py, forked by harnessserver.py), asked for by the judge.

The server runs in a sandbox of its own for the judge's whole life: its writable space is
its own tmpfs, emptied after every run, and every process a run starts ends with the run
(see harnessserver.py). It shares the judge's network namespace, which holds nothing but the
judge's own lab (confine.judge_prefix). Jobs go to it on a pipe and reports come back on
another; a run that does not answer in time, or killed the server, ends the whole sandbox,
and the next run gets a new one.
"""
from __future__ import annotations

import ast
import json
import os
import secrets
import select
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from microlab_grading import confine, sandbox, sweep

START_S = 60.0  # the server's own start (an interpreter, the preloaded imports) on a loaded machine


def no_report(**why) -> dict:
    return {"errors": {}, "names": {}, "result": None, **why}


def imported_modules(sources: list[str]) -> list[str]:
    """The modules the grader's own `provided` code imports at its top level: the server
    imports them once, each run would import them first thing anyway."""
    found: list[str] = []
    for source in sources:
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        for node in tree.body:
            if isinstance(node, ast.Import):
                found += [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.append(node.module)
    return sorted(set(found))


class Harness:
    """The judge's side of harnessserver.py: started on first use, again after a run that
    timed out or ended it."""

    def __init__(self, root: Path, token: str, course: Path, preload: list[str]):
        self.root, self.token, self.course, self.preload = root, token, course, preload
        self.proc: subprocess.Popen | None = None
        self._buffer = b""

    def run(self, job: dict, env: dict[str, str], timeout: float) -> dict:
        """The harness's report, or {"timeout": ...} / {"crashed": True} when it gave none."""
        if confine.mechanism() != "bubblewrap":  # no pid namespace to end a run's processes
            return run_once(self.root, self.token, self.course, job, env, timeout)
        deadline = time.monotonic() + timeout
        if (self.proc is None or self.proc.poll() is not None) and not self._start(deadline):
            return no_report(**self._lost(timeout, deadline))
        try:
            self.proc.stdin.write((json.dumps({"job": job, "env": env}) + "\n").encode())
            self.proc.stdin.flush()
        except OSError:
            return no_report(**self._lost(timeout, deadline))
        reply = self._reply(deadline)
        if reply is None:
            return no_report(**self._lost(timeout, deadline))
        return parsed(reply["report"])

    def close(self) -> None:
        if self.proc is not None:
            try:
                self.proc.stdin.close()  # the server ends at the end of its input
                self.proc.wait(timeout=5)
            except (OSError, subprocess.TimeoutExpired):
                pass
            self._stop()

    def _start(self, deadline: float) -> bool:
        box = self.root / "box"
        argv = [*confine.prefix(box, confine.hidden_folders(self.course), {}, confine.CHECK_RUN),
                sys.executable, "-I", "-m", "microlab_grading.harnessserver", *self.preload]
        self.proc = subprocess.Popen(argv, cwd=box / "work" if (box / "work").is_dir() else self.root,
                                     env=sandbox.environment(box, self.token), stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, bufsize=0,
                                     start_new_session=True)
        self._buffer = b""
        ready = self._reply(min(deadline, time.monotonic() + START_S))
        return bool(ready and ready.get("ready"))

    def _reply(self, deadline: float) -> dict | None:
        """The server's next line, or None: no answer by the deadline, or it ended."""
        fd = self.proc.stdout.fileno()
        while b"\n" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                return None
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                return None
            self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        try:
            reply = json.loads(line)
        except ValueError:
            return None
        if reply.get("clean") is False:  # something outlived its run: the server has ended
            self._stop()
        return reply

    def _lost(self, timeout: float, deadline: float) -> dict:
        """No report: the sandbox ends with whatever is in it; a timeout if the time ran out."""
        self._stop()
        return {"timeout": timeout} if time.monotonic() >= deadline else {"crashed": True}

    def _stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)  # bubblewrap: its pid namespace ends with it
            except ProcessLookupError:
                pass
        self.proc.wait()
        for pipe in (self.proc.stdin, self.proc.stdout):
            try:
                pipe.close()
            except OSError:
                pass
        self.proc = None
        sweep.stop_marked(self.token)  # where there is no pid namespace (no bubblewrap)


def run_once(root: Path, token: str, course: Path, job: dict, env: dict[str, str], timeout: float) -> dict:
    """A run in an interpreter of its own (`python -m microlab_grading.harness`), where
    there is no bubblewrap: the job goes in read-only, the report comes back through a file
    descriptor opened outside the run, whose processes are then stopped by their marker."""
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
            return no_report(timeout=timeout)
        finally:
            sweep.stop_marked(token)
            job_file.unlink(missing_ok=True)
        report.seek(0)
        data = report.read()
    return parsed(data)


def parsed(text: str | bytes) -> dict:
    """A run's report. The student's code ran in the same process as the harness, so it may
    have written over it: what is not a report at all counts as no report (a crash). A report
    of the right form can still hold anything; the checks read it as the student's evidence."""
    try:
        report = json.loads(text) if text else None
    except ValueError:
        report = None
    return report if isinstance(report, dict) else no_report(crashed=True)
