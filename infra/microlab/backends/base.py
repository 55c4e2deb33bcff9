"""What every backend offers the Lab API, and the status rows it reports."""
from __future__ import annotations

import os
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path

from microlab.topology import Component


class LabError(RuntimeError):
    """An error a user can act on; its message says what happened and what to do."""


@dataclass
class ComponentStatus:
    name: str
    kind: str
    state: str  # "healthy" | "unhealthy" | "exited" | "stopped" | "starting"
    url: str | None = None
    detail: str = ""  # pid, container id, image, "embedded gateway (no Kong image)" ...


def microlab_home() -> Path:
    """Where labs keep state, logs and data; the same for every process of the user."""
    return Path(os.environ.get("MICROLAB_HOME", Path.home() / ".microlab"))


def lab_dir(lab_id: str) -> Path:
    return microlab_home() / "labs" / lab_id


class Backend(ABC):
    """One way of running components. State lives outside the object so that another
    process (the CLI, a restarted kernel) can find and stop what this one started."""

    name: str

    def __init__(self, lab_id: str):
        self.lab_id = lab_id

    @abstractmethod
    def up(self, components: tuple[Component, ...], stack: str) -> None:
        """Start what is not running yet; return when every component is ready."""

    @abstractmethod
    def address(self, name: str) -> tuple[str, int]:
        """(host, port) where the host machine reaches a running component."""

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

    def running_names(self) -> list[str]:
        return [s.name for s in self.status()]
