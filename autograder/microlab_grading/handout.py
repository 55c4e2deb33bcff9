"""`microlab grade handout OUT_DIR`: what a graded class gets, and nothing the grader keeps.

The handout holds the released notebooks, the shop (`labs`), the runtime (`microlab`, with
the visible self-checks), and a README, Makefile and pyproject of its own whose `make lab`
works from that folder alone. No solution, grader check, answer key, grader test, authoring
file or grading package: `scan()` proves it, and the handout test runs it on every file.
"""
from __future__ import annotations

import importlib.util
import json
import shutil
from pathlib import Path

import labs
import microlab
from microlab.docker import context
from microlab_grading import paths

INSTRUCTOR_ONLY = {"nbgrader"}  # dependencies a student's JupyterLab must not show
SKIP = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints")
MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS")
MIN_LINE = 25  # a solution line this long is distinctive enough to look for


def build(out: Path, course: Path | None = None, notebooks: Path | None = None) -> Path:
    """`notebooks`: the released notebooks (default: notebooks/ beside the course, as
    `microlab grade release` writes it, else the checkout's)."""
    course = course or paths.course_dir()
    notebooks = notebooks or next(p for p in (paths.notebooks_dir(course), paths.notebooks_dir()) if p.is_dir())
    if out.exists() and any(out.iterdir()):
        raise FileExistsError(f"{out} is not empty: give a new folder for the handout")
    out.mkdir(parents=True, exist_ok=True)
    shutil.copytree(notebooks, out / "notebooks", ignore=SKIP)
    shutil.copytree(Path(labs.__file__).parent, out / "labs", ignore=SKIP)
    shutil.copytree(Path(microlab.__file__).parent, out / "microlab", ignore=SKIP)
    files = Path(__file__).parent / "handout_files"
    for name in ("README.md", "Makefile"):
        shutil.copy2(files / name, out / name)
    (out / "pyproject.toml").write_text((files / "pyproject.toml.in").read_text().replace(
        "{dependencies}", ",\n  ".join(json.dumps(d) for d in student_dependencies())))
    return out


def student_dependencies() -> list[str]:
    return [d for d in context.project_requirements() if context.requirement_name(d) not in INSTRUCTOR_ONLY]


def secrets_of(course: Path) -> list[str]:
    """Answer-key strings and the reference solutions' distinctive lines."""
    found = []
    for checks in sorted((course / "checks").glob("*.py")):
        spec = importlib.util.spec_from_file_location(f"handout_scan_{checks.stem.replace('-', '_')}", checks,
                                                      submodule_search_locations=[str(checks.parent)])
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        found += list(getattr(module, "SECRETS", []))
    shop = "\n".join(p.read_text() for p in Path(labs.__file__).parent.rglob("*.py"))
    for nb in sorted((course / "source").glob("*/*.ipynb")):
        for cell in json.loads(nb.read_text())["cells"]:
            # an idiom the shop's own code uses too (`except requests.RequestException`) is no leak
            found += [line for line in _solution_lines("".join(cell["source"])) if line not in shop]
    return sorted(set(found))


def _solution_lines(source: str) -> list[str]:
    lines, inside = [], False
    for line in source.splitlines():
        if "BEGIN SOLUTION" in line:
            inside = True
        elif "END SOLUTION" in line:
            inside = False
        elif inside and len(line.strip()) >= MIN_LINE:
            lines.append(line.strip())
    return lines


def scan(folder: Path, secrets: list[str]) -> list[str]:
    """Every problem found: a file that must not be there, or a secret inside a file."""
    problems = []
    needles = [*MARKERS, *secrets]
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        rel = path.relative_to(folder)
        if path.name == "gradebook.db" or "microlab_grading" in rel.parts or "autograder" in rel.parts:
            problems.append(f"{rel}: an instructor's file")
            continue
        text = path.read_text(errors="ignore")
        if path.suffix == ".ipynb":  # JSON escapes quotes: compare with the cells' own text
            text += "\n".join("".join(c.get("source", "")) for c in json.loads(text).get("cells", []))
        problems += [f"{rel}: holds {n[:60]!r}" for n in needles if n in text]
    return problems
