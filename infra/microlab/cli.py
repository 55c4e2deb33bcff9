"""`microlab ...`: a thin shell over the same `Lab` API the notebooks use.

Each area of microlab adds its own subcommands through a module with
`add_commands(subparsers)`; COMMANDS lists them.
"""
from __future__ import annotations

import argparse
import sys

from microlab.commands import docker, gateway, grade, lab
from microlab.errors import LabError
from microlab.topology import UnknownName

COMMANDS = (lab, docker, gateway, grade)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="microlab", description=__doc__.splitlines()[0])
    parser.add_argument("--lab", default="default", help="lab name (labs side by side need different names)")
    parser.add_argument("--backend", default="auto", choices=["auto", "local", "docker"])
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in COMMANDS:
        module.add_commands(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.run(args) or 0
    except (LabError, UnknownName) as exc:
        print(f"microlab: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("microlab: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
