"""`microlab ...`: a thin shell over the same `Lab` API the notebooks use.

Each area of microlab adds its own subcommands through a module with
`add_commands(subparsers)`; COMMANDS lists them. `--lab` and `--backend` are accepted
before or after any subcommand (`microlab --lab lab01 status`, `microlab status --lab lab01`).
"""
from __future__ import annotations

import argparse
import sys

from microlab.commands import docker, gateway, grade, lab
from microlab.errors import LabError
from microlab.settings import BACKENDS
from microlab.topology import UnknownName

COMMANDS = (lab, docker, gateway, grade)
DEFAULT_LAB = "default"


class _Parser(argparse.ArgumentParser):
    """Every parser, subcommands' included (argparse makes them of the parent's class), knows
    the global options. Below the top their default is SUPPRESS: a subcommand that is not
    given --lab leaves the value from before the subcommand alone."""

    def __init__(self, *args, top: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        unset = None if top else argparse.SUPPRESS
        self.add_argument("--lab", default=unset, metavar="NAME",
                          help=f"which lab (default: {DEFAULT_LAB!r}; `status` without it lists every lab)")
        self.add_argument("--backend", default="auto" if top else argparse.SUPPRESS, choices=BACKENDS)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="microlab", description=__doc__.splitlines()[0], top=True)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in COMMANDS:
        module.add_commands(sub)
    return parser


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    args = build_parser().parse_args(argv)
    args.lab_given = args.lab is not None
    args.lab = args.lab or DEFAULT_LAB
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
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
