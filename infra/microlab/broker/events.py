"""Kafka records as rows a notebook can show: decoded, with the reasons they were rejected.

The shop's consumers record every event they refuse (bad JSON, missing fields, an unknown
order) on the topic ``events.rejected`` as JSON: {"topic", "partition", "offset",
"consumer", "reason", ...}. Rows of the original topic are matched to those by
(topic, partition, offset).
"""
from __future__ import annotations

import html
import json
from datetime import datetime, timezone

COLUMNS = ("partition", "offset", "timestamp", "key", "value", "rejected")


def _text(raw: bytes | None) -> str | None:
    if raw is None:
        return None
    return raw.decode("utf-8", "replace")


def _value(raw: bytes | None):
    """Parsed JSON when the value is JSON, else the text as it is (a bad event stays visible)."""
    text = _text(raw)
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


def decode_record(record, rejected: list[str]) -> dict:
    stamp = datetime.fromtimestamp(record.timestamp / 1000, tz=timezone.utc)
    return {
        "topic": record.topic,
        "partition": record.partition,
        "offset": record.offset,
        "timestamp": stamp.isoformat(timespec="milliseconds"),
        "key": _text(record.key),
        "value": _value(record.value),
        "rejected": rejected,  # e.g. ["inventory-service: missing field 'order_id'"]
    }


def rejections_for(topic: str, rejected_records: list) -> dict[tuple[int, int], list[str]]:
    """{(partition, offset): ["consumer: reason", ...]} for the records of `topic`."""
    found: dict[tuple[int, int], list[str]] = {}
    for record in rejected_records:
        note = _value(record.value)
        if not isinstance(note, dict) or note.get("topic") != topic:
            continue
        try:
            where = (int(note["partition"]), int(note["offset"]))
        except (KeyError, TypeError, ValueError):
            continue
        found.setdefault(where, []).append(f"{note.get('consumer', '?')}: {note.get('reason', '?')}")
    return found


class EventTable(list):
    """A list of event dicts that renders as a table in Jupyter and as text elsewhere."""

    def __init__(self, topic: str, rows: list[dict]):
        super().__init__(rows)
        self.topic = topic

    @property
    def rejected(self) -> list[dict]:
        return [row for row in self if row["rejected"]]

    def _cells(self, row: dict) -> list[str]:
        value = row["value"]
        shown = json.dumps(value) if not isinstance(value, str) else repr(value)
        return [str(row["partition"]), str(row["offset"]), row["timestamp"], str(row["key"]),
                shown, "; ".join(row["rejected"])]

    def __str__(self) -> str:
        if not self:
            return f"(no events on {self.topic!r})"
        lines = [" | ".join(COLUMNS)]
        lines += [" | ".join(self._cells(row)) for row in self]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        head = "".join(f"<th>{c}</th>" for c in COLUMNS)
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(cell)}</td>" for cell in self._cells(row)) + "</tr>"
            for row in self
        )
        return f"<p>{len(self)} events on <code>{html.escape(self.topic)}</code></p>" \
               f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
