"""Named wrong answers for the grader tests: each the reference answer with one plausible
mistake, and the sub-checks the grader must fail it on. Wrong answers to different exercises
are handed in together (submission i holds the i-th wrong answer of each exercise): the judge
runs each exercise's own cells only, so they do not interfere, and gradings stay few."""
from __future__ import annotations

from dataclasses import dataclass
from itertools import zip_longest


@dataclass(frozen=True)
class Wrong:
    name: str
    grade_id: str
    edits: tuple[tuple[str, str], ...]  # (old, new) replacements in the reference answer
    fails: tuple[str, ...]  # the sub-checks it must fail
    only: bool = True  # and every other sub-check of its exercise must pass

    def source(self, reference: dict[str, str], cells: dict[str, str]) -> str:
        src = reference[cells[self.grade_id]]
        for old, new in self.edits:
            assert old in src, f"{self.name}: the reference answer no longer contains {old!r}"
            src = src.replace(old, new)
        return src


def grouped(per_exercise: list[list[Wrong]], reference: dict[str, str], cells: dict[str, str]) -> dict[str, dict[str, str]]:
    """{"wrong-<i>": {answer cell: source}}: the i-th wrong answer of each exercise together."""
    return {f"wrong-{i}": {cells[w.grade_id]: w.source(reference, cells) for w in group if w}
            for i, group in enumerate(zip_longest(*per_exercise), 1)}


def submission_of(wrong: Wrong, per_exercise: list[list[Wrong]]) -> str:
    return next(f"wrong-{i}" for i, group in enumerate(zip_longest(*per_exercise), 1) if wrong in group)
