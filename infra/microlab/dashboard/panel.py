"""The dashboard widget: a lab's components, faults, requests, request rate and Kafka, live.

Two daemon threads keep the kernel free: the refresher reads the lab every few seconds and
sets widget values (ipykernel sends widget updates from any thread), and the worker runs
what the buttons and sliders ask (stop, up, fault) one at a time, so a click never blocks a
cell. The refresher ends when the lab is down, when the widget is closed, or on "stop
refreshing"; the worker ends with it. Both use a quiet copy of the lab, so their messages go
into the panel, not into whichever cell happens to run.
"""
from __future__ import annotations

import queue
import threading

import ipywidgets as w

from microlab import state
from microlab.dashboard import render
from microlab.dashboard.snapshot import Snapshot, take

EVERY_S = 3.0


class Dashboard:
    def __init__(self, lab, every_s: float = EVERY_S):
        from microlab.lab import Lab

        self.lab = Lab(backend=lab.backend_name, name=lab.name, quiet=True)
        self.every_s = every_s
        self._stop = threading.Event()
        self._jobs: queue.Queue = queue.Queue()
        self._rows: dict[str, dict] = {}
        self._build()
        self._refresher = threading.Thread(target=self._refresh_loop, name="microlab-dashboard", daemon=True)
        self._worker = threading.Thread(target=self._work_loop, name="microlab-dashboard-actions", daemon=True)
        self._refresher.start()
        self._worker.start()

    # -- what Jupyter shows ------------------------------------------------------------
    def _repr_mimebundle_(self, **kwargs):
        return self.panel._repr_mimebundle_(**kwargs)

    @property
    def refreshing(self) -> bool:
        return self._refresher.is_alive()

    def stop(self) -> None:
        """Stop refreshing (the panel stays, frozen); both threads end within a refresh."""
        self._stop.set()
        self._jobs.put(None)

    def close(self) -> None:
        self.stop()
        self.panel.close()

    # -- layout ------------------------------------------------------------------------
    def _build(self) -> None:
        self.header = w.HTML()
        self.message = w.HTML()
        self.components = w.VBox()
        self.chart = w.Image(format="png", layout=w.Layout(width="360px"))
        self.kafka = w.HTML()
        self.requests = w.Tab()
        self.faults = w.VBox()
        pause = w.Button(description="stop refreshing", icon="pause", layout=w.Layout(width="150px"))
        pause.on_click(lambda _b: self.stop())
        self.panel = w.VBox([w.HBox([self.header, pause]), self.components, self.message,
                             w.HBox([self.chart, self.kafka]),
                             w.HTML("<b>Recent requests</b>"), self.requests,
                             w.HTML("<b>Faults</b> (added latency, share of 500s)"), self.faults])
        self.panel.add_class("microlab-dashboard")
        self.panel.observe(lambda change: change["new"] is None and self.stop(), "comm")

    def _component_row(self, name: str) -> dict:
        health = w.HTML(layout=w.Layout(width="130px"))
        health.add_class(f"microlab-health-{name}")
        address = w.HTML(layout=w.Layout(width="330px"))
        buttons = {}
        for label, icon in (("start", "play"), ("stop", "stop"), ("restart", "refresh")):
            button = w.Button(description=label, icon=icon, tooltip=f"{label} {name}",
                              layout=w.Layout(width="90px"))
            button.add_class(f"microlab-{label}-{name}")
            button.on_click(lambda _b, action=label: self._ask(action, name))
            buttons[label] = button
        box = w.HBox([w.HTML(f"<b>{name}</b>", layout=w.Layout(width="150px")), health, address,
                      *buttons.values()])
        box.add_class("microlab-component")
        return {"box": box, "health": health, "address": address, "buttons": buttons}

    def _fault_row(self, name: str) -> w.HBox:
        latency = w.IntSlider(0, 0, 3000, 100, description="latency ms", continuous_update=False)
        errors = w.FloatSlider(0.0, min=0.0, max=1.0, step=0.05, description="error rate",
                               continuous_update=False)

        def apply(_change):
            self._ask("fault", name, latency.value, errors.value)

        latency.observe(apply, "value")
        errors.observe(apply, "value")
        return w.HBox([w.HTML(f"<b>{name}</b>", layout=w.Layout(width="150px")), latency, errors])

    # -- refreshing (the refresher thread) --------------------------------------------
    def _refresh_loop(self) -> None:
        while not self._stop.is_set():
            try:
                snap = take(self.lab)
                self.show(snap)
            except Exception as exc:  # never a traceback in the panel: say what failed, go on
                self.message.value = f"<i>refresh failed: {type(exc).__name__}: {exc}</i>"
                snap = None
            if snap is not None and snap.lab_down:
                break
            self._stop.wait(self.every_s)
        self._stop.set()
        self._jobs.put(None)
        if snap is not None:
            self.header.value = render.header(snap, self.lab.name, self.lab.backend_name, refreshing=False)

    def show(self, snap: Snapshot) -> None:
        self.header.value = render.header(snap, self.lab.name, self.lab.backend_name, refreshing=True)
        for c in snap.components:
            if c.name not in self._rows:
                self._rows[c.name] = self._component_row(c.name)
                self.components.children = [r["box"] for r in self._rows.values()]
                if c.kind == "service":
                    self.faults.children = [*self.faults.children, self._fault_row(c.name)]
            row = self._rows[c.name]
            row["health"].value = render.health(c.state)
            row["address"].value = f"<code>{c.url or '-'}</code> &middot; {self.lab.backend_name}"
            running = c.state in ("healthy", "starting", "unhealthy")
            row["buttons"]["start"].disabled = running
            row["buttons"]["stop"].disabled = not running
        names = list(snap.requests)
        if list(self.requests.titles) != names:
            self.requests.children = [w.HTML() for _ in names]
            self.requests.titles = names
        for tab, name in zip(self.requests.children, names):
            tab.value = render.requests_table(snap.requests[name])
        self.chart.value = render.rate_png(snap)
        self.kafka.value = render.broker_html(snap.broker)

    # -- actions (the worker thread) ------------------------------------------------------
    def _ask(self, action: str, name: str, *args) -> None:
        self.message.value = f"<i>{action} {name}...</i>"
        self._jobs.put((action, name, args))

    def _work_loop(self) -> None:
        while not self._stop.is_set():
            job = self._jobs.get()
            if job is None:
                break
            action, name, args = job
            try:
                self.message.value = f"<b>{self._do(action, name, *args)}</b>"
            except Exception as exc:  # a LabError says what to do; show it, not a traceback
                self.message.value = f"<b style='color:{render.DOWN}'>{action} {name}: {exc}</b>"

    def _do(self, action: str, name: str, *args) -> str:
        if action == "fault":
            latency, rate = args
            self.lab.fault(name, latency_ms=latency, error_rate=rate)
            return f"{name}: +{latency} ms, {rate:.0%} errors" if latency or rate else f"{name}: faults cleared"
        if action in ("stop", "restart"):
            self.lab.stop(name)
        if action in ("start", "restart"):
            self.lab.up(self._stack())
        return f"{name}: {action} done"

    def _stack(self) -> str:
        saved = state.load_lab(self.lab.name)
        return saved.stack if saved is not None and saved.stack else "services"
