"""The graders of 01, graded: reference full, blank 0, named wrong answers in between,
forgeries at 0, and hostile submissions graded safely with nothing left running."""
from __future__ import annotations

import pytest

from graderkit import grade_batch, leftovers
from microlab_grading import pipeline

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1200)]
A, TABLES, QUIZ = "01-monolith", "lab01_written_tables", "lab01_quiz"
T_CELL, Q_CELL = "lab01_tables_answer", "lab01_quiz_answer"
GOOD_QUIZ = 'QUIZ = {"q1": "b", "q2": "c", "q3": "a"}'

WRONG = {  # name: (answers, {grade_id: check names that must fail})
    "forgot-inventory": ({T_CELL: 'ORDER_WRITES = {"orders", "order_items", "payments"}'}, {TABLES: ["the stock it takes"]}),
    "users-too": ({T_CELL: 'ORDER_WRITES = {"users", "orders", "order_items", "inventory", "payments"}'},
                  {TABLES: ["no table the order leaves alone"]}),
    "orders-only": ({T_CELL: 'ORDER_WRITES = {"orders"}'}, {TABLES: ["the order and its lines", "the payment"]}),
    "made-up-table": ({T_CELL: 'ORDER_WRITES = {"orders", "order_items", "inventory", "payments", "carts"}'},
                      {TABLES: ["only tables of the monolith"]}),
    "quiz-q1": ({Q_CELL: 'QUIZ = {"q1": "a", "q2": "c", "q3": "a"}'}, {QUIZ: ["q1"]}),
    "quiz-q2": ({Q_CELL: 'QUIZ = {"q1": "b", "q2": "b", "q3": "a"}'}, {QUIZ: ["q2"]}),
    "quiz-q3": ({Q_CELL: 'QUIZ = {"q1": "b", "q2": "c", "q3": "d"}'}, {QUIZ: ["q3"]}),
    "quiz-q1-q2": ({Q_CELL: 'QUIZ = {"q1": "d", "q2": "a", "q3": "a"}'}, {QUIZ: ["q1", "q2"]}),
}
FEEDBACK_READ = ("forgot-inventory", "quiz-q1")  # handed in: test_feedback_... reads their pages
BLANK_TABLES = "ORDER_WRITES = set()\npass  # YOUR CODE HERE"
BLANK_QUIZ = 'QUIZ = {"q1": None, "q2": None, "q3": None}\npass  # YOUR CODE HERE'
# Forgeries: a blank notebook plus a trick; each must score 0 on what it forges.
FORGED = {
    "input-transformer": {T_CELL: "get_ipython().input_transformers_post.append(lambda lines: ['pass\\n'])\n" + BLANK_TABLES},
    "spec-redirect": {T_CELL: "import microlab_grading, tempfile\n"
                      "microlab_grading.__spec__.submodule_search_locations[:] = [tempfile.mkdtemp()]\n" + BLANK_TABLES},
    "key-from-the-runtime": {Q_CELL: "import microlab.visible.lab01 as v, microlab_grading as g\n"
                             "QUIZ = dict(getattr(v, 'QUIZ', None) or getattr(g, 'QUIZ', None) or {})"},
    "searches-the-disk": {Q_CELL: "import os, re\nQUIZ = {}\n"
                          "for top in ('/', os.path.expanduser('~'), '/tmp'):\n"
                          "    for root, dirs, files in os.walk(top):\n"
                          "        dirs[:] = [d for d in dirs if d not in ('proc', 'sys', 'dev', 'usr', 'lib', '.venv')]\n"
                          "        for f in files:\n"
                          "            if f.endswith(('.py', '.ipynb', '.db')):\n"
                          "                try: text = open(os.path.join(root, f), errors='ignore').read(200000)\n"
                          "                except OSError: continue\n"
                          "                m = re.search(r'\"q1\": \"([a-d])\", \"q2\": \"([a-d])\", \"q3\": \"([a-d])\"', text)\n"
                          "                if m: QUIZ = dict(zip(('q1', 'q2', 'q3'), m.groups()))\n"},
}
LOUD = ("import logging, sys, warnings\nlogging.warning('a warning from my answer')\n"
        "warnings.warn('a user warning')\nprint('to stderr', file=sys.stderr)\n")
HOSTILE = {
    "infinite-loop": {Q_CELL: "while True:\n    pass\n" + GOOD_QUIZ},
    "exit-and-detach": {Q_CELL: "import sys, subprocess\nsubprocess.Popen(['sleep', '600'], start_new_session=True)\n"
                        "sys.exit(0)\n" + GOOD_QUIZ},
    "os-exit": {Q_CELL: "import os\nos._exit(1)"},
    "100mb-print": {Q_CELL: "print('x' * 100_000_000)\n" + GOOD_QUIZ},
    "delete-the-course": {Q_CELL: "import os, pathlib, shutil\n"
                          "for p in [pathlib.Path.cwd(), *pathlib.Path.cwd().parents][:4]:\n"
                          "    if (p / 'nbgrader_config.py').exists() or (p / 'gradebook.db').exists() or p.name == 'work':\n"
                          "        shutil.rmtree(p, ignore_errors=True)\n"
                          "shutil.rmtree(os.environ.get('MICROLAB_HOME', '/nonexistent'), ignore_errors=True)\n" + GOOD_QUIZ},
    "empties-the-test-cell": {Q_CELL: 'QUIZ = {"q1": "d", "q2": "d", "q3": "d"}', QUIZ: "pass"},
}


