"""`microlab grade handout OUT_DIR`: what a graded class gets, and nothing the grader keeps.

The handout holds the released notebooks, the shop (`labs`), the runtime (`microlab`, with
the visible self-checks), and a README, Makefile, pyproject and environment.yml of its own
whose `make lab` works from that folder alone. No solution, grader check, answer key, grader
test, authoring file or grading package: `build()` scans what it wrote and refuses a handout
that holds any (the handout test also scans the wheel built from it).
"""
from __future__ import annotations

import importlib.util
import json
import shutil
import tomllib
from pathlib import Path

import labs
import microlab
from microlab.docker import context
from microlab.errors import LabError
from microlab_grading import paths

INSTRUCTOR_ONLY = {"nbgrader"}  # dependencies a student's JupyterLab must not show (Formgrader)
SKIP = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints")
TEMPLATES = Path(__file__).parent / "handout_files"
MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS")
MIN_LINE = 25  # a solution line this long is distinctive enough to look for


def build(out: Path, course: Path | None = None, notebooks: Path | None = None) -> Path:
    """`notebooks`: the released notebooks (default: notebooks/ beside the course, as
    `microlab grade release` writes it, else the checkout's)."""
    course = course or paths.course_dir()
    notebooks = notebooks or next(p for p in (paths.notebooks_dir(course), paths.notebooks_dir()) if p.is_dir())
    if not context.PYPROJECT.is_file():
        raise LabError("the handout is built from a microlab checkout (its pyproject.toml and "
                       f"environment.yml); found none at {context.PYPROJECT.parent}")
    if out.exists() and any(out.iterdir()):
        raise LabError(f"{out} is not empty: give a new folder for the handout")
    out.mkdir(parents=True, exist_ok=True)
    # the released notebooks only: a file a student's (or a test's) run wrote beside them, such
    # as 04's orders_per_user.py written with the reference answer, is no part of the handout
    (out / "notebooks").mkdir(parents=True)
    for released in sorted(notebooks.glob("*.ipynb")):
        shutil.copy2(released, out / "notebooks" / released.name)
    shutil.copytree(Path(labs.__file__).parent, out / "labs", ignore=SKIP)
    shutil.copytree(Path(microlab.__file__).parent, out / "microlab", ignore=SKIP)
    shutil.copy2(TEMPLATES / "Makefile", out / "Makefile")
    (out / "README.md").write_text(_fill(TEMPLATES / "README.md", notebooks=_notebook_list(out / "notebooks")))
    (out / "pyproject.toml").write_text(_pyproject())
    # the conda route installs the handout itself: it has no [dev] extra (no test tools)
    (out / "environment.yml").write_text((context.PYPROJECT.parent / "environment.yml").read_text().replace(
        "-e .[dev]", "-e ."))
    leaks = scan(out, secrets_of(course))
    if leaks:  # never hand this out: say what leaked, and leave it for the instructor to look at
        raise LabError(f"the handout in {out} holds what students must not see:\n  " + "\n  ".join(leaks))
    return out


def _pyproject() -> str:
    """The handout's own: the project's dependencies and the runtime's data files, read from
    the project's pyproject.toml so the two never drift apart."""
    project = tomllib.loads(context.PYPROJECT.read_text())
    data = project["tool"]["setuptools"]["package-data"]["microlab"]
    return _fill(TEMPLATES / "pyproject.toml.in", dependencies=",\n  ".join(json.dumps(d) for d in student_dependencies()),
                 microlab_data=json.dumps(data))


def _fill(template: Path, **values: str) -> str:
    text = template.read_text()
    for key, value in values.items():
        text = text.replace("{" + key + "}", value)
    return text


def _notebook_list(folder: Path) -> str:
    """One line per notebook: its file name and its title (the first line of its first cell)."""
    lines = []
    for nb in sorted(folder.glob("*.ipynb")):
        title = "".join(json.loads(nb.read_text())["cells"][0]["source"]).splitlines()[0].lstrip("# ")
        lines.append(f"- `{nb.name}`: {title}")
    return "\n".join(lines)


def student_dependencies() -> list[str]:
    """The project's dependencies minus the instructor's tools."""
    return [d for d in context.project_requirements() if context.requirement_name(d) not in INSTRUCTOR_ONLY]


def shown_text(cells: list) -> str:
    """What an assignment's own text shows (its markdown cells that are no answers): a line
    quoted there (04 quotes the course text's producer) is public, even in a solution."""
    return "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown"
                     and not c.get("metadata", {}).get("nbgrader", {}).get("solution"))


def secrets_of(course: Path) -> list[str]:
    """Answer-key strings (each checks module's SECRETS) and the reference solutions'
    distinctive lines."""
    found = []
    for checks in sorted((course / "checks").glob("*.py")):
        found += list(getattr(_load(checks), "SECRETS", []))
    public = [*Path(labs.__file__).parent.rglob("*.py"), *Path(microlab.__file__).parent.rglob("*.py"),
              *_gateway_configs()]
    shop = "\n".join(p.read_text() for p in public)
    for nb in sorted((course / "source").glob("*/*.ipynb")):
        cells = json.loads(nb.read_text())["cells"]
        shown = shown_text(cells)
        for cell in cells:
            # an idiom the shop's or microlab's own code uses too (`response.raise_for_status()`),
            # or a line of the gateway configs it ships (`url: http://order-service:8080/orders`)
            # gives nothing away, and the handout must hold them
            found += [line for line in solution_lines("".join(cell["source"]))
                      if line not in shop and line not in shown]
    return sorted(set(found))


def _gateway_configs() -> list[Path]:
    """The kong.yml files the runtime ships (the services' gateway, the BFFs, the course's example)."""
    return sorted((Path(microlab.__file__).parent / "gateway").rglob("*.yml"))


def _load(path: Path):
    name = f"handout_scan_{path.stem.replace('-', '_')}"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def solution_lines(source: str) -> list[str]:
    """The stripped lines of at least MIN_LINE characters between the solution markers."""
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
        if _instructors(rel):
            problems.append(f"{rel}: an instructor's file")
            continue
        text = path.read_text(errors="ignore")
        if path.suffix == ".ipynb":  # JSON escapes quotes: search the cells' own text too
            text += "\n".join("".join(c.get("source", "")) for c in json.loads(text).get("cells", []))
        problems += [f"{rel}: holds {n[:60]!r}" for n in needles if n in text]
    return problems


def _instructors(rel: Path) -> bool:
    folders = rel.parts[:-1]
    return (rel.name == "gradebook.db" or "microlab_grading" in folders or "autograder" in folders
            or (rel.suffix == ".ipynb" and "source" in folders))
