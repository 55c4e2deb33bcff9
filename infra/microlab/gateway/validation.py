"""Validating a whole kong.yml the way Kong's declarative loader does, but reporting every
problem at once, each with the path to the field, its line and Kong's words.

The result also holds the flat tables (nested routes, plugins and credentials moved to
top level with their references resolved) that the gateway builds its runtime from.
"""
from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from microlab.gateway import source as src
from microlab.gateway.entities import (ACCEPTED_ONLY, ENDPOINT_KEY, NESTED, SCHEMAS,
                                       expand_service_url)
from microlab.gateway.plugins import PLUGINS
from microlab.gateway.schema import Field, Problem, check, check_record

FORMAT_VERSIONS = ("1.1", "2.1", "3.0")
META = {"_format_version", "_transform", "_comment", "_ignore", "_workspace"}
ORDER = ("services", "routes", "consumers", "plugins", "jwt_secrets", "keyauth_credentials")
REFERENCES = {  # entity -> {field: referenced entity}
    "routes": {"service": "services"},
    "plugins": {"service": "services", "route": "routes", "consumer": "consumers"},
    "jwt_secrets": {"consumer": "consumers"},
    "keyauth_credentials": {"consumer": "consumers"},
}
_NAMESPACE = uuid.UUID("6b1f3c52-5a8e-4d7e-9a53-0d3c3f0a6b21")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_NOT_REGEX = re.compile(r"^[a-zA-Z0-9.\-_~/%]*$")


@dataclass
class Entry:
    record: dict
    path: tuple
    parent: "Entry | None" = None


@dataclass
class Report:
    """Every problem in one config; `ok` when there are none."""

    name: str
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # valid for Kong, ignored by the embedded gateway
    tables: dict[str, list[Entry]] | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    def __str__(self) -> str:
        if self.ok:
            head = f"{self.name}: valid"
        else:
            count = len(self.problems)
            head = f"error parsing declarative config file {self.name}: {count} problem{'s' * (count != 1)}"
        lines = [head] + [f"  {p}" for p in self.problems] + [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)

    def _repr_pretty_(self, printer, cycle) -> None:  # readable in a notebook
        printer.text(str(self))

    def to_dict(self) -> dict:
        return {"ok": self.ok, "name": self.name, "notes": self.notes,
                "problems": [{"path": p.where, "line": p.line, "column": p.column, "message": p.message}
                             for p in self.problems]}


def read(config, name: str | None = None) -> src.Source:
    """A path, YAML/JSON text, or a dict -> Source (raises SourceError on broken YAML)."""
    if isinstance(config, dict):
        return src.from_data(config, name or "<dict>")
    if isinstance(config, Path):
        return src.from_file(config)
    if isinstance(config, str):
        if "\n" not in config and (config.endswith((".yml", ".yaml", ".json")) or Path(config).is_file()):
            return src.from_file(config)
        return src.from_text(config, name or "<text>")
    raise TypeError(f"expected a path, YAML text or a dict, got {type(config).__name__}")


def validate(config, name: str | None = None) -> Report:
    """A report of every problem in `config` (a path, YAML/JSON text or a dict)."""
    try:
        source = read(config, name)
    except src.SourceError as exc:
        return syntax_report(exc, name or _name_of(config))
    return validate_source(source)


def syntax_report(exc: src.SourceError, name: str) -> Report:
    return Report(name, [Problem((), exc.reason, exc.line, exc.column)])


def _name_of(config) -> str:
    if isinstance(config, Path) or (isinstance(config, str) and "\n" not in config):
        return str(config)
    return "<text>"


def validate_source(source: src.Source) -> Report:
    problems: list[Problem] = []
    report = Report(source.name)
    data = source.data
    if not isinstance(data, dict):
        problems.append(Problem((), "expected an input table"))
    else:
        tables = _collect(data, problems, report.notes)
        _ids(tables)
        _references(tables, problems)
        _plugin_ids(tables)
        _unique(tables, problems, report.notes)
        report.tables = tables
    for p in problems:
        report.problems.append(Problem(p.path, p.message, p.line or source.line_of(p.path), p.column))
    if report.problems:
        report.tables = None
    return report


def _collect(data: dict, problems: list, notes: list) -> dict[str, list[Entry]]:
    version = data.get("_format_version")
    check(version, Field("string", required=True, one_of=FORMAT_VERSIONS), ("_format_version",), problems)
    if version is None:
        notes.append('Kong needs `_format_version: "3.0"` as the first line of the file')
    elif isinstance(version, (int, float)):
        notes.append('write the version in quotes, `_format_version: "3.0"`: unquoted, YAML reads a number')
    for key in data:
        if key in META or key in ORDER:
            continue
        if key in ACCEPTED_ONLY:
            notes.append(f"'{key}' is valid for Kong but the embedded gateway ignores it")
        else:
            problems.append(Problem((key,), "unknown field"))
    tables: dict[str, list[Entry]] = {e: [] for e in ORDER}
    for entity in ORDER:
        items = data.get(entity)
        if items is None:
            continue
        if not isinstance(items, list):
            problems.append(Problem((entity,), "expected an array"))
            continue
        for i, item in enumerate(items):
            _entry(entity, item, (entity, i), None, tables, problems, version)
    return tables


