"""Loading an assignment's checks package (checks/lab0N/ beside checks/0N-name.py) by path: the
course's checks are no installed package, and their modules import each other relatively."""
from __future__ import annotations

import importlib
import importlib.util
import sys
from pathlib import Path
from types import ModuleType


def load(beside: str, folder: str, parts: tuple[str, ...]) -> list[ModuleType]:
    """The modules `parts` of the package `folder` next to the file `beside`."""
    path = Path(beside).with_name(folder)
    name = f"course_checks_{folder}"
    spec = importlib.util.spec_from_file_location(name, path / "__init__.py", submodule_search_locations=[str(path)])
    package = importlib.util.module_from_spec(spec)
    sys.modules[name] = package
    spec.loader.exec_module(package)
    return [importlib.import_module(f"{name}.{part}") for part in parts]
