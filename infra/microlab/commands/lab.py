"""The lab's own subcommands: up, status, url, logs, down, doctor."""
from __future__ import annotations

from microlab.lab import Lab
from microlab.topology import STACKS


def _lab(args) -> Lab:
    return Lab(backend=args.backend, name=args.lab)


def add_commands(sub) -> None:
    p = sub.add_parser("up", help="start a stack and wait until every component is healthy")
    p.add_argument("stack", nargs="?", default="services", choices=list(STACKS))
    p.set_defaults(run=lambda a: print(_lab(a).up(a.stack).status()))

    p = sub.add_parser("status", help="what is running, where, and whether it is healthy")
    p.set_defaults(run=lambda a: print(_lab(a).status()))

    p = sub.add_parser("url", help="the host URL of a running component")
    p.add_argument("name")
    p.set_defaults(run=lambda a: print(_lab(a).url(a.name)))

    p = sub.add_parser("logs", help="the last lines of a component's log")
    p.add_argument("name")
    p.add_argument("--tail", type=int, default=50)
    p.set_defaults(run=lambda a: print(_lab(a).logs(a.name, tail=a.tail)))

    p = sub.add_parser("down", help="stop and remove everything the lab started")
    p.add_argument("--all", action="store_true", help="sweep every microlab-labelled resource")
    p.set_defaults(run=_down)

    p = sub.add_parser("doctor", help="check this machine: Python, Docker, ports, chosen backend")
    p.set_defaults(run=lambda a: __import__("microlab.doctor", fromlist=["run"]).run(a))


def _down(args) -> None:
    if args.all:
        from microlab.sweep import sweep_all

        sweep_all()
    else:
        _lab(args).down()
