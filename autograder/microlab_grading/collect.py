"""Collecting submissions into the course: from a folder or a zip, in the layouts LMSs produce.

Accepted layouts (the student id is the first path part, or the file name's stem):
  <root>/<student>/<assignment>/<notebook>.ipynb     (nbgrader's own)
  <root>/<student>/<anything>.ipynb
  <root>/<student>.ipynb
Each student's single notebook is stored as submitted/<student>/<assignment>/<assignment>.ipynb.
"""
from __future__ import annotations

import json
import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

STUDENT_ID = re.compile(r"[^A-Za-z0-9_.-]+")


@dataclass
class Collected:
    students: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)  # path -> why


def _student_id(raw: str) -> str:
    return STUDENT_ID.sub("_", raw).strip("._") or "anonymous"


def _safe_extract(archive: Path, target: Path) -> None:
    with zipfile.ZipFile(archive) as zf:
        for member in zf.infolist():
            parts = PurePosixPath(member.filename).parts
            if member.filename.startswith("/") or ".." in parts:
                raise ValueError(f"{archive.name}: refusing unsafe path {member.filename!r}")
        zf.extractall(target)


def _readable_notebook(path: Path) -> str | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        return f"not a readable notebook ({type(exc).__name__})"
    if not isinstance(data, dict) or "cells" not in data:
        return "not a notebook (no cells)"
    return None


def collect(source: Path, assignment: str, course: Path) -> Collected:
    source = Path(source)
    if not source.exists():
        raise FileNotFoundError(f"no such folder or zip: {source}")
    if source.is_file():
        if not zipfile.is_zipfile(source):
            raise ValueError(f"{source} is neither a folder nor a zip file")
        with tempfile.TemporaryDirectory() as tmp:
            _safe_extract(source, Path(tmp))
            return _collect_folder(Path(tmp), assignment, course)
    return _collect_folder(source, assignment, course)


def _collect_folder(root: Path, assignment: str, course: Path) -> Collected:
    result = Collected()
    by_student: dict[str, list[Path]] = {}
    for nb in sorted(root.rglob("*.ipynb")):
        rel = nb.relative_to(root)
        if ".ipynb_checkpoints" in rel.parts or "__MACOSX" in rel.parts:
            continue
        student = _student_id(rel.parts[0] if len(rel.parts) > 1 else nb.stem)
        by_student.setdefault(student, []).append(nb)
    for student, notebooks in sorted(by_student.items()):
        if len(notebooks) > 1:
            for nb in notebooks:
                result.skipped[str(nb.relative_to(root))] = f"{student} handed in {len(notebooks)} notebooks"
            continue
        problem = _readable_notebook(notebooks[0])
        if problem:
            result.skipped[str(notebooks[0].relative_to(root))] = problem
            continue
        target = course / "submitted" / student / assignment
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(parents=True)
        shutil.copy2(notebooks[0], target / f"{assignment}.ipynb")
        result.students.append(student)
    return result
