"""`microlab gateway validate|apply|url`: the API gateway's kong.yml from the shell."""
from __future__ import annotations

import sys


def _validate(args) -> int:
    from microlab.gateway.validation import validate

    report = validate(args.file)
    print(report, file=sys.stdout if report.ok else sys.stderr)
    return 0 if report.ok else 1


def _apply(args) -> int:
    from microlab.gateway.api import GatewayConfigError
    from microlab.lab import Lab

    lab = Lab(backend=args.backend, name=args.lab, quiet=True)
    try:
        report = lab.gateway(args.name).apply(args.file)
    except GatewayConfigError as exc:
        print(f"microlab: {exc}", file=sys.stderr)
        return 1
    print(f"{args.name}: applied {args.file}" + "".join(f"\n  note: {n}" for n in report.notes))
    return 0


def add_commands(sub) -> None:
    p = sub.add_parser("gateway", help="validate or hot-apply a kong.yml (Kong declarative config)")
    gsub = p.add_subparsers(dest="gateway_command", required=True, metavar="ACTION")

    v = gsub.add_parser("validate", help="list every problem in a kong.yml (exit 1 if any)")
    v.add_argument("file")
    v.set_defaults(run=_validate)

    a = gsub.add_parser("apply", help="load a kong.yml into the running gateway (invalid: refused)")
    a.add_argument("file")
    a.add_argument("--name", default="gateway", help="which gateway (e.g. web-gateway, mobile-gateway)")
    a.set_defaults(run=_apply)

    u = gsub.add_parser("url", help="the gateway's proxy URL")
    u.add_argument("--name", default="gateway")
    u.set_defaults(run=lambda a: print(__import__("microlab.lab", fromlist=["Lab"]).Lab(
        backend=a.backend, name=a.lab, quiet=True).gateway(a.name).url))

