"""The grader's verdict on one submission, decided in a process where no student code ran.

    python -I -m microlab_grading.judge COURSE ASSIGNMENT STUDENT NOTEBOOK OUT_DIR

It reads the answer cells' source from the submitted notebook (never the outputs the
student's kernel produced), loads the exercise declarations from the course's checks/ (see
exercise.py), starts its own lab where an exercise needs one, and runs every sub-check.
Student code runs only in confined interpreters of its own (harness.py: a fresh copy of a
warm one per check run, see checkrun.py), started from here.
"""
from __future__ import annotations

import hashlib
import importlib.util
import json
import random
import secrets
import shutil
import sys
import traceback
from pathlib import Path

from microlab_grading import checkrun, confine, deployconfine, sandbox, stacks
from microlab_grading.exercise import CheckFailed, Context, Exercise, NotAnswered
from microlab_grading.verdicts import CheckVerdict, ExerciseVerdict, Verdict


# What reading a report of an unexpected shape raises (`result["real"]` of a forged `true`).
UNREADABLE = (TypeError, KeyError, IndexError, AttributeError, ValueError)


class Infrastructure(RuntimeError):
    """The grading machinery failed (a lab that does not start, a crashing check)."""


def load_exercises(course: Path, assignment: str) -> list[Exercise]:
    path = course / "checks" / f"{assignment}.py"
    spec = importlib.util.spec_from_file_location(f"course_checks_{assignment.replace('-', '_')}", path)
    if spec is None or not path.exists():
        raise Infrastructure(f"the course has no checks for {assignment} ({path})")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return list(module.EXERCISES)


def course_secret(course: Path) -> str:
    """Seeds per student come from this, so parameters cannot be computed from the handout."""
    path = course / ".grading-secret"
    if not path.exists():
        path.write_text(secrets.token_hex(16))
        path.chmod(0o600)
    return path.read_text().strip()


def answer_sources(notebook: Path) -> dict[str, str]:
    """grade_id -> source of each answer cell. A v4 notebook is read as plain JSON: importing
    nbformat cost the judge about 1 CPU-s; an older format goes through nbformat's upgrade."""
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    if nb.get("nbformat") != 4:
        import nbformat

        nb = nbformat.read(notebook, as_version=4)
    found = {}
    for cell in nb["cells"]:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.get("cell_type") == "code" and meta.get("solution"):
            source = cell.get("source", "")
            found[meta["grade_id"]] = source if isinstance(source, str) else "".join(source)
    return found


class Judge:
    def __init__(self, course: Path, assignment: str, student: str, notebook: Path):
        self.course, self.assignment, self.student = course, assignment, student
        self.sources = answer_sources(notebook)
        released = course / "release" / assignment / f"{assignment}.ipynb"
        self.stubs = answer_sources(released) if released.exists() else {}
        self.secret = course_secret(course)
        self.labs: dict[str, object] = {}
        self.root, self.token = sandbox.workspace(f"judge-{student}")
        self.harness: checkrun.Harness | None = None

    def verdict(self) -> Verdict:
        verdict = Verdict(self.student, self.assignment, isolation=confine.describe())
        try:
            exercises = load_exercises(self.course, self.assignment)
            preload = checkrun.imported_modules([e.provided for e in exercises])
            self.harness = checkrun.Harness(self.root, self.token, self.course, preload)
            for exercise in exercises:
                verdict.exercises[exercise.grade_id] = self.judge(exercise)
        except Infrastructure as exc:
            verdict.infrastructure_error = str(exc)
        except Exception as exc:  # a check of ours crashed: never the student's zero
            verdict.infrastructure_error = f"the grader failed: {type(exc).__name__}: {exc}"
            traceback.print_exc()
        finally:
            self.close()
        return verdict

    def judge(self, exercise: Exercise) -> ExerciseVerdict:
        ctx = Context(self.student, exercise, self._rng(exercise), runner=self._run,
                      sources={g: self.sources.get(g, "") for g in exercise.cells})
        result = ExerciseVerdict(exercise.grade_id)
        unanswered = all(self.sources.get(g, "") == self.stubs.get(g) for g in exercise.cells)
        if not unanswered:
            ctx.lab = self._lab(exercise.lab) if exercise.lab else None
            if exercise.answers:
                report = ctx.run()
                ctx.answers = report.get("names", {})
        passed: set[str] = set()
        for check in exercise.checks:
            message = self._one(check, ctx, passed, unanswered)
            if not message:
                passed.add(check.name)
            result.checks.append(CheckVerdict(check.name, 0.0 if message else check.points, check.points, message))
        return result

    @staticmethod
    def _one(check, ctx: Context, passed: set[str], unanswered: bool) -> str:
        if unanswered:
            return "not answered"
        missing = [n for n in check.needs if n not in passed]
        if missing:
            return f"needs {', '.join(missing)} to pass first"
        try:
            check.run(ctx)
        except NotAnswered as exc:
            return f"not answered: {exc}"
        except CheckFailed as exc:
            return str(exc) or "failed"
        except UNREADABLE as exc:
            if not ctx.reported:  # no student data in play: the check itself is broken
                raise
            # The report came from the process the student's code ran in, which can write
            # anything over it (a forged `{"result": true}`): data of the wrong shape is the
            # student's failure, not the grader's. The instructor still sees the traceback.
            print(f"judge: {check.name}: the check could not read a run's report:", file=sys.stderr)
            traceback.print_exc()
            return f"the check could not read what your code's run reported ({type(exc).__name__}: {exc})"
        return ""

    def _rng(self, exercise: Exercise) -> random.Random:
        seed = hashlib.sha256(f"{self.secret}:{self.student}:{exercise.grade_id}".encode()).hexdigest()
        return random.Random(seed)

    def _lab(self, stack: str):
        stack = stacks.lean(self.course, self.assignment, stack)
        if stack not in self.labs:
            from microlab import Lab, LabError

            from microlab.state import lab_dir

            name = f"judge-{self.token[:8]}-{stack}"
            deployconfine.install(self.root / "deployed", self.course, lab_dir(name))  # lab.deploy()ed code
            lab = stacks.LeanLab(Lab(backend="local", name=name, quiet=True),
                                 stacks.lean_map(self.course, self.assignment))
            self.labs[stack] = lab
            try:
                lab.up(stack)
            except LabError as exc:
                raise Infrastructure(f"the grader's own {stack!r} lab did not start: {exc}") from None
        return self.labs[stack]

    def _run(self, exercise: Exercise, code: str, env: dict[str, str], timeout: float) -> dict:
        """The answer cells, then `code`, in a fresh copy of a confined interpreter (checkrun.py)."""
        job = {"provided": exercise.provided, "cells": {g: self.sources.get(g, "") for g in exercise.cells},
               "code": code, "names": list(exercise.answers)}
        return self.harness.run(job, env, timeout)

    def close(self) -> None:
        if self.harness is not None:
            self.harness.close()
        for lab in self.labs.values():
            lab.down()
        shutil.rmtree(self.root, ignore_errors=True)


def main() -> int:
    from microlab_grading import leanimports  # noqa: F401  (before any check imports nbformat)

    course, assignment, student, notebook, out = sys.argv[1:6]
    verdict = Judge(Path(course), assignment, student, Path(notebook)).verdict()
    verdict.save(Path(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
