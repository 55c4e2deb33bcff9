"""What every backend offers the Lab API, and the status rows it reports.

Every capability a caller needs is declared here and implemented by both backends, so no
caller probes a backend with getattr or reads its private state.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass

from microlab import deployment, state
from microlab.errors import LabError
from microlab.topology import Component, UnknownName, all_components

Report = Callable[[str], None]  # where progress lines go: print, or nothing when quiet


@dataclass
class ComponentStatus:
    name: str
    kind: str
    state: str  # "healthy" | "unhealthy" | "exited" | "stopped" | "starting"
    url: str | None = None
    detail: str = ""  # pid, container id, image, "embedded gateway (no Kong image)" ...


@dataclass(frozen=True)
class Owned:
    """One thing a lab started and must stop: a process group or a container."""

    component: str
    kind: str  # "process" | "container"
    ident: str  # the pid of the process group's leader, or the container id


class Backend(ABC):
    """One way of running components. State lives outside the object (a state file, the
    engine's labels) so that another process (the CLI, a restarted kernel) can find and
    stop what this one started."""

    name: str

    def __init__(self, lab_id: str):
        self.lab_id = lab_id

    @abstractmethod
    def up(self, components: tuple[Component, ...], stack: str, report: Report = print) -> None:
        """Start what is not running yet; return when every component is ready."""

    @abstractmethod
    def address(self, name: str) -> tuple[str, int]:
        """(host, port) where the host machine reaches a running component."""

    @abstractmethod
    def admin_address(self, name: str) -> tuple[str, int]:
        """(host, port) of a running gateway's admin API (Kong's DB-less `POST /config`)."""

    @abstractmethod
    def owned(self) -> list[Owned]:
        """Every process group or container this lab has started and not yet removed."""

    @abstractmethod
    def status(self) -> list[ComponentStatus]: ...

    @abstractmethod
    def logs(self, name: str, tail: int = 50) -> str: ...

    @abstractmethod
    def stop(self, name: str) -> None:
        """Stop one component on purpose (a service outage); `up` starts it again."""

    @abstractmethod
    def down(self) -> None:
        """Stop and remove everything this lab started. Must not raise on a dead lab."""

    @abstractmethod
    def database_url(self, service: str) -> str:
        """SQLAlchemy URL of a service's own database, reachable from the host."""

    # -- the lab's components: the topology's, and the ones lab.deploy() added ----------
    def components(self) -> dict[str, Component]:
        return {**all_components(), **deployment.recorded(self.lab_id)}

    def component(self, name: str) -> Component:
        known = self.components()
        if name not in known:
            raise UnknownName(f"unknown component {name!r}; valid names: {', '.join(sorted(known))}")
        return known[name]

    def record_deployed(self, c: Component) -> None:
        """Remember a deployed component in the lab's state file (read by both backends)."""
        st = state.load_lab(self.lab_id) or state.LabState(backend=self.name)
        st.deployed[c.name] = deployment.to_record(c)
        state.save_lab(self.lab_id, st)

    def forget_deployed(self, name: str) -> None:
        st = state.load_lab(self.lab_id)
        if st is not None and st.deployed.pop(name, None) is not None:
            st.ports.pop(name, None)
            state.save_lab(self.lab_id, st)

    @abstractmethod
    def remove(self, name: str) -> None:
        """Stop a deployed component and remove it, its database included (lab.undeploy)."""

    def _not_running(self, name: str, running: list[str]) -> LabError:
        return LabError(f"{name} is not running in lab {self.lab_id!r} (running: "
                        f"{', '.join(running) or 'nothing'}); start it with lab.up(...)")
