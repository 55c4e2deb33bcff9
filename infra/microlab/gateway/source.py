"""Reading kong.yml: YAML (or JSON) text into plain data plus a line number for every field.

Students paste broken YAML, so a syntax error becomes a `SourceError` carrying the line
and column, never a traceback. Kong's own wording for this case is
"failed parsing declarative configuration: ...".
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

URL_PARTS = ("protocol", "host", "port", "path")
Path_ = tuple  # a field path such as ("services", 0, "routes", 1, "paths", 0)


class SourceError(ValueError):
    """The text is not YAML at all (or not a mapping at the top)."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None):
        self.line, self.column = line, column
        self.reason = f"failed parsing declarative configuration: {message}"
        where = f"line {line}, column {column}: " if line else ""
        super().__init__(f"{where}{self.reason}")


@dataclass
class Source:
    data: object  # the plain Python value (normally a dict)
    lines: dict[Path_, int] = field(default_factory=dict)  # 1-based line of each path
    name: str = "<config>"
    text: str = ""  # the original text (for GET /config and for re-sending to real Kong)

    def line_of(self, path: Path_) -> int | None:
        """The line of `path`, or of its nearest ancestor that has one."""
        path = tuple(path)
        if path and path[-1] in URL_PARTS and path not in self.lines:
            path = path[:-1] + ("url",)  # a service's protocol/host/port/path came from `url`
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get(())


def from_text(text: str, name: str = "<config>") -> Source:
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        if mark is None:
            raise SourceError(problem) from None
        raise SourceError(problem, mark.line + 1, mark.column + 1) from None
    except yaml.YAMLError as exc:
        raise SourceError(str(exc)) from None
    if node is None:
        return Source({}, {(): 1}, name, text)
    lines: dict[Path_, int] = {}
    try:
        data = _convert(node, (), lines)
    except _BadNode as exc:
        raise SourceError(exc.args[0], exc.line, exc.column) from None
    return Source(data, lines, name, text)


def from_file(path: str | Path) -> Source:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SourceError(f"no such file: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceError(f"cannot read {path}: {exc}") from None
    return from_text(text, str(path))


def from_data(data: object, name: str = "<dict>") -> Source:
    try:
        text = yaml.safe_dump(data, sort_keys=False)
    except yaml.YAMLError:
        text = ""
    return Source(data, {}, name, text)


class _BadNode(Exception):
    def __init__(self, message: str, mark):
        super().__init__(message)
        self.line, self.column = mark.line + 1, mark.column + 1


def _scalar(node: yaml.ScalarNode):
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_object(node, deep=True)
    except yaml.YAMLError as exc:
        raise _BadNode(getattr(exc, "problem", None) or str(exc), node.start_mark) from None
    finally:
        loader.dispose()


def _convert(node, path: tuple, lines: dict) -> object:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out: dict = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise _BadNode("merge keys (<<) are not supported in kong.yml", key_node.start_mark)
            key = _convert(key_node, path + ("<key>",), {})
            if isinstance(key, (list, dict)):
                raise _BadNode("a key must be a plain value", key_node.start_mark)
            if key in out:
                raise _BadNode(f"duplicate key {key!r}", key_node.start_mark)
            lines[path + (key,)] = key_node.start_mark.line + 1
            out[key] = _convert(value_node, path + (key,), lines)
            lines[path + (key,)] = key_node.start_mark.line + 1
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_convert(item, path + (i,), lines) for i, item in enumerate(node.value)]
    return _scalar(node)
