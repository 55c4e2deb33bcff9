"""Run the topology as processes on 127.0.0.1: the embedded default, nothing to install."""
from __future__ import annotations

import shutil
import threading
import time
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from pathlib import Path

from microlab import kinds, ports, state
from microlab.backends.base import Backend, ComponentStatus, Owned, Report
from microlab.errors import LabError
from microlab.kinds.spec import LaunchContext
from microlab.local import processes
from microlab.local.forkserver import ForkServerError, LabForkServer, forkable
from microlab.settings import settings
from microlab.status import address, topology_order
from microlab.topology import Component, fixed_port, start_after, start_order


class LocalBackend(Backend):
    name = "local"

    def __init__(self, lab_id: str):
        super().__init__(lab_id)
        self.dir = state.lab_dir(lab_id)
        self.forks = LabForkServer(self.dir)

    # -- state ---------------------------------------------------------------
    def _state(self) -> state.LabState:
        return state.load_lab(self.lab_id) or state.LabState(backend=self.name)

    def _save(self, st: state.LabState) -> None:
        state.save_lab(self.lab_id, st)

    def _context(self, st: state.LabState) -> LaunchContext:
        return LaunchContext(self.dir, self.components(), st.ports)

    @staticmethod
    def _alive(rec: state.ProcessRecord) -> bool:
        return processes.alive(rec.pid) and processes.is_ours(rec.pid, rec.start_ticks)

    @staticmethod
    def _stop(records: list[state.ProcessRecord]) -> None:
        processes.stop_groups([r.pid for r in records if processes.is_ours(r.pid, r.start_ticks)])

    def _healthy(self, rec: state.ProcessRecord, c: Component, tries: int = 1) -> bool:
        """Running and answering. A live process gets `tries` probes: on a loaded machine one
        slow answer must not get a healthy component killed and replaced."""
        for attempt in range(tries):
            if rec.stopped or not self._alive(rec):
                return False
            if kinds.of(c).ready(c)(rec.port):
                return True
            time.sleep(0.3 * (attempt + 1))
        return False

    # -- up ------------------------------------------------------------------
    def up(self, components: tuple[Component, ...], stack: str, report: Report = print) -> None:
        st = self._state()
        if not st.processes:  # a fresh lab: old logs would only confuse
            shutil.rmtree(self.dir / "logs", ignore_errors=True)
        st.stack = stack
        self._reserve_ports(st, components)
        self._save(st)
        start_order(components)  # a dependency cycle raises here, naming its members
        self._start_graph(st, components, report)

    def _start_graph(self, st: state.LabState, components: tuple[Component, ...], report) -> None:
        """Start each component as soon as what it waits for (topology.start_after) is ready,
        and report how long each took and what it waited for: start-up, stage by stage.
        One waiting thread per component, so a slow readiness probe (the broker's) never
        holds up noticing that another component is ready."""
        after, began = start_after(components), time.time()
        ready = {c.name for c in components if self._is_up(st, c)}
        waiting = [c for c in components if c.name not in ready]
        stop = threading.Event()  # the first failure ends the other waits
        with ThreadPoolExecutor(max_workers=max(1, len(waiting))) as pool:
            running: dict[Future, Component] = {}
            while waiting or running:
                startable = [c for c in waiting if set(after[c.name]) <= ready]
                specs = [(c, self._spec(st, c)) for c in startable]
                for c, spec in sorted(specs, key=lambda found: found[1].fork):
                    self._start(st, c, spec, report)  # spawned ones (the JVM) first: a fork waits for its server
                    running[pool.submit(self._wait_ready, st, [c], lambda _m: None, stop)] = c
                waiting = [c for c in waiting if c not in startable]
                self._save(st)
                if not running:  # cannot happen after start_order's cycle check; never spin
                    raise LabError("cannot start " + ", ".join(c.name for c in waiting))
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    c = running.pop(future)
                    if future.exception() is not None:
                        stop.set()
                        raise future.exception()
                    ready.add(c.name)
                    report(_stage_line(st.processes[c.name], after[c.name], began))

    def _is_up(self, st: state.LabState, c: Component) -> bool:
        rec = st.processes.get(c.name)
        if rec is None:
            return False
        if self._healthy(rec, c, tries=3):
            return True
        self._stop([rec])  # crashed, hung or stopped: replace it (on the same port)
        del st.processes[c.name]
        return False

    def _reserve_ports(self, st: state.LabState, components: tuple[Component, ...]) -> None:
        base = settings().port_base
        for c in components:
            if c.name in st.processes and not st.processes[c.name].stopped:
                continue
            kept = st.ports.get(c.name)
            if kept and ports.can_listen(kept):
                continue  # a restarted component keeps its address: callers hold lab.url()
            if base is not None and c.kind != "deployed":  # deployed code gets free ports
                port = fixed_port(base, c.name)
                if not ports.can_listen(port):
                    raise LabError(
                        f"port {port} (for {c.name}, from MICROLAB_PORT_BASE={base}) is already "
                        "in use by another program; stop it, pick another MICROLAB_PORT_BASE, "
                        "or unset it to use free ports"
                    )
            else:
                port = ports.free_port(avoid=st.ports.values())
            st.ports[c.name] = port

    def _spec(self, st: state.LabState, c: Component):
        return kinds.of(c).launch(c, st.ports[c.name], self._context(st))

    def _start(self, st: state.LabState, c: Component, spec, report: Report) -> None:
        port = st.ports[c.name]
        log = self.dir / "logs" / f"{c.name}.log"
        pid = self._launch(spec, log, report)
        st.processes[c.name] = state.ProcessRecord(
            c.name, c.kind, pid, port, str(log), time.time(), spec.extra | {"timeout": spec.ready_timeout},
            start_ticks=processes.start_ticks(pid) or 0,
        )

    def _launch(self, spec, log: Path, report: Report) -> int:
        """Forked from the lab's warm interpreter where the command allows, else spawned."""
        if spec.fork and settings().fork_server and forkable(spec.argv):
            told = bool(self.forks.broken)
            try:
                return self.forks.fork(spec.argv, spec.env, log, spec.cwd)
            except ForkServerError as exc:  # slower, not broken: say so once and go on
                if not told:
                    report(f"  note   {exc}; starting with a fresh interpreter instead "
                           f"(see {self.dir / 'logs' / 'forkserver.log'})")
        return processes.spawn(spec.argv, spec.env, log, spec.cwd)

    def _wait_ready(self, st: state.LabState, pending: list[Component], report,
                    stop: threading.Event | None = None) -> None:
        waiting = {c.name: c for c in pending}
        while waiting and not (stop is not None and stop.is_set()):
            for name, c in list(waiting.items()):
                rec = st.processes[name]
                if kinds.of(c).ready(c)(rec.port):
                    elapsed = time.time() - rec.started_at
                    report(f"  ready  {name:<18} {address(rec.kind, '127.0.0.1', rec.port)}  ({elapsed:.1f} s)")
                    del waiting[name]
                elif not self._alive(rec):
                    raise LabError(self._died_message(name, rec))
                elif time.time() - rec.started_at > rec.extra.get("timeout", 30):
                    raise LabError(self._died_message(name, rec, "did not become ready in time"))
            time.sleep(0.05)

    def _died_message(self, name: str, rec: state.ProcessRecord, what: str = "exited at start") -> str:
        last = processes.tail(Path(rec.log), 15) or "(the log is empty)"
        return f"{name} {what}. Last lines of {rec.log}:\n{last}"

    # -- queries ---------------------------------------------------------------
    def address(self, name: str) -> tuple[str, int]:
        st = self._state()
        self.component(name)  # unknown names raise with the list of valid ones
        rec = st.processes.get(name)
        if rec is None:
            raise self._not_running(name, list(st.processes))
        return "127.0.0.1", rec.port

    def admin_address(self, name: str) -> tuple[str, int]:
        st = self._state()
        if self.component(name).kind != "gateway":
            raise LabError(f"{name} is not a gateway: only gateways have an admin API")
        rec = st.processes.get(name)
        if rec is None or rec.stopped or "admin_port" not in rec.extra:
            raise self._not_running(name, list(st.processes))
        return "127.0.0.1", rec.extra["admin_port"]

    def owned(self) -> list[Owned]:
        return [Owned(name, "process", str(rec.pid)) for name, rec in self._state().processes.items()
                if not rec.stopped and self._alive(rec)]

    def database_url(self, service: str) -> str:
        c = self.component(service)
        if c.database is None:
            raise LabError(f"{service} has no database of its own")
        path = self.dir / "data" / c.name / f"{c.database.db}.sqlite3"
        if not path.exists():
            raise LabError(f"{service}'s database does not exist yet: start it with lab.up(...)")
        return f"sqlite:///{path}"

    def status(self) -> list[ComponentStatus]:
        rows = []
        for name, rec in self._state().processes.items():
            c = self.component(name)
            if rec.stopped:
                st_, detail = "stopped", "stopped with lab.stop(); lab.up() starts it again"
            elif not self._alive(rec):
                st_, detail = "exited", f"pid {rec.pid} is gone; lab.up() restarts it"
            elif kinds.of(c).ready(c)(rec.port):
                st_, detail = "healthy", f"pid {rec.pid}"
            else:
                st_, detail = "unhealthy", f"pid {rec.pid}, health check failing"
            rows.append(ComponentStatus(name, rec.kind, st_, address(rec.kind, "127.0.0.1", rec.port), detail))
        return topology_order(rows)

    def logs(self, name: str, tail: int = 50) -> str:
        self.component(name)
        st = self._state()
        rec = st.processes.get(name)
        log = self.dir / "logs" / f"{name}.log" if rec is None else Path(rec.log)
        if not log.exists():  # never started here: an empty answer would look like a quiet log
            raise self._not_running(name, list(st.processes))
        return processes.tail(log, tail)

    def stop(self, name: str) -> None:
        st = self._state()
        self.component(name)
        rec = st.processes.get(name)
        if rec is None:
            raise LabError(f"{name} is not running in lab {self.lab_id!r}")
        self._stop([rec])
        rec.stopped = True
        self._save(st)

    def remove(self, name: str) -> None:
        st = self._state()
        rec = st.processes.pop(name, None)
        if rec is not None:
            self._stop([rec])
            self._save(st)
        self.forget_deployed(name)
        shutil.rmtree(self.dir / "data" / name, ignore_errors=True)

    def down(self) -> None:
        st = self._state()
        # Clients first, the broker last: services flush and close their Kafka clients
        # while Kafka still answers, instead of hanging until they are killed.
        for last in (False, True):
            self._stop([r for r in st.processes.values() if (r.kind == "broker") == last])
        self.forks.stop()
        state.forget(self.lab_id)
        shutil.rmtree(self.dir / "data", ignore_errors=True)


def _stage_line(rec: state.ProcessRecord, waited_for: tuple[str, ...], began: float) -> str:
    """One line of up's report: how long the component took to answer, and what it waited for."""
    took = time.time() - rec.started_at
    line = f"  ready  {rec.name:<18} {address(rec.kind, '127.0.0.1', rec.port)}  ({took:.1f} s"
    if waited_for:
        line += f"; started at +{rec.started_at - began:.1f} s, once {', '.join(waited_for)} answered"
    return line + ")"
