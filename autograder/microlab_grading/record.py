"""Recording verdicts into the gradebook as each submission finishes, with one nbgrader.

    python -m microlab_grading.record COURSE ASSIGNMENT   (with MICROLAB_REPLAY_DIR set)

reads one student id per line on stdin and answers one JSON line per id on stdout
({"student": ..., "ok": bool, "error": ...}). nbgrader's start-up (its imports, the course
config, the gradebook) is paid once per batch instead of once per submission, and each
submission is in the gradebook as soon as it is graded: a crash halfway keeps what was done.
No student code runs here: the course's config replays the isolated runs (ReplayExecute).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from microlab_grading.nbg import with_venv_path


class Recorder:
    """The grader's side: a child process that records one student at a time."""

    def __init__(self, course: Path, assignment: str, replay: Path):
        env = with_venv_path(os.environ.copy() | {"MICROLAB_REPLAY_DIR": str(replay)})
        self.proc = subprocess.Popen([sys.executable, "-m", "microlab_grading.record", str(course), assignment],
                                     cwd=course, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, text=True, bufsize=1)

    def record(self, student: str) -> str:
        """"" when recorded, else why not."""
        try:
            self.proc.stdin.write(student + "\n")
            self.proc.stdin.flush()
            line = self.proc.stdout.readline()
        except (BrokenPipeError, OSError) as exc:
            return f"the recorder stopped: {exc}"
        if not line:
            return f"the recorder stopped (exit {self.proc.poll()})"
        answer = json.loads(line)
        return "" if answer["ok"] else answer.get("error", "nbgrader failed")[-800:]

    def close(self) -> None:
        try:
            self.proc.stdin.close()
            self.proc.wait(timeout=30)
        except (OSError, subprocess.TimeoutExpired):
            self.proc.kill()
            self.proc.wait()


def main() -> None:
    from microlab_grading import leanimports  # noqa: F401  (before nbgrader: see there)
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config import Config
    from traitlets.config.loader import PyFileConfigLoader

    course, assignment = Path(sys.argv[1]), sys.argv[2]
    config = Config(PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config())
    config.CourseDirectory.root = str(course)
    api = NbGraderAPI(CourseDirectory(config=config), config=config)
    out = sys.stdout
    sys.stdout = sys.stderr  # nbgrader's own prints must not mix with the answers
    for line in sys.stdin:
        student = line.strip()
        if not student:
            continue
        result = api.autograde(assignment, student, force=True, create=True)
        answer = {"student": student, "ok": bool(result.get("success"))}
        if not answer["ok"]:
            answer["error"] = (result.get("error") or "") + (result.get("log") or "")[-400:]
        out.write(json.dumps(answer) + "\n")
        out.flush()


if __name__ == "__main__":
    main()
