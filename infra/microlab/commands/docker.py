"""Docker subcommands: `microlab compose` and `microlab images build`."""
from __future__ import annotations

import sys

from microlab.topology import STACKS, stack


def _stderr(message: str) -> None:
    print(message, file=sys.stderr)


def add_commands(sub) -> None:
    p = sub.add_parser("compose", help="print a stack as a docker-compose file "
                                       "(microlab compose > docker-compose.yml)")
    p.add_argument("stack", nargs="?", default="services", choices=list(STACKS))
    p.add_argument("--no-build", action="store_true",
                   help="name the images without building or pulling them")
    p.add_argument("--port-base", type=int, default=None,
                   help="first host port on 127.0.0.1 (default MICROLAB_PORT_BASE or 18000)")
    p.set_defaults(run=_compose)

    p = sub.add_parser("images", help="the Docker images a lab runs")
    images_sub = p.add_subparsers(dest="images_command", required=True, metavar="ACTION")
    b = images_sub.add_parser("build", help="build or pull every image a stack needs, now")
    b.add_argument("stacks", nargs="*", default=list(STACKS), help="stacks (default: all)")
    b.set_defaults(run=_images_build)


def _components(names: list[str]):
    found = {}
    for name in names:
        for c in stack(name):
            found[c.name] = c
    return tuple(found.values())


def _compose(args) -> None:
    from microlab.docker import compose, engine, images, specs

    components = stack(args.stack)
    roles = specs.roles_for(components)
    if args.no_build:
        image_set = images.requested_set()
        image_set = "offline" if image_set == "auto" else image_set
        refs = images.planned_refs(roles, image_set)
    else:
        choice = images.ensure(engine.client(), roles, report=_stderr)
        image_set, refs = choice.set, choice.refs
    print(compose.render(components, args.stack, args.lab, refs, image_set, args.port_base,
                         built=not args.no_build), end="")


def _images_build(args) -> None:
    import time

    from microlab.docker import engine, images, specs

    started = time.monotonic()
    roles = specs.roles_for(_components(args.stacks))
    choice = images.ensure(engine.client(), roles, report=print)
    print(f"{choice.set} image set ready in {time.monotonic() - started:.1f} s:")
    for role, ref in sorted(choice.refs.items()):
        print(f"  {role:<10} {ref}")
