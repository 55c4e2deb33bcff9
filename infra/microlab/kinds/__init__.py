"""Everything about one component kind in one place: for each kind, its module gives the
local launch spec and the container spec side by side, with their constants.

Each module offers IMAGE_ROLE, `ready(component)` (a check of the host port, shared by both
backends), `launch(component, port, ctx)` and `container(component, ctx)`. The registry is
this plain dict: a kind is known because it is listed here, not because a module happened
to be imported.
"""
from __future__ import annotations

from types import ModuleType

from microlab.errors import LabError
from microlab.kinds import broker, deployed, gateway, service
from microlab.topology import Component

KINDS: dict[str, ModuleType] = {"service": service, "broker": broker, "gateway": gateway,
                                "deployed": deployed}


def of(component: Component) -> ModuleType:
    try:
        return KINDS[component.kind]
    except KeyError:
        raise LabError(f"{component.name} is of kind {component.kind!r}, which microlab cannot run; "
                       f"known kinds: {', '.join(KINDS)}") from None
