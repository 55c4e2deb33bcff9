"""A batch of 01 mixing good submissions with hostile ones: the batch finishes, the good
ones get full marks, each hostile one gets what its answers earn (each answer is right only
if the sandbox held: a fork bomb that could fork a thousand times, a memory hog that got
8 GB, a disk filler that wrote 1.5 GB, a reach into another lab or the course, each makes
its quiz wrong), nothing of theirs is left running, the course and the other lab untouched.
Twice: with each notebook run in bubblewrap's namespaces (always), and in a Docker container
of its own (where an engine runs)."""
from __future__ import annotations

import os
import time

import httpx
import pytest

from graderkit import grade_batch, leftovers, live_with
from microlab import Lab, admintoken
from microlab_grading import containerbox

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1500)]
A, QUIZ, Q_CELL = "01-monolith", "lab01_quiz", "lab01_quiz_answer"
GOOD = '{"q1": "b", "q2": "c", "q3": "a"}'
MARK = "6061"  # the detached daemons' `sleep 6061`: found by its command line, not its environment


def _if(condition: str) -> str:
    """The right quiz only where `condition` (the sandbox held) is true."""
    return f"QUIZ = {GOOD} if ({condition}) else {{}}\n"


FORK_BOMB = ("import os, time\nforked = 0\ntry:\n"
             "    for _ in range(1500):  # bounded: a failing sandbox costs sleeping processes, not the machine\n"
             "        pid = os.fork()\n"
             "        if pid == 0:\n"
             "            time.sleep(60)\n"
             "            os._exit(0)\n"
             "        forked += 1\nexcept OSError:\n    pass\n" + _if("forked < 1000"))
MEMORY_HOG = ("try:\n    hog = bytearray(8 * 1024 ** 3)\n    held = True\nexcept MemoryError:\n    held = False\n"
              "hog = None\n" + _if("not held"))
DISK_FILLER = ("import os\nwritten, chunk = 0, b'x' * (16 * 1024 * 1024)\n"
               "try:\n    for i in range(96):  # 1.5 GB at most\n"
               "        with open(f'fill-{i}', 'wb') as f:\n"
               "            for _ in range(4):\n"
               "                f.write(chunk)\n"
               "                written += len(chunk)\nexcept OSError:\n    pass\n"
               "for i in range(96):\n    try: os.remove(f'fill-{i}')\n    except OSError: pass\n"
               + _if("written < 1024 ** 3"))
DAEMON = ("import os, subprocess\n"
          f"subprocess.Popen(['sleep', '{MARK}'], env={{}}, start_new_session=True, close_fds=True)\n"
          "if os.fork() == 0:  # a double fork, setsid, an empty environment\n"
          "    os.setsid()\n"
          f"    if os.fork() == 0:\n        os.execve('/bin/sleep', ['sleep', '{MARK}'], {{}})\n"
          "    os._exit(0)\n" + f"QUIZ = {GOOD}\n")
SIGINT_LOOP = "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass\n" + f"QUIZ = {GOOD}\n"


BATCH = {"good-1": None, "good-2": None, "fork-bomb": FORK_BOMB, "memory-hog": MEMORY_HOG,
         "disk-filler": DISK_FILLER, "daemon": DAEMON, "sigint-loop": SIGINT_LOOP, "reacher": None}


def _reacher(victim_url: str, course: str) -> str:
    return ("import requests, pathlib\nreached = wrote = False\n"
            f"try:\n    requests.put('{victim_url}/admin/faults', json={{'error_rate': 1.0}}, timeout=2)\n"
            "    reached = True\nexcept Exception:\n    pass\n"
            f"for target in ('{course}/pwned', '{course}/nbgrader_config.py'):\n"
            "    try:\n        with open(target, 'a') as f:\n            f.write('# pwned')\n        wrote = True\n"
            "    except OSError:\n        pass\n" + _if("not reached and not wrote"))


@pytest.fixture(scope="module")
def victim():
    """Another lab on this machine, which no submission may reach."""
    lab = Lab(backend="local", name=f"victim-{int(time.time())}", quiet=True)
    try:
        yield lab.up("monolith")
    finally:
        lab.down()


@pytest.fixture(scope="module", params=["namespaces", "docker"])
def sandbox(request):
    """Where the notebook runs happen (MICROLAB_SANDBOX); the judge's check runs are bubblewrap's."""
    if request.param == "docker" and (why := containerbox.problem()) is not None:
        pytest.skip(f"no container per run here: {why}")
    before = os.environ.get("MICROLAB_SANDBOX")
    os.environ["MICROLAB_SANDBOX"] = request.param
    try:
        yield request.param
    finally:
        if before is None:
            os.environ.pop("MICROLAB_SANDBOX", None)
        else:
            os.environ["MICROLAB_SANDBOX"] = before


@pytest.fixture(scope="module")
def graded(course, victim, sandbox, tmp_path_factory):
    config = (course / "nbgrader_config.py").read_text()
    batch = {name: {Q_CELL: code} if code else {} for name, code in BATCH.items()}
    batch["reacher"] = {Q_CELL: _reacher(victim.url("monolith"), str(course))}
    results, run = grade_batch(course, A, batch, tmp_path_factory.mktemp(f"iso-{sandbox}"))
    assert ("Docker container" in run.isolation) == (sandbox == "docker"), run.isolation
    return results, run, config


def _quiz(result):
    return next(c for c in result.checks if c.grade_id == QUIZ)


def test_good_submissions_get_full_marks_beside_hostile_ones(graded):
    results, run, _ = graded
    assert not run.infrastructure_errors, run.infrastructure_errors
    for name in ("good-1", "good-2"):
        assert results[name].auto_score == results[name].auto_max, results[name].failed


@pytest.mark.parametrize("name", ["fork-bomb", "memory-hog", "disk-filler", "daemon", "reacher"])
def test_a_contained_hostile_answer_earns_what_its_answer_is_worth(graded, name):
    result = graded[0][name]
    assert _quiz(result).score == _quiz(result).max_score, result.failed  # right only if contained


def test_a_loop_ignoring_sigint_is_stopped_and_earns_nothing_for_it(graded):
    result = graded[0]["sigint-loop"]
    assert _quiz(result).score == 0, result.failed  # its QUIZ line never ran: the check run timed out
    assert result.auto_score == result.auto_max - _quiz(result).max_score  # the other exercises still count


def test_nothing_is_left_running_and_the_course_and_the_other_lab_are_untouched(graded, course, victim):
    _, _, config = graded
    assert leftovers(list(BATCH)) == [] and live_with(f"sleep {MARK}") == [] and live_with("microlab_grading.harness") == []
    assert containerbox.leftovers() == [] if containerbox.problem() is None else True
    assert not (course / "pwned").exists() and (course / "nbgrader_config.py").read_text() == config
    faults = httpx.get(f"{victim.url('monolith')}/admin/faults",
                       headers=admintoken.headers(victim.backend, "monolith")).json()
    assert faults["error_rate"] == 0 and httpx.get(f"{victim.url('monolith')}/health").status_code == 200