@pytest.fixture(scope="module")
def graded(course, tmp_path_factory):
    batch = {"reference": {}, "blank": None, "loud-but-right": {T_CELL: LOUD + 'ORDER_WRITES = {"orders", "order_items", "inventory", "payments"}'}}
    batch |= {f"wrong-{k}": v[0] for k, v in WRONG.items()}
    batch |= {f"forged-{k}": v for k, v in FORGED.items()}
    batch |= {f"hostile-{k}": v for k, v in HOSTILE.items()}
    # The named wrong answers are judged only (their verdict is what they test), but for the
    # two whose feedback pages are read below; the rest go through the gradebook, hostile ones
    # beside good ones.
    wrong = tuple(f"wrong-{k}" for k in WRONG if k not in FEEDBACK_READ)
    results, run = grade_batch(course, A, batch, tmp_path_factory.mktemp("g01"), judged_only=wrong)
    return results, run


def _exercise(result, grade_id):
    return next(c for c in result.checks if c.grade_id == grade_id)


def test_reference_full_blank_zero_and_a_loud_right_answer_full(graded, course):
    results, run = graded
    full = sum(_exercise(results["reference"], g).max_score for g in (TABLES, QUIZ))
    assert results["reference"].auto_score == full == results["reference"].auto_max
    assert results["loud-but-right"].auto_score == full, results["loud-but-right"].failed
    assert results["blank"].auto_score == 0 and "not answered" in results["blank"].failed[QUIZ]
    assert not run.infrastructure_errors


@pytest.mark.parametrize("name", sorted(WRONG))
def test_a_wrong_answer_scores_in_between_and_names_its_check(graded, name):
    result = graded[0][f"wrong-{name}"]
    for grade_id, checks in WRONG[name][1].items():
        exercise = _exercise(result, grade_id)
        assert 0 < exercise.score < exercise.max_score, (grade_id, exercise)
        for check in checks:
            assert f"{check}:" in result.failed[grade_id], result.failed[grade_id]


@pytest.mark.parametrize("name", sorted(FORGED))
def test_forgeries_earn_nothing(graded, name):
    result = graded[0][f"forged-{name}"]
    forged = TABLES if T_CELL in FORGED[name] else QUIZ
    assert _exercise(result, forged).score == 0, result.failed
    assert not result.infrastructure_error


def test_hostile_submissions_are_graded_and_leave_nothing_behind(graded, course):
    results, _ = graded
    answered_anyway = {"100mb-print", "delete-the-course"}  # their QUIZ line still runs
    for name in HOSTILE:
        r = results[f"hostile-{name}"]
        assert not r.infrastructure_error, (name, r.infrastructure_error)
        quiz = _exercise(r, QUIZ)
        assert quiz.score == (quiz.max_score if name in answered_anyway else 0), (name, r.failed)
        assert _exercise(r, TABLES).score == _exercise(r, TABLES).max_score, (name, r.failed)
    assert (course / "gradebook.db").exists() and pipeline.solution_sources(A, course)
    assert leftovers(list(results)) == []


def test_a_grader_lab_that_cannot_start_is_an_infrastructure_error(course, tmp_path):
    """Not the student's zero: the CSV says why and the command's exit status says so."""
    import csv
    import os
    import subprocess
    import sys

    import nbformat

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    nb = nbformat.read(course / "release" / A / f"{A}.ipynb", as_version=4)
    nbformat.write(pipeline.fill_answers(nb, pipeline.solution_sources(A, course)), inbox / "unlucky.ipynb")
    pipeline.collect_submissions(inbox, A, course)
    # The grader's own monolith will not start: uvicorn refuses an unknown event loop (the
    # grader's lab lives in a network namespace of its own: a port taken here is free there).
    env = os.environ | {"MICROLAB_COURSE": str(course), "UVICORN_LOOP": "no-such-loop"}
    cli = [sys.executable, "-m", "microlab.cli", "grade"]
    done = subprocess.run([*cli, "autograde", A, "--student", "unlucky"], env=env, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 3, done.stdout + done.stderr
    assert "INFRASTRUCTURE ERROR unlucky" in done.stderr and "Traceback" not in done.stderr
    out = tmp_path / "grades.csv"
    subprocess.run([*cli, "export", "--out", str(out)], env=env, check=True, timeout=120, capture_output=True)
    rows = {r["student"]: r for r in csv.DictReader(out.open()) if r["assignment"] == A}
    assert "did not start" in rows["unlucky"]["infrastructure_error"]


def test_feedback_names_each_check_and_shows_no_grader_code(graded, course):
    import html

    pages = {p.parent.parent.name: html.unescape(p.read_text()) for p in pipeline.feedback(A, course)}
    page = pages["wrong-forgot-inventory"]
    assert "the stock it takes" in page and "FAIL" in page and "PASS" in page
    checks_source = (course / "checks" / f"{A}.py").read_text()
    assert "_fingerprints" in checks_source and "_fingerprints" not in page
    assert '"q1": "b"' not in pages["wrong-quiz-q1"]  # the answer key stays with the grader
