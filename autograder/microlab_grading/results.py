"""What grading found, per student and per check, read from nbgrader's gradebook and the
autograded notebooks; and the CSV an instructor exports."""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook, MissingEntry

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

    @property
    def auto_score(self) -> float:
        return sum(c.score for c in self.checks if not c.manual)

    @property
    def auto_max(self) -> float:
        return sum(c.max_score for c in self.checks if not c.manual)

    @property
    def failed(self) -> dict[str, str]:
        return {c.grade_id: c.message for c in self.checks if not c.manual and c.score < c.max_score}


def _messages(nb) -> dict[str, str]:
    found = {}
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "code" and meta.get("grade"):
            errors = [o for o in cell.get("outputs", []) if o.output_type == "error"]
            if errors:
                found[meta["grade_id"]] = f"{errors[-1].ename}: {errors[-1].evalue}"[:500]
    return found


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
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "microlab") as gb:
        submission = gb.find_submission(assignment, student)
        for notebook in submission.notebooks:
            path = graded / f"{notebook.name}.ipynb"
            nb = nbformat.read(path, as_version=4) if path.exists() else nbformat.v4.new_notebook()
            messages = _messages(nb)
            result.flags += _flags(nb)
            written = {c.name for c in notebook.notebook.solution_cells}  # answer cells graded by hand
            for grade in sorted(notebook.grades, key=lambda g: g.name):
                manual = grade.name in written
                score = grade.score if grade.score is not None else 0.0
                result.checks.append(CheckResult(grade.name, float(score), float(grade.max_score),
                                                 messages.get(grade.name, ""), manual))
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
                         "max_score", "needs_manual_grading", "failed_checks", "review_flags"])
        for assignment in assignments:
            for r in all_results(course, assignment):
                total = sum(c.score for c in r.checks)
                top = sum(c.max_score for c in r.checks)
                manual = [c.grade_id for c in r.checks if c.manual]
                failed = "; ".join(f"{k}: {v}" if v else k for k, v in r.failed.items())
                writer.writerow([assignment, r.student, r.auto_score, r.auto_max, total, top,
                                 " ".join(manual), failed, " ".join(r.flags)])
                count += 1
    return count
