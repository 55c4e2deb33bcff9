"""How a lesson's results print: text that a notebook shows as text, and tables that print
aligned and render as HTML in Jupyter."""
from __future__ import annotations

import html


class Text(str):
    """A str that a notebook shows as text (a bare str shows its repr, \\n and all)."""

    def _repr_pretty_(self, printer, cycle) -> None:
        printer.text(str(self))


class Table(list):
    """Rows (dicts) under fixed columns: aligned text when printed, a table in Jupyter."""

    def __init__(self, columns, rows, title: str = ""):
        super().__init__(rows)
        self.columns, self.title = tuple(columns), title

    def row(self, key) -> dict:
        """The first row whose first column is `key`."""
        found = next((r for r in self if r[self.columns[0]] == key), None)
        if found is None:
            raise KeyError(f"no row {key!r}; rows: {[r[self.columns[0]] for r in self]}")
        return found

    def _cells(self) -> list[list[str]]:
        return [[str(r.get(c, "")) for c in self.columns] for r in self]

    def __str__(self) -> str:
        table = [list(self.columns), *self._cells()]
        widths = [max(len(row[i]) for row in table) for i in range(len(self.columns))]
        lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in table]
        return "\n".join(([self.title] if self.title else []) + lines)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        def tr(cells, tag):
            return "<tr>" + "".join(f"<{tag} style='text-align:left'>{html.escape(c)}</{tag}>"
                                    for c in cells) + "</tr>"
        body = "".join(tr(cells, "td") for cells in self._cells())
        title = f"<p>{html.escape(self.title)}</p>" if self.title else ""
        return f"{title}<table><thead>{tr(self.columns, 'th')}</thead><tbody>{body}</tbody></table>"
