"""A small schema language that speaks Kong's validation words.

Each field is a `Field`; `check` walks a value against it, fills defaults the way Kong
does and records every problem (never stops at the first), each with the path to the
field. Messages are the strings of kong/db/schema/init.lua ("unknown field",
"required field missing", "expected one of: ...", ...).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

MISSING = object()


@dataclass(frozen=True)
class Problem:
    path: tuple  # e.g. ("services", 0, "routes", 0, "paths", 1)
    message: str
    line: int | None = None
    column: int | None = None

    @property
    def where(self) -> str:
        return format_path(self.path)

    def __str__(self) -> str:
        line = f"line {self.line}: " if self.line else ""
        if self.line and self.column:
            line = f"line {self.line}, column {self.column}: "
        where = f"{self.where}: " if self.path else ""
        return f"{line}{where}{self.message}"


def format_path(path: tuple) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


@dataclass
class Field:
    type: str  # string|integer|number|boolean|array|set|map|record|foreign|any
    required: bool = False
    default: object = MISSING
    one_of: tuple | None = None
    between: tuple | None = None
    gt: float | None = None
    elements: "Field | None" = None
    fields: "dict[str, Field] | None" = None  # for records
    check: Callable[[object], str | None] | None = None  # extra rule, returns a message
    record_check: Callable[[dict], list[tuple[tuple, str]]] | None = None  # entity checks


TYPE_WORDS = {
    "string": "expected a string", "integer": "expected an integer", "number": "expected a number",
    "boolean": "expected a boolean", "array": "expected an array", "set": "expected a set",
    "map": "expected a map", "record": "expected a record",
}


def _type_ok(kind: str, value) -> bool:
    if kind == "string":
        return isinstance(value, str)
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool) or (
            isinstance(value, float) and value.is_integer())
    if kind == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind in ("array", "set"):
        return isinstance(value, list)
    if kind in ("map", "record"):
        return isinstance(value, dict)
    return True  # foreign, any


def _num(v) -> str:
    return str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)


def check(value, spec: Field, path: tuple, problems: list[Problem]):
    """Validate `value`; return it with defaults filled. Problems are appended."""
    if value is None:
        if spec.required:
            problems.append(Problem(path, "required field missing"))
        return None
    if not _type_ok(spec.type, value):
        problems.append(Problem(path, TYPE_WORDS[spec.type]))
        return value
    if spec.type == "record":
        return check_record(value, spec, path, problems)
    if spec.type in ("array", "set") and spec.elements is not None:
        value = [check(v, spec.elements, path + (i,), problems) for i, v in enumerate(value)]
    if spec.one_of is not None and value not in spec.one_of:
        problems.append(Problem(path, "expected one of: " + ", ".join(spec.one_of)))
        return value
    if spec.between is not None and not spec.between[0] <= value <= spec.between[1]:
        lo, hi = spec.between
        problems.append(Problem(path, f"value should be between {_num(lo)} and {_num(hi)}"))
    if spec.gt is not None and not value > spec.gt:
        problems.append(Problem(path, f"value must be greater than {_num(spec.gt)}"))
    if spec.check is not None:
        message = spec.check(value)
        if message:
            problems.append(Problem(path, message))
    return value


def check_record(value: dict, spec: Field, path: tuple, problems: list[Problem],
                 extra_keys: frozenset = frozenset()) -> dict:
    fields = spec.fields or {}
    out = {}
    for key in value:
        if key not in fields and key not in extra_keys:
            problems.append(Problem(path + (key,), "unknown field"))
    for name, sub in fields.items():
        raw = value.get(name, MISSING)
        if raw is MISSING or raw is None:
            if sub.default is not MISSING:
                out[name] = _copy(sub.default)
                continue
            if sub.required:
                problems.append(Problem(path + (name,), "required field missing"))
            if raw is None:
                out[name] = None
            continue
        out[name] = check(raw, sub, path + (name,), problems)
    for key in extra_keys:
        if key in value:
            out[key] = value[key]
    if spec.record_check is not None:
        for rel, message in spec.record_check(out):
            problems.append(Problem(path + tuple(rel), message))
    return out


def _copy(value):
    if isinstance(value, list):
        return list(value)
    if isinstance(value, dict):
        return dict(value)
    return value


def quoted(names) -> str:
    return ", ".join(f"'{n}'" for n in names)
