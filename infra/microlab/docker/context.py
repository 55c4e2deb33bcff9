"""What goes into the service image: the shop's dependencies and the current code.

The code layer is a thin `docker build` on top of a base that already has the
dependencies, so a change in labs/ rebuilds in seconds while the base stays cached.
"""
from __future__ import annotations

import hashlib
import importlib.metadata
import io
import re
import tarfile
import tomllib
from pathlib import Path

from packaging.requirements import Requirement  # jupyterlab, a dependency, brings it

import labs
import microlab

# Notebook and grading tools: the host needs them, a service container does not.
NOT_IN_IMAGE = {"jupyterlab", "ipywidgets", "matplotlib", "nbgrader", "nbclient"}
_SKIP_DIRS = {"__pycache__", ".ipynb_checkpoints", ".pytest_cache", "node_modules"}
_MAX_FILE = 5 * 1024 * 1024  # caches of jars or data files never belong in the image

PACKAGE = Path(microlab.__file__).resolve().parent
LABS = Path(labs.__file__).resolve().parent
IMAGES = PACKAGE / "images"
PYPROJECT = LABS.parent / "pyproject.toml"  # next to labs/ in a checkout; absent when installed


def project_requirements() -> list[str]:
    """Every runtime dependency of the project, from pyproject.toml in a checkout (always
    current) or the installed metadata otherwise.

    In the canonical form the metadata writes (sorted specifiers, double-quoted markers):
    the python base's tag digests these, so the same dependencies must give the same tag
    whichever source they were read from."""
    if PYPROJECT.exists():
        deps = tomllib.loads(PYPROJECT.read_text())["project"]["dependencies"]
    else:
        deps = [d for d in importlib.metadata.requires("microlab") or [] if "extra ==" not in d]
    return sorted(str(Requirement(d)) for d in deps)


def requirements() -> list[str]:
    """What the service image needs: the project's dependencies minus the notebook tools."""
    return [d for d in project_requirements() if requirement_name(d) not in NOT_IN_IMAGE]


def requirement_name(requirement: str) -> str:
    return re.split(r"[\[<>=!~; ]", requirement, maxsplit=1)[0].strip().lower()


def _code_files() -> list[tuple[str, Path]]:
    """(path inside /app, file on disk) for the `labs` and `microlab` packages."""
    out = []
    for root, arcroot in ((LABS, "labs"), (PACKAGE, "microlab")):
        for path in sorted(root.rglob("*")):
            rel = path.relative_to(root)
            if any(part in _SKIP_DIRS for part in rel.parts) or not path.is_file():
                continue
            if path.suffix in {".pyc", ".log"} or path.stat().st_size > _MAX_FILE:
                continue
            out.append((f"{arcroot}/{rel.as_posix()}", path))
    return out


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes, mode: int = 0o644) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mode = len(data), mode
    tar.addfile(info, io.BytesIO(data))


def build_context(dockerfile: str, with_code: bool = False, files: dict[str, bytes] | None = None
                  ) -> tuple[io.BytesIO, str]:
    """An in-memory tar for `docker build` and a digest of everything in it."""
    digest = hashlib.sha256()
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        entries = {"Dockerfile": dockerfile.encode(), **(files or {})}
        for name, data in sorted(entries.items()):
            _add_bytes(tar, name, data, 0o755 if name.endswith(".sh") else 0o644)
            digest.update(name.encode() + b"\0" + data)
        if with_code:
            for arcname, path in _code_files():
                data = path.read_bytes()
                _add_bytes(tar, arcname, data)
                digest.update(arcname.encode() + b"\0" + data)
    buf.seek(0)
    return buf, digest.hexdigest()[:12]


def digest_of(*parts: str | bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode() if isinstance(part, str) else part)
        digest.update(b"\0")
    return digest.hexdigest()[:12]
