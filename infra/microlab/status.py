"""A status table that reads well in a terminal and in a notebook."""
from __future__ import annotations

import html

from microlab.backends.base import ComponentStatus


class StatusReport(list):
    def __init__(self, rows: list[ComponentStatus], backend: str, lab: str):
        super().__init__(rows)
        self.backend, self.lab = backend, lab

    def __getitem__(self, key):
        if isinstance(key, str):
            for row in self:
                if row.name == key:
                    return row
            raise KeyError(key)
        return super().__getitem__(key)

    def __str__(self) -> str:
        if not self:
            return f"lab {self.lab!r} ({self.backend}): nothing running"
        lines = [f"lab {self.lab!r} ({self.backend})",
                 f"  {'NAME':<20}{'KIND':<10}{'STATE':<11}{'URL':<28}DETAIL"]
        for r in self:
            lines.append(f"  {r.name:<20}{r.kind:<10}{r.state:<11}{r.url or '-':<28}{r.detail}")
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        colour = {"healthy": "#2e7d32", "unhealthy": "#ef6c00", "exited": "#c62828"}
        rows = "".join(
            f"<tr><td>{html.escape(r.name)}</td><td>{r.kind}</td>"
            f"<td style='color:{colour.get(r.state, '#555')}'>{r.state}</td>"
            f"<td>{html.escape(r.url or '-')}</td><td>{html.escape(r.detail)}</td></tr>"
            for r in self
        )
        head = "<tr><th>name</th><th>kind</th><th>state</th><th>url</th><th>detail</th></tr>"
        return f"<p>lab <b>{self.lab}</b> ({self.backend})</p><table>{head}{rows}</table>"