def _entry(entity, item, path, parent, tables, problems, version) -> None:
    if not isinstance(item, dict):
        problems.append(Problem(path, "expected a record"))
        return
    raw = dict(item)
    nested = NESTED.get(entity, {})
    children = {k: raw.pop(k) for k in list(raw) if k in nested}
    if entity == "services":
        raw = expand_service_url(raw)
    if entity == "routes" and version in ("1.1", "2.1"):
        raw["paths"] = _migrate_paths(raw.get("paths"))
    record = check_record(raw, SCHEMAS[entity], path, problems)
    if entity == "plugins":
        _plugin(record, path, problems, parent)
    entry = Entry(record, path, parent)
    tables[entity].append(entry)
    for child, items in children.items():
        if items is None:
            continue
        if not isinstance(items, list):
            problems.append(Problem(path + (child,), "expected an array"))
            continue
        for i, sub in enumerate(items):
            _entry(child, sub, path + (child, i), entry, tables, problems, version)


def _migrate_paths(paths):
    """Format 1.1/2.1 wrote regex paths without '~'; Kong 3 adds it on load."""
    if not isinstance(paths, list):
        return paths
    return [p if not isinstance(p, str) or _NOT_REGEX.match(p) else "~" + p for p in paths]


def _plugin(record: dict, path: tuple, problems: list, parent: Entry | None) -> None:
    name = record.get("name")
    if not isinstance(name, str):
        return
    module = PLUGINS.get(name)
    if module is None:
        message = f"plugin '{name}' not enabled; add it to the 'plugins' configuration property"
        problems.append(Problem(path + ("name",), message))
        return
    record["config"] = check_record(record.get("config") or {}, module.CONFIG, path + ("config",), problems)
    if record.get("protocols") is None:
        record["protocols"] = ["grpc", "grpcs", "http", "https"]
    on_consumer = record.get("consumer") is not None or (
        parent is not None and parent.path[-2] == "consumers")
    if module.NO_CONSUMER and on_consumer:
        problems.append(Problem(path + ("consumer",), "value must be null"))


def _ids(tables: dict[str, list[Entry]]) -> None:
    """Entities without an id get a stable one, as Kong's DB-less loader does."""
    for entity, entries in tables.items():
        if entity == "plugins":
            continue  # after references: their id comes from what they are attached to
        for e in entries:
            if not e.record.get("id"):
                key = e.record.get(ENDPOINT_KEY.get(entity, "")) or ".".join(map(str, e.path))
                e.record["id"] = str(uuid.uuid5(_NAMESPACE, f"{entity}:{key}"))


def _plugin_ids(tables: dict[str, list[Entry]]) -> None:
    """Like Kong, from the plugin's cache key (name, route, service, consumer): the same
    plugin declared twice on the same scope gets the same id and is a uniqueness violation."""
    for e in tables["plugins"]:
        if not e.record.get("id"):
            r = e.record
            key = ":".join(str(r.get(k) or "") for k in ("name", "route", "service", "consumer"))
            e.record["id"] = str(uuid.uuid5(_NAMESPACE, f"plugins:{key}"))


def _unique(tables: dict[str, list[Entry]], problems: list, notes: list) -> None:
    for entity, entries in tables.items():
        keys = [ENDPOINT_KEY[entity], "id"] + (["custom_id"] if entity == "consumers" else [])
        for key in keys:
            seen: set = set()
            for e in entries:
                value = e.record.get(key)
                if not isinstance(value, str):
                    continue
                if key == "id" and not _UUID.match(value):
                    problems.append(Problem(e.path + ("id",), "expected a valid UUID"))
                    continue
                if value in seen:
                    what = "primary key" if key == "id" else key
                    at = e.path if key == "id" else e.path + (key,)
                    problems.append(Problem(at, f"uniqueness violation: '{entity}' entity "
                                                f"with {what} set to '{value}' already declared"))
                    if entity == "plugins":
                        notes.append(f"plugin '{e.record.get('name')}' is declared twice on the same "
                                     "service/route/consumer (or twice globally)")
                seen.add(value)


def _references(tables: dict[str, list[Entry]], problems: list) -> None:
    for entity, refs in REFERENCES.items():
        for e in tables[entity]:
            for fk, target in refs.items():
                if e.parent is not None and e.parent.path[-2] == target:
                    e.record[fk] = e.parent.record.get("id")
                    continue
                value = e.record.get(fk)
                if value is None:
                    continue
                found = _find(tables[target], target, value)
                if found is None:
                    shown = value if isinstance(value, str) else json.dumps(value)
                    problems.append(Problem(e.path + (fk,), f"invalid reference '{fk}: {shown}' "
                                                            f"(no such entry in '{target}')"))
                else:
                    e.record[fk] = found.record["id"]


def _find(entries: list[Entry], entity: str, value) -> Entry | None:
    if isinstance(value, dict):
        value = value.get("id") or value.get(ENDPOINT_KEY[entity])
    if not isinstance(value, str):
        return None
    for e in entries:
        if e.record.get("id") == value or e.record.get(ENDPOINT_KEY[entity]) == value:
            return e
    return None
