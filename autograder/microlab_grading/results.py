"""What grading found, per student and per check, read from nbgrader's gradebook and the
autograded notebooks; and the CSV an instructor exports."""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook, MissingEntry

from microlab_grading.verdicts import Verdict

# Student code that reaches for the grader's machinery gets flagged for a human look.
SUSPICIOUS = re.compile(
    r"microlab_grading|sys\.modules|showtraceback|importlib|builtins|os\._exit|ctypes|"
    r"__import__|get_ipython\(\)\.(?:events|set_custom_exc)|sys\.settrace|gc\.get_objects"
)


@dataclass
class CheckResult:
    grade_id: str
    score: float
    max_score: float
    message: str = ""  # the failing check's exception line; empty when it passed
    manual: bool = False


@dataclass
class StudentResult:
    student: str
    assignment: str
    checks: list[CheckResult] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    infrastructure_error: str = ""  # the machinery failed: the scores are not the student's

    @property
    def auto_score(self) -> float:
        return sum(c.score for c in self.checks if not c.manual)

    @property
    def auto_max(self) -> float:
        return sum(c.max_score for c in self.checks if not c.manual)

    @property
    def failed(self) -> dict[str, str]:
        return {c.grade_id: c.message for c in self.checks if not c.manual and c.score < c.max_score}


def _messages(verdict: Verdict | None) -> dict[str, str]:
    """grade_id -> the failed sub-checks, named, with their messages."""
    if verdict is None:
        return {}
    return {gid: "; ".join(f"{c.name}: {c.message}" for c in ex.checks if not c.passed)[:500]
            for gid, ex in verdict.exercises.items() if ex.points < ex.max_points}


def _flags(nb) -> list[str]:
    hits = set()
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "code" and not meta.get("locked") and not meta.get("grade"):
            hits.update(SUSPICIOUS.findall(cell.source))
    return sorted(hits)


def student_result(course: Path, assignment: str, student: str) -> StudentResult:
    result = StudentResult(student, assignment)
    graded = course / "autograded" / student / assignment
    verdict = Verdict.load(graded)
    result.infrastructure_error = verdict.infrastructure_error if verdict else \
        "no verdict was recorded for this submission"
    messages = _messages(verdict)
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "microlab") as gb:
        submission = gb.find_submission(assignment, student)
        for notebook in submission.notebooks:
            path = graded / f"{notebook.name}.ipynb"
            nb = nbformat.read(path, as_version=4) if path.exists() else nbformat.v4.new_notebook()
            result.flags += _flags(nb)
            written = {c.name for c in notebook.notebook.solution_cells}  # answer cells graded by hand
            for grade in sorted(notebook.grades, key=lambda g: g.name):
                manual = grade.name in written
                score = grade.score if grade.score is not None else 0.0
                result.checks.append(CheckResult(grade.name, float(score), float(grade.max_score),
                                                 messages.get(grade.name, ""), manual))
    return result


def verdict_result(verdict: Verdict) -> StudentResult:
    """What the judge decided, as the gradebook would show it (without its hand-graded cells)."""
    messages = _messages(verdict)
    result = StudentResult(verdict.student, verdict.assignment, infrastructure_error=verdict.infrastructure_error)
    result.checks = [CheckResult(gid, ex.points, ex.max_points, messages.get(gid, ""))
                     for gid, ex in sorted(verdict.exercises.items())]
    return result


def all_results(course: Path, assignment: str) -> list[StudentResult]:
    rows = []
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "microlab") as gb:
        try:
            students = sorted(s.student.id for s in gb.find_assignment(assignment).submissions)
        except MissingEntry:
            return []
    for student in students:
        rows.append(student_result(course, assignment, student))
    return rows


def export_csv(course: Path, assignments: list[str], out: Path) -> int:
    out.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with open(out, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["assignment", "student", "autograded_score", "autograded_max", "score",
                         "max_score", "needs_manual_grading", "failed_checks", "review_flags",
                         "infrastructure_error"])
        for assignment in assignments:
            for r in all_results(course, assignment):
                total = sum(c.score for c in r.checks)
                top = sum(c.max_score for c in r.checks)
                manual = [c.grade_id for c in r.checks if c.manual]
                failed = "; ".join(f"{k}: {v}" if v else k for k, v in r.failed.items())
                writer.writerow([assignment, r.student, r.auto_score, r.auto_max, total, top,
                                 " ".join(manual), failed, " ".join(r.flags), r.infrastructure_error])
                count += 1
    return count
