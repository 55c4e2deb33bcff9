"""What the grader decided for one submission: per exercise, per named sub-check."""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

FILE = "verdicts.json"


@dataclass
class CheckVerdict:
    name: str
    points: float
    max_points: float
    message: str = ""  # why it failed; empty when it passed

    @property
    def passed(self) -> bool:
        return self.points >= self.max_points


@dataclass
class ExerciseVerdict:
    grade_id: str
    checks: list[CheckVerdict] = field(default_factory=list)

    @property
    def points(self) -> float:
        return sum(c.points for c in self.checks)

    @property
    def max_points(self) -> float:
        return sum(c.max_points for c in self.checks)

    def text(self) -> str:
        """What feedback and formgrader show: each check's name, result and message (never
        the check's code)."""
        lines = [f"{self.grade_id}: {self.points:g} of {self.max_points:g} points"]
        for c in self.checks:
            mark = "PASS" if c.passed else "FAIL"
            lines.append(f"  {mark}  {c.name} ({c.points:g}/{c.max_points:g})" + (f": {c.message}" if c.message else ""))
        return "\n".join(lines)


@dataclass
class Verdict:
    student: str
    assignment: str
    exercises: dict[str, ExerciseVerdict] = field(default_factory=dict)
    infrastructure_error: str = ""  # the machinery failed: not the student's zero
    isolation: str = ""

    def save(self, folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / FILE
        path.write_text(json.dumps(asdict(self), indent=1))
        return path

    @classmethod
    def load(cls, folder: Path) -> "Verdict | None":
        path = folder / FILE
        if not path.exists():
            return None
        raw = json.loads(path.read_text())
        exercises = {k: ExerciseVerdict(v["grade_id"], [CheckVerdict(**c) for c in v["checks"]])
                     for k, v in raw.get("exercises", {}).items()}
        return cls(raw["student"], raw["assignment"], exercises, raw.get("infrastructure_error", ""),
                   raw.get("isolation", ""))
