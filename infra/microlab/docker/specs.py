"""Topology components -> container specs, from each kind's own module (microlab.kinds).

The backend and `microlab compose` both read these specs, so the containers a lab runs
and the compose file a student writes cannot drift apart.
"""
from __future__ import annotations

from microlab import kinds
from microlab.kinds import database
from microlab.kinds.spec import ContainerSpec, SpecContext
from microlab.topology import Component


def roles_for(components: tuple[Component, ...]) -> set[str]:
    """The image roles a set of components needs (decided before the image set is)."""
    roles = {database.IMAGE_ROLE} if any(c.database for c in components) else set()
    return roles | {kinds.of(c).IMAGE_ROLE for c in components}


def spec_for(c: Component, ctx: SpecContext) -> ContainerSpec:
    return kinds.of(c).container(c, ctx)


def specs_for(components: tuple[Component, ...], ctx: SpecContext) -> list[ContainerSpec]:
    """Every container the components need: each service's own database first."""
    out = []
    for c in components:
        if c.database is not None:
            out.append(database.container(c.database, c, ctx))
        out.append(spec_for(c, ctx))
    return out


def database_owners(components: dict[str, Component]) -> dict[str, Component]:
    """database container name -> the service that owns it."""
    return {c.database.name: c for c in components.values() if c.database is not None}
