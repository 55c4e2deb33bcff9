"""How an exercise author declares an exercise for the grader (read this first).

An assignment's checks live in the instructor's course, `<course>/checks/<assignment>.py`,
never in the installed packages or the student handout. That module defines

    EXERCISES = [Exercise(...), ...]     # one per autograded grade cell
    SECRETS = ["...", ...]               # answer-key strings the handout test must never find

and each exercise names

- `grade_id`: the locked grade cell it scores (its points are the sum of its checks' points);
- `cells`: the grade ids of the answer cells whose source the grader runs, and only those;
- `answers`: names those cells define that are data answers, read back as JSON;
- `provided`: the grader's own source for what the notebook's locked cells define and the
  answer cells may use (`ServiceError`, `ORDER_SERVICE`, `fetch_user`, ...). It runs first in
  a fresh interpreter; a student's rebinding of one of these names changes nothing the
  checks look at: they compare with `provided[...]`, the grader's own objects;
- `lab`: the stack the grader starts, for itself, before the checks (None: no lab);
- `checks`: named sub-checks with points (partial credit). A check is a function of a
  `Context` that returns None when it passes and raises `CheckFailed("what was expected,
  what happened")` when not. Any other exception is the grader's own failure: it marks the
  submission as an infrastructure error, never as the student's zero.

A check reads `ctx.answers` (data answers), calls `ctx.run(code)` to run the student's cells
plus `code` in a fresh interpreter (see harness.py) and gets back `result` as JSON, or
deploys `ctx.code()` (a student's consumer or service) into its own lab with
`ctx.lab.deploy(...)`, where it runs confined like `ctx.run` (see judge.py), draws
parameters from `ctx.rng` (seeded per student and exercise with the course's secret: a
hard-coded constant fails), and observes the grader's own lab through `ctx.lab` (breaking
it for a block with `with ctx.faulted(service, latency_ms=..., error_rate=...)`).
"""
from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any


class CheckFailed(AssertionError):
    """The student's answer does not do what the check expects; the message says what."""


class NotAnswered(CheckFailed):
    """The answer cell still holds the stub."""


@dataclass(frozen=True)
class Check:
    name: str
    points: float
    run: Callable[["Context"], None]
    needs: tuple[str, ...] = ()  # names of checks that must pass first (else this one fails too)


@dataclass(frozen=True)
class Exercise:
    grade_id: str
    cells: tuple[str, ...]
    checks: tuple[Check, ...]
    answers: tuple[str, ...] = ()
    provided: str = ""
    lab: str | None = None
    timeout: float = 60.0  # seconds for one run of the student's code

    @property
    def points(self) -> float:
        return sum(c.points for c in self.checks)


@dataclass
class Context:
    """What a check sees: never the student's kernel, only the grader's own view."""

    student: str
    exercise: Exercise
    rng: random.Random
    answers: dict[str, Any] = field(default_factory=dict)
    lab: Any = None  # the grader's own microlab Lab, when the exercise asks for one
    runner: Callable[..., dict] | None = None
    cache: dict[str, Any] = field(default_factory=dict)  # what one exercise's checks share
    sources: dict[str, str] = field(default_factory=dict)  # the exercise's answer cells' source
    reported: bool = False  # a run of the student's code has reported: its data is in play

    def code(self, provided: bool = True) -> str:
        """The exercise's answer cells as one module (after `provided`, the grader's own
        definitions): what the grader deploys with `ctx.lab.deploy(...)` to run a student's
        service or consumer in its own lab."""
        cells = [_without_cell_magic(self.sources.get(g, "")) for g in self.exercise.cells]
        return "\n\n".join(([self.exercise.provided] if provided else []) + cells)


    def run(self, code: str = "", env: dict[str, str] | None = None, timeout: float | None = None) -> dict:
        """Run the answer cells, then `code`, in a fresh interpreter; returns the harness
        report: {"result": <JSON of `result`>, "errors": {...}, "names": {...}}."""
        self.reported = True
        return self.runner(self.exercise, code, env or {}, timeout or self.exercise.timeout)

    def result(self, code: str = "", env: dict[str, str] | None = None, timeout: float | None = None):
        """`run`, then its `result`; CheckFailed when the student's code never let `code`
        finish (a timeout, a crash, an answer the check could not use), saying which."""
        report = self.run(code, env=env, timeout=timeout)
        if "timeout" in report:
            raise CheckFailed(f"your code did not finish within {report['timeout']:g} s{cell_errors(report)}")
        if report.get("crashed"):
            raise CheckFailed(f"the interpreter running your code stopped before it reported{cell_errors(report)}")
        if "check_error" in report:
            error = report["check_error"]
            raise CheckFailed(f"could not use your answer: {error['type']}: {error['message']}{cell_errors(report)}")
        return report["result"]

    @contextmanager
    def faulted(self, service: str, **settings) -> Iterator[None]:
        """`lab.fault(service, **settings)` for the block, cleared afterwards whatever happens."""
        self.lab.fault(service, **settings)
        try:
            yield
        finally:
            self.lab.fault(service)

    def expect(self, ok: bool, why: str) -> None:
        if not ok:
            raise CheckFailed(why)


def cell_errors(report: dict) -> str:
    """What the student's cells raised while a check ran them, briefly."""
    errors = report.get("errors") or {}
    return "".join(f" (your cell {g} raised {e['type']}: {e['message'][:80]})" for g, e in errors.items())


def _without_cell_magic(source: str) -> str:
    """A `%%writefile name.py` cell is the file it writes: the code without that first line."""
    first, _, rest = source.lstrip().partition("\n")
    return rest if first.startswith("%%writefile") else source
