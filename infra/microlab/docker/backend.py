"""`Lab(backend="docker")`: the shop as real containers on one bridge network per lab.

Each service runs next to its own PostgreSQL container and is given only that
database's address and credentials. Containers reach each other by name
(http://user-service:8080); the host reaches them through ports published on 127.0.0.1.
Everything carries the lab's label: another process finds, reports and removes the lab by
it. The lab's state file only records that this lab runs on Docker, so that
Lab(backend="auto") in another process picks the same backend.
"""
from __future__ import annotations

import time
from dataclasses import replace

from docker.errors import APIError

from microlab import state
from microlab.backends.base import Backend, ComponentStatus, Owned, Report
from microlab.docker import containers, engine, images, naming, specs
from microlab.errors import LabError
from microlab.kinds import database, gateway
from microlab.kinds.spec import ContainerSpec, SpecContext
from microlab.status import address, topology_order
from microlab.topology import Component, start_after


class DockerBackend(Backend):
    name = "docker"

    @property
    def client(self):
        return engine.client()

    # -- up --------------------------------------------------------------------------
    def up(self, components: tuple[Component, ...], stack: str, report: Report = print) -> None:
        roles = specs.roles_for(components)
        choice = images.ensure(self.client, roles, report)
        ctx = SpecContext(self.lab_id, choice.set, self.components())
        wanted = waits_only_for(specs.specs_for(components, ctx), start_after(components))
        network = self._network()
        st = state.load_lab(self.lab_id) or state.LabState(backend=self.name)
        st.backend, st.stack = self.name, stack  # deployed components and the token stay
        state.save_lab(self.lab_id, st)
        starter = containers.Starter(self.client, self.lab_id, network, choice.refs, choice.set, report)
        starter.start_all(wanted)

    def _network(self) -> str:
        name = naming.network(self.lab_id)
        if not self.client.networks.list(names=[name], filters=naming.lab_filter(self.lab_id)):
            try:
                self.client.networks.create(name, driver="bridge", labels=naming.labels(self.lab_id))
            except APIError as exc:
                raise LabError(f"could not create the lab network {name}: {exc.explanation}") from None
        return name

    # -- queries ---------------------------------------------------------------------
    def _container(self, name: str):
        self._check_name(name)
        container = containers.find(self.client, self.lab_id, name)
        if container is None or container.status != "running":
            raise self._not_running(name, [s.name for s in self.status() if s.state != "exited"])
        return container

    def address(self, name: str) -> tuple[str, int]:
        container = self._container(name)
        port = containers.host_port(container, self._spec(name, container).port)
        if port is None:
            raise LabError(f"{name} has no port published on 127.0.0.1")
        return "127.0.0.1", port

    def admin_address(self, name: str) -> tuple[str, int]:
        if self.component(name).kind != "gateway":
            raise LabError(f"{name} is not a gateway: only gateways have an admin API")
        port = containers.host_port(self._container(name), gateway.ADMIN_PORT)
        if port is None:
            raise LabError(f"{name} has no admin port published on 127.0.0.1")
        return "127.0.0.1", port

    def owned(self) -> list[Owned]:
        found = self.client.containers.list(all=True, filters=naming.lab_filter(self.lab_id))
        return [Owned(c.labels.get(naming.COMPONENT, "?"), "container", c.id) for c in found]

    def database_url(self, name: str) -> str:
        """How the host reaches a service's own database, with that service's credentials."""
        c = self.component(name)
        if c.database is None:
            raise LabError(f"{name} has no database of its own")
        _, port = self.address(c.database.name)
        return database.url(c.database, "127.0.0.1", port)

    def status(self) -> list[ComponentStatus]:
        found = self.client.containers.list(all=True, filters=naming.lab_filter(self.lab_id))
        return topology_order([r for r in map(self._row, found) if r is not None])

    def _row(self, container) -> ComponentStatus | None:
        name = container.labels.get(naming.COMPONENT, "?")
        kind = container.labels.get(naming.KIND, "?")
        try:
            spec = self._spec(name, container)
        except (LabError, ValueError):
            return None  # a component this version of microlab no longer knows
        run = container.attrs["State"]
        if container.status != "running" or run.get("Restarting"):
            # crashed, killed or stopped: never "starting", whatever Docker's health says
            return ComponentStatus(name, kind, "exited", None, f"{container.status} (exit code "
                                   f"{run.get('ExitCode')}); lab.up() replaces it")
        health = (run.get("Health") or {}).get("Status", "none")
        port = containers.host_port(container, spec.port)
        url = address(kind, "127.0.0.1", port) if port else None
        condition = "healthy" if port and _probe(spec, port) else (
            "starting" if health == "starting" else "unhealthy")
        detail = f"container {container.short_id}"
        if health != "starting" or condition != "healthy":  # Docker's first check runs after 5 s
            detail += f", docker health: {health}"
        if spec.detail:
            detail = f"{spec.detail}; {detail}"
        return ComponentStatus(name, kind, condition, url, detail)

    def logs(self, name: str, tail: int = 50) -> str:
        self._check_name(name)
        container = containers.find(self.client, self.lab_id, name)
        if container is None:  # removed, or never started: an empty answer would look like a quiet log
            raise self._not_running(name, [s.name for s in self.status() if s.state != "exited"])
        return container.logs(tail=tail).decode(errors="replace")

    def stop(self, name: str) -> None:
        self._check_name(name)
        container = containers.find(self.client, self.lab_id, name)
        if container is None:
            raise LabError(f"{name} is not running in lab {self.lab_id!r}")
        container.stop(timeout=5)

    def remove(self, name: str) -> None:
        c = self.component(name)
        for part in (name, c.database.name if c.database else None):
            found = containers.find(self.client, self.lab_id, part) if part else None
            if found is not None:
                found.remove(force=True, v=True)
        self.forget_deployed(name)

    # -- down ------------------------------------------------------------------------
    def down(self) -> None:
        containers.remove_lab(self.client, naming.lab_filter(self.lab_id))
        state.forget(self.lab_id)

    # -- helpers ---------------------------------------------------------------------
    def _check_name(self, name: str) -> None:
        if name not in specs.database_owners(self.components()):
            self.component(name)  # unknown names raise with the valid ones listed

    def _spec(self, name: str, container) -> ContainerSpec:
        image_set = container.labels.get(naming.IMAGE_SET, "offline")
        ctx = SpecContext(self.lab_id, image_set, self.components())
        owners = specs.database_owners(ctx.components)
        if name in owners:
            return database.container(owners[name].database, owners[name], ctx)
        return specs.spec_for(self.component(name), ctx)


def waits_only_for(wanted: list[ContainerSpec], after: dict[str, tuple[str, ...]]) -> list[ContainerSpec]:
    """The specs with depends_on cut down to what each must wait for before it starts
    (topology.start_after): a gateway no longer waits for its upstreams, as Kong does not.
    A component's own database stays (not in `after`); compose files keep the full list."""
    return [replace(s, depends_on=tuple(d for d in s.depends_on if d not in after or d in after[s.name]))
            if s.name in after else s for s in wanted]


def _probe(spec: ContainerSpec, port: int, tries: int = 3) -> bool:
    """One failed check on a loaded 2-core machine is not yet "unhealthy": ask again."""
    for attempt in range(tries):
        if spec.ready(port):
            return True
        time.sleep(0.2 * (attempt + 1))
    return False
