"""Testcontainers-style lifecycle of one lab's containers: create in dependency order
(independent ones in parallel), wait with an explicit strategy per kind, heal what died.
"""
from __future__ import annotations

import time
from concurrent.futures import Future, ThreadPoolExecutor

from docker.errors import APIError, NotFound

from microlab.errors import LabError
from microlab.docker import naming
from microlab.kinds.spec import ContainerSpec
from microlab.ports import can_listen, free_port
from microlab.status import address


def find(client, lab_id: str, name: str):
    """The lab's container for `name` (running or not), or None."""
    found = client.containers.list(all=True, filters=naming.lab_filter(lab_id, name))
    return found[0] if found else None


def host_port(container, port: int) -> int | None:
    bindings = (container.attrs["NetworkSettings"].get("Ports") or {}).get(f"{port}/tcp") or []
    for binding in bindings:
        if binding.get("HostIp") in ("127.0.0.1", "0.0.0.0", ""):
            return int(binding["HostPort"])
    return None


def bound_ports(container) -> dict[int, int]:
    """container port -> host port it was created with (kept while the container is stopped)."""
    found = {}
    for key, bindings in (container.attrs["HostConfig"].get("PortBindings") or {}).items():
        for binding in bindings or []:
            if binding.get("HostPort"):
                found[int(key.split("/")[0])] = int(binding["HostPort"])
    return found


def log_tail(container, lines: int = 20) -> str:
    try:
        text = container.logs(tail=lines).decode(errors="replace").rstrip()
    except (APIError, NotFound):
        text = ""
    return text or "(the container wrote nothing)"


class Starter:
    """Starts a list of specs on one lab network, each after the ones it depends on."""

    def __init__(self, client, lab_id: str, network: str, refs: dict[str, str], image_set: str,
                 report=print):
        self.client, self.lab_id, self.network = client, lab_id, network
        self.refs, self.image_set, self.report = refs, image_set, report
        self.previous_ports: dict[str, dict[int, int]] = {}

    def start_all(self, specs: list[ContainerSpec]) -> None:
        by_name = {s.name: s for s in specs}
        futures: dict[str, Future] = {}
        with ThreadPoolExecutor(max_workers=max(1, len(specs))) as pool:
            for spec in _dependency_order(specs):
                deps = [futures[d] for d in spec.depends_on if d in by_name]
                futures[spec.name] = pool.submit(self._start_after, deps, spec)
        errors = [f.exception() for f in futures.values() if f.exception() is not None]
        first = next((e for e in errors if not isinstance(e, _DependencyFailed)), None)
        if first is not None:
            raise first if isinstance(first, LabError) else LabError(f"starting the lab failed: {first}")

    def _start_after(self, deps: list[Future], spec: ContainerSpec) -> None:
        for dep in deps:
            if dep.exception() is not None:
                raise _DependencyFailed(spec.name)
        started = time.monotonic()
        container = find(self.client, self.lab_id, spec.name)
        if container is not None and container.status != "running":
            container = self._heal(container, spec)
        if container is None:
            container = self._create(spec)
        self._wait_ready(container, spec, started)

    def _heal(self, container, spec: ContainerSpec):
        """A stopped container: start it again when its data lives in it, else replace it
        (a new container also picks up a rebuilt image; volumes stay)."""
        if spec.restart_to_heal and container.status in ("exited", "created"):
            self.report(f"  {spec.name} is {container.status}: starting it again")
            try:
                container.start()
                return container
            except APIError as exc:
                self.report(f"  could not restart {spec.name} ({exc.explanation}); replacing it")
        else:
            self.report(f"  {spec.name} is {container.status}: replacing it")
        self.previous_ports[spec.name] = bound_ports(container)
        container.remove(force=True)
        return None

    def _host_ports(self, spec: ContainerSpec) -> dict[int, int]:
        """Explicit host ports, so that a restarted container keeps its URL (a notebook
        holds it), and a replaced one gets the old ports back while they are free."""
        before = self.previous_ports.get(spec.name, {})
        chosen = {}
        for port in (spec.port, *spec.extra_ports):
            old = before.get(port)
            chosen[port] = old if old and can_listen(old) else free_port()
        return chosen

    def _create(self, spec: ContainerSpec):
        c = self.client
        volumes = {}
        if spec.data_path:
            vol = naming.volume(self.lab_id, spec.name)
            c.volumes.create(vol, labels=naming.labels(self.lab_id, spec.name, spec.kind))
            volumes[vol] = {"bind": spec.data_path, "mode": "rw"}
        for host_file, inside in spec.files.items():
            volumes[host_file] = {"bind": inside, "mode": "ro"}
        host_ports = self._host_ports(spec)
        ports = {f"{p}/tcp": ("127.0.0.1", h) for p, h in host_ports.items()}
        env = {k: v.replace("{host_port}", str(host_ports[spec.port])) for k, v in spec.env.items()}
        try:
            return c.containers.run(
                self.refs[spec.role], spec.command, detach=True,
                name=naming.container(self.lab_id, spec.name), hostname=spec.name,
                environment=env, ports=ports, volumes=volumes, healthcheck=spec.health(),
                labels=naming.labels(self.lab_id, spec.name, spec.kind,
                                     **{naming.IMAGE_SET: self.image_set}),
                network=self.network,
                networking_config={self.network: c.api.create_endpoint_config(aliases=[spec.name])},
            )
        except APIError as exc:
            raise LabError(f"could not start {spec.name}: {exc.explanation or exc}") from None

    def _wait_ready(self, container, spec: ContainerSpec, started: float) -> None:
        container.reload()
        port = host_port(container, spec.port)
        deadline = started + spec.ready_timeout
        last_check = 0.0
        while True:
            if port is not None and spec.ready(port):
                took = time.monotonic() - started
                self.report(f"  ready  {spec.name:<20} {address(spec.kind, '127.0.0.1', port)}  ({took:.1f} s)")
                return
            now = time.monotonic()
            if now - last_check > 0.5:  # noticing a crash needs the engine; a probe does not
                last_check = now
                container.reload()
                port = port or host_port(container, spec.port)
                if container.status not in ("running", "created"):
                    raise LabError(f"{spec.name} {container.status} while starting. Last lines of its "
                                   f"log:\n{log_tail(container)}")
            if now > deadline:
                raise LabError(f"{spec.name} did not become ready in {spec.ready_timeout:.0f} s. Last "
                               f"lines of its log:\n{log_tail(container)}")
            time.sleep(0.1)


