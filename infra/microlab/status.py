"""A status table that reads the same in a terminal and in a notebook.

`print(lab.status())` and `lab.status()` in a notebook show one table: the same rows in the
same order (the topology's), the same columns and the same words; only the markup differs.
"""
from __future__ import annotations

import html

from microlab.backends.base import ComponentStatus
from microlab.topology import port_names

# How a student reaches each kind from the host: HTTP for apps, a bootstrap address for
# Kafka (what kafka-python takes), a libpq URL for PostgreSQL.
SCHEMES = {"service": "http://", "gateway": "http://", "database": "postgresql://", "broker": ""}
WIDE = 100  # a terminal row longer than this puts its detail on a line of its own
COLOURS = {"healthy": "#2e7d32", "unhealthy": "#ef6c00", "starting": "#1565c0",
           "exited": "#c62828", "stopped": "#555"}


def address(kind: str, host: str, port: int) -> str:
    """The address shown for a component of `kind` listening on host:port."""
    return f"{SCHEMES.get(kind, 'http://')}{host}:{port}"


def topology_order(rows: list[ComponentStatus]) -> list[ComponentStatus]:
    """Rows in the topology's order (each database right after its service), whatever
    order a backend found them in."""
    order = {name: i for i, name in enumerate(port_names())}
    return sorted(rows, key=lambda r: (order.get(r.name, len(order)), r.name))


def components(n: int) -> str:
    return f"{n} component" if n == 1 else f"{n} components"


def summary(rows: list[ComponentStatus]) -> str:
    """"3 components, all healthy" / "1 component, healthy" / "5 components: 4 healthy, 1 exited"."""
    states: dict[str, int] = {}
    for r in rows:
        states[r.state] = states.get(r.state, 0) + 1
    if len(states) == 1:
        (only,) = states
        return f"{components(len(rows))}, {'all ' if len(rows) > 1 else ''}{only}"
    return f"{components(len(rows))}: " + ", ".join(f"{n} {s}" for s, n in states.items())


class StatusReport(list):
    COLUMNS = ("NAME", "KIND", "STATE", "ADDRESS", "DETAIL")

    def __init__(self, rows: list[ComponentStatus], backend: str, lab: str):
        super().__init__(topology_order(list(rows)))
        self.backend, self.lab = backend, lab

    def __getitem__(self, key):
        if isinstance(key, str):
            for row in self:
                if row.name == key:
                    return row
            raise KeyError(key)
        return super().__getitem__(key)

    def title(self) -> str:
        what = summary(self) if self else "nothing running"
        return f"lab {self.lab!r} ({self.backend} backend): {what}"

    def cells(self) -> list[tuple[str, str, str, str, str]]:
        return [(r.name, r.kind, r.state, r.url or "-", r.detail) for r in self]

    def __str__(self) -> str:
        if not self:
            return self.title()
        table = [self.COLUMNS, *self.cells()]
        widths = [max(len(row[i]) for row in table) + 2 for i in range(4)]
        lines = [self.title()]
        for row in table:
            head = "  " + "".join(cell.ljust(w) for cell, w in zip(row, widths))
            if len(head) + len(row[4]) > WIDE and row is not table[0]:
                lines += [head.rstrip(), " " * 6 + row[4]]
            else:
                lines.append(head + row[4])
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        head = "".join(f"<th style='text-align:left'>{c.lower()}</th>" for c in self.COLUMNS)
        rows = "".join("<tr>" + "".join(_cell(i, cell) for i, cell in enumerate(row)) + "</tr>"
                       for row in self.cells())
        table = f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>" if self else ""
        return f"<p>{html.escape(self.title())}</p>{table}"


def _cell(column: int, text: str) -> str:
    colour = f";color:{COLOURS.get(text, '#555')}" if column == 2 else ""
    return f"<td style='text-align:left{colour}'>{html.escape(text)}</td>"
