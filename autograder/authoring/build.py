"""Write the source notebooks: python autograder/authoring/build.py [01-monolith ...]"""
from __future__ import annotations

import importlib
import sys
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent
SOURCE = HERE.parent / "source"
MODULES = {"01-monolith": "lab01", "02-decomposition": "lab02", "03-sync-communication": "lab03",
           "04-async-messaging": "lab04", "05-database-per-service": "lab05", "06-api-gateway": "lab06",
           "07-operating-microservices": "lab07"}


def main(only: list[str]) -> None:
    sys.path.insert(0, str(HERE))
    for assignment, module in MODULES.items():
        if only and assignment not in only and module not in only:
            continue
        nb = importlib.import_module(module).notebook().build()
        out = SOURCE / assignment / f"{assignment}.ipynb"
        out.parent.mkdir(parents=True, exist_ok=True)
        nbformat.validate(nb)
        nbformat.write(nb, out)
        print(f"wrote {out.relative_to(HERE.parent.parent)}")


if __name__ == "__main__":
    main(sys.argv[1:])  # nothing: every notebook; else the assignments or modules named
