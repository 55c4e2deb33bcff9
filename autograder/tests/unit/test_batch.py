"""The batch machinery without processes: which submissions a rerun skips, the default
number of jobs, the lean stacks, what the JSON mode prints, the confinement's argv."""
from __future__ import annotations

import io
import json
import os
import time
from pathlib import Path

from microlab_grading import confine, events, pipeline, stacks
from microlab_grading.results import CheckResult, StudentResult
from microlab_grading.verdicts import Verdict


def _course(tmp_path: Path, student: str) -> Path:
    sub = tmp_path / "submitted" / student / "A"
    sub.mkdir(parents=True)
    (sub / "A.ipynb").write_text("{}")
    return tmp_path


def test_a_submission_is_finished_only_with_a_clean_verdict_newer_than_it(tmp_path):
    course = _course(tmp_path, "s1")
    assert not pipeline.finished(course, "A", "s1")
    Verdict("s1", "A").save(course / "autograded" / "s1" / "A")
    assert pipeline.finished(course, "A", "s1")
    Verdict("s1", "A", infrastructure_error="the lab did not start").save(course / "autograded" / "s1" / "A")
    assert not pipeline.finished(course, "A", "s1")  # machinery failures are graded again
    Verdict("s1", "A").save(course / "autograded" / "s1" / "A")
    later = time.time() + 60
    os.utime(course / "submitted" / "s1" / "A" / "A.ipynb", (later, later))  # handed in again
    assert not pipeline.finished(course, "A", "s1")


def test_the_default_jobs_fit_the_cores():
    cores = len(os.sched_getaffinity(0))
    assert 1 <= pipeline.default_jobs() <= 3 * cores


def test_a_course_can_name_a_leaner_stack_and_the_lab_starts_it(tmp_path):
    (tmp_path / "checks").mkdir()
    (tmp_path / "checks" / "stacks.json").write_text(json.dumps({"03": {"services": "services-no-broker"}}))
    assert stacks.lean(tmp_path, "03", "services") == "services-no-broker"
    assert stacks.lean(tmp_path, "02", "services") == "services"

    class Recording:
        def __init__(self):
            self.started = []

        def up(self, stack):
            self.started.append(stack)

        def url(self, name):
            return f"http://{name}"

    inner = Recording()
    lab = stacks.LeanLab(inner, stacks.lean_map(tmp_path, "03"))
    lab.up("services")
    assert inner.started == ["services-no-broker"] and lab.url("x") == "http://x"


def test_the_real_course_runs_03_without_a_broker():
    from microlab import topology

    course = Path(__file__).resolve().parents[2]
    lean = stacks.lean(course, "03-sync-communication", "services")
    assert all(c.kind != "broker" for c in topology.stack(lean))


def test_json_lines_say_what_was_graded_and_skipped():
    out = io.StringIO()
    shown = events.JsonLines(out)
    shown.start("A", 1, ["old"], 2, "bubblewrap")
    result = StudentResult("s1", "A", [CheckResult("q", 1.0, 2.0, "q2: wrong")])

    class Graded:
        attempts, outcome = 1, type("O", (), {"seconds": 3.0})()

    shown.done(result, Graded())
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert lines[0] == {"event": "start", "assignment": "A", "total": 1, "skipped": ["old"], "jobs": 2,
                        "isolation": "bubblewrap"}
    assert lines[1]["score"] == 1.0 and lines[1]["max"] == 2.0 and lines[1]["failed"] == {"q": "q2: wrong"}


def test_the_confinement_argv_holds_every_namespace_and_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(confine, "mechanism", lambda: "bubblewrap")
    argv = confine.prefix(tmp_path / "box", [], {tmp_path / "in.json": "job.json"}, confine.CHECK_RUN, "private")
    for flag in ("--unshare-pid", "--unshare-net", "--unshare-ipc", "--die-with-parent", "--new-session"):
        assert flag in argv
    assert f"--as={confine.CHECK_RUN.memory_mb * confine.MB}" in argv
    assert str(confine.CHECK_RUN.disk_mb * confine.MB) in argv
    assert argv[argv.index("--ro-bind", argv.index(str(tmp_path / "box"))) + 1] == str(tmp_path / "in.json")
    if os.geteuid() == 0:
        assert f"--nproc={confine.CHECK_RUN.processes}" in argv and any(a.startswith("--reuid=") for a in argv)
    shared = confine.prefix(tmp_path / "box", [], resources=confine.CHECK_RUN, network="shared")
    assert "--unshare-net" not in shared
