"""Self-study: what the visible checks say, per exercise, in the notebook or from the CLI.

Visible test cells call `run(...)`, which records the outcome here; the last cell of each
notebook calls `summary()`. `microlab check NOTEBOOK` (see report.py) runs a whole notebook
the way the grader does and prints the same kind of report. Either way, hidden checks exist:
passing the visible ones is necessary, not sufficient.
"""
from __future__ import annotations

RESULTS: dict[str, tuple[bool, str]] = {}


def run(grade_id: str, check, *args) -> None:
    try:
        check(*args)
    except AssertionError as exc:
        RESULTS[grade_id] = (False, str(exc))
        raise
    except Exception as exc:  # the student's code failed inside the check
        RESULTS[grade_id] = (False, f"{type(exc).__name__}: {exc}")
        raise
    RESULTS[grade_id] = (True, "visible checks pass")


def summary(exercises: list[str] | None = None) -> str:
    names = exercises or sorted(RESULTS)
    lines = ["Self-check (visible checks only; hidden checks run when your work is graded):"]
    for name in names:
        ok, detail = RESULTS.get(name, (None, "not run yet: run the exercise and its check cell"))
        mark = {True: "PASS", False: "FAIL", None: "----"}[ok]
        lines.append(f"  {mark}  {name}: {detail}")
    text = "\n".join(lines)
    print(text)
    return text