class _DependencyFailed(LabError):
    def __init__(self, name: str):
        super().__init__(f"{name} not started: a component it depends on failed")


def _dependency_order(specs: list[ContainerSpec]) -> list[ContainerSpec]:
    names = {s.name for s in specs}
    done: list[ContainerSpec] = []
    remaining = list(specs)
    while remaining:
        ready = [s for s in remaining
                 if all(d in {x.name for x in done} or d not in names for d in s.depends_on)]
        if not ready:
            raise LabError("dependency cycle among: " + ", ".join(s.name for s in remaining))
        done += ready
        remaining = [s for s in remaining if s not in ready]
    return done


def remove_lab(client, filters: dict) -> tuple[int, int, int]:
    """Remove every container, then network, then volume matching the label filters.
    Returns how many of each went. Never raises on what is already gone.

    A network can only go once no container is attached: a removal another process
    already started ("already in progress") returns before the container is gone, so wait
    until none is left, and detach any endpoint still attached, before removing networks."""
    # sparse: no inspect per container, which fails (404) for one another down() removes meanwhile
    containers = client.containers.list(all=True, filters=filters, sparse=True)
    with ThreadPoolExecutor(max_workers=max(1, min(8, len(containers)))) as pool:
        list(pool.map(_remove_container, containers))
    _wait_gone(client, filters)
    networks = client.networks.list(filters=filters)
    for net in networks:
        _remove_network(net)
    volumes = client.volumes.list(filters=filters)
    for vol in volumes:
        _ignore_gone(lambda v=vol: v.remove(force=True))
    return len(containers), len(networks), len(volumes)


def _wait_gone(client, filters: dict, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while (left := client.containers.list(all=True, filters=filters, sparse=True)) and time.monotonic() < deadline:
        for container in left:
            _remove_container(container)
        time.sleep(0.2)


def _remove_network(net, tries: int = 5) -> None:
    for attempt in range(tries):
        try:
            net.remove()
            return
        except NotFound:
            return
        except APIError as exc:
            if "active endpoints" not in str(exc) or attempt == tries - 1:
                raise LabError(f"could not remove network {net.name}: {exc.explanation or exc}") from None
            _detach_all(net)
            time.sleep(0.2 * (attempt + 1))


def _detach_all(net) -> None:
    try:
        net.reload()
    except NotFound:
        return
    for endpoint in (net.attrs.get("Containers") or {}):
        try:
            net.disconnect(endpoint, force=True)
        except APIError:  # NotFound included: gone already; the caller's retry says what stays
            pass


def _remove_container(container) -> None:
    _ignore_gone(lambda: container.remove(force=True, v=True))


def _ignore_gone(action) -> None:
    try:
        action()
    except NotFound:
        pass
    except APIError as exc:
        if "removal of container" in str(exc) and "already in progress" in str(exc):
            return
        raise
