"""The lab's own subcommands: up, status, url, logs, down, doctor."""
from __future__ import annotations

import sys

from microlab.errors import LabError
from microlab.lab import Lab
from microlab.topology import STACKS

DOWN_STATES = ("exited", "stopped")


def _lab(args, quiet: bool = False) -> Lab:
    return Lab(backend=args.backend, name=args.lab, quiet=quiet)


def add_commands(sub) -> None:
    p = sub.add_parser("up", help="start a stack and wait until every component is healthy")
    p.add_argument("stack", nargs="?", default="services", choices=list(STACKS))
    p.set_defaults(run=lambda a: print(_lab(a).up(a.stack).status()))

    p = sub.add_parser("status", help="what is running, where, and whether it is healthy "
                                      "(every lab of yours; --lab NAME: that one)")
    p.set_defaults(run=_status)

    p = sub.add_parser("url", help="the host URL of a running component")
    p.add_argument("name")
    p.set_defaults(run=lambda a: print(_lab(a).url(a.name)))

    p = sub.add_parser("logs", help="the last lines of a component's log (health checks and "
                                    "Kafka metadata refreshes left out; --all keeps them)")
    p.add_argument("name")
    p.add_argument("--tail", type=int, default=50)
    p.add_argument("--all", action="store_true", help="every line, health checks included")
    p.set_defaults(run=_logs)

    p = sub.add_parser("down", help="stop and remove everything the lab started")
    p.add_argument("--all", action="store_true", help="stop every lab of yours (this user, this MICROLAB_HOME)")
    p.set_defaults(run=_down)

    p = sub.add_parser("doctor", help="check this machine: Python, Docker, ports, chosen backend")
    p.set_defaults(run=lambda a: __import__("microlab.doctor", fromlist=["run"]).run(a))


def _status(args) -> None:
    if args.lab_given:
        print(_lab(args).status())
        return
    from microlab import roster, state

    reports = roster.running()
    if not reports:
        print(f"no lab is running (labs under {state.labs_root()}; Docker labs of this user)")
    else:
        print("\n\n".join(str(r) for r in reports))


def _logs(args) -> int:
    """The log, then (on stderr, exit 1) a line saying so when the component is down."""
    from microlab import logfilter

    lab = _lab(args, quiet=True)
    try:
        text = lab.backend.logs(args.name, logfilter.lines_to_read(args.tail, args.all))
    except LabError as exc:
        raise LabError(f"{exc}{_other_labs(args)}") from None
    shown, hidden = logfilter.keep(text, args.tail, args.all)
    if shown:
        print(shown)
    row = next((r for r in lab.status() if r.name == args.name), None)
    if hidden:
        print(f"({hidden} health-check and Kafka metadata lines left out; --all shows them)",
              file=sys.stderr)
    if row is None or row.state in DOWN_STATES:
        why = (f"lab {args.lab!r} is not running it" if row is None
               else f"{row.state}: {row.detail}")
        print(f"microlab: {args.name} is down ({why}); above: the last lines it wrote",
              file=sys.stderr)
        return 1
    if not shown:
        print(f"({args.name} has written nothing else yet)", file=sys.stderr)
    return 0


def _other_labs(args) -> str:
    """A hint naming the labs that are running, when the one asked for is not among them."""
    from microlab import roster

    others = [r.lab for r in roster.running() if r.lab != args.lab]
    return f"\n  running labs of yours: {', '.join(others)} (choose one with --lab NAME)" if others else ""


def _down(args) -> None:
    if args.all:
        from microlab.sweep import sweep_all

        sweep_all()
        return
    lab = _lab(args)
    if not lab.backend.owned():
        lab.backend.down()  # a stale state file goes too
        print(f"lab {args.lab!r}: nothing was running")
    else:
        lab.down()
