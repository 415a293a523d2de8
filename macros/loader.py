"""Safe YAML loading with source lines and author-facing error messages.

Every entry file is parsed once, with the C loader when PyYAML has it; the node
tree gives the line of every field, so later checks can point at the exact line.
"""

from __future__ import annotations

import datetime as _dt
import re
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor

from .model import Problem, SourceMap

try:  # the C loader is several times faster; fall back quietly when absent
    _Base: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Base = yaml.SafeLoader

_TOP_KEY = re.compile(r"^([A-Za-z_][\w-]*)\s*:")


class _DateError(Exception):
    def __init__(self, node: yaml.Node, reason: str) -> None:
        super().__init__(reason)
        self.node = node


def _construct_timestamp(loader: SafeConstructor, node: yaml.ScalarNode) -> Any:
    try:
        return SafeConstructor.construct_yaml_timestamp(loader, node)
    except ValueError as error:
        raise _DateError(node, str(error)) from None


class EntryLoader(_Base):  # type: ignore[misc,valid-type]
    """A safe loader whose impossible dates raise a located error."""


EntryLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)


def field_at_line(text: str, line: int) -> str:
    """The top-level field whose block contains 1-based ``line`` (``(file)`` if none)."""
    lines = text.splitlines()
    for index in range(min(line, len(lines)) - 1, -1, -1):
        match = _TOP_KEY.match(lines[index])
        if match:
            return match.group(1)
    return "(file)"


def _line_of_byte(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


_PYTHON_TAG = "tag:yaml.org,2002:python/"


def _python_tag(node: yaml.Node, path: str, display: str) -> Problem:
    tag = "!!" + node.tag[len("tag:yaml.org,2002:"):]
    return Problem(display, node.start_mark.line + 1, path or "(file)",
                   f"the tag '{tag}' is not allowed: entries hold only text, lists and dates, "
                   "never Python objects; remove the tag")


_STR, _SEQ, _MAP = "tag:yaml.org,2002:str", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"
_MERGE_OR_VALUE = ("tag:yaml.org,2002:merge", "tag:yaml.org,2002:value")


class _Slow(Exception):
    """The document needs PyYAML's full constructor (merge keys, shared aliases, complex keys, other tags)."""


def _scalar(node: yaml.ScalarNode, loader: Any) -> Any:
    if node.tag == _STR:
        return node.value
    try:
        return loader.construct_object(node, deep=True)  # numbers, booleans, null, dates: PyYAML's own rules
    except Exception:
        raise _Slow from None  # an error: let PyYAML's constructor meet it, in its own order


def _read(node: yaml.Node, path: str, smap: SourceMap, problems: list[Problem], display: str, loader: Any,
          seen: set[int], *, build: bool = True) -> Any:
    """One walk of the node tree: every field's lines, duplicate keys and Python tags, and the data.

    With ``build`` it returns the data, as ``loader.construct_document(node)`` would, several
    times faster, and raises ``_Slow`` for what it leaves to PyYAML's constructor (merge keys,
    aliases to lists or mappings, complex keys, other tags, a value that fails to construct);
    without it (``_walk``) it only records and reports, for any document.
    """
    tag = node.tag
    if tag.startswith(_PYTHON_TAG):
        problems.append(_python_tag(node, path, display))
        return None
    if isinstance(node, yaml.ScalarNode):
        return None if not build else node.value if tag == _STR else _scalar(node, loader)
    if build:
        if id(node) in seen:
            raise _Slow
        seen.add(id(node))
    if isinstance(node, yaml.MappingNode) and (tag == _MAP or not build):
        return _read_mapping(node, path, smap, problems, display, loader, seen, build=build)
    if isinstance(node, yaml.SequenceNode) and (tag == _SEQ or not build):
        return _read_sequence(node, path, smap, problems, display, loader, seen, build=build)
    if build:
        raise _Slow
    return None


def _span(node: yaml.Node) -> tuple[int, int]:
    """The first and last line of a value."""
    first, end = node.start_mark.line, node.end_mark
    return first + 1, end.line if end.column == 0 and end.line > first else end.line + 1


def _read_mapping(node: yaml.MappingNode, path: str, smap: SourceMap, problems: list[Problem], display: str,
                  loader: Any, seen: set[int], *, build: bool) -> dict[Any, Any]:
    """``_read`` of a mapping: each key once (a duplicate is a problem), each value's lines."""
    out: dict[Any, Any] = {}
    first_line: dict[str, int] = {}
    for key_node, value_node in node.value:
        if build and (not isinstance(key_node, yaml.ScalarNode) or key_node.tag in _MERGE_OR_VALUE):
            raise _Slow
        key = str(key_node.value)
        child = f"{path}.{key}" if path else key
        line = key_node.start_mark.line + 1
        if key in first_line:
            problems.append(Problem(display, line, child,
                                    f"duplicate key '{key}': it is already set on line {first_line[key]}; "
                                    "keep only one (YAML would silently keep the last)"))
            continue
        first_line[key] = line
        smap.lines[child] = line
        smap.spans[child] = _span(value_node)
        if value_node.tag == _STR and isinstance(value_node, yaml.ScalarNode):
            value = value_node.value  # the usual field: plain text
        else:
            value = _read(value_node, child, smap, problems, display, loader, seen, build=build)
        if build:
            out[key_node.value if key_node.tag == _STR else _scalar(key_node, loader)] = value
    return out


def _read_sequence(node: yaml.SequenceNode, path: str, smap: SourceMap, problems: list[Problem], display: str,
                   loader: Any, seen: set[int], *, build: bool) -> list[Any]:
    """``_read`` of a list: each item's lines and value."""
    items = []
    for index, item in enumerate(node.value):
        child = f"{path}[{index}]"
        smap.lines[child] = item.start_mark.line + 1
        smap.spans[child] = _span(item)
        items.append(item.value if item.tag == _STR and isinstance(item, yaml.ScalarNode)
                     else _read(item, child, smap, problems, display, loader, seen, build=build))
    return items


def _walk(node: yaml.Node, path: str, smap: SourceMap, problems: list[Problem], display: str) -> None:
    """Lines, duplicate keys and Python tags of any document, without building its data."""
    _read(node, path, smap, problems, display, None, set(), build=False)


def _construct(node: yaml.Node, loader: Any) -> Any:
    """The document's data, as ``loader.construct_document(node)`` gives it, several times faster.

    Entries are text, lists and mappings; anything else (merge keys, aliases to lists or
    mappings, set or ordered-map tags, a value that fails to construct) goes through
    PyYAML's constructor, started afresh, so it behaves exactly as it always did.
    """
    problems: list[Problem] = []
    try:
        data = _read(node, "", SourceMap(), problems, "", loader, set())
        if not problems:
            return data
        raise _Slow  # duplicate keys or Python tags: PyYAML's own handling, as without the shortcut
    except _Slow:
        return _pyyaml_construct(node, loader)


def _pyyaml_construct(node: yaml.Node, loader: Any) -> Any:
    """PyYAML's own constructor, started afresh (after a shortcut that gave up half-way)."""
    loader.constructed_objects, loader.recursive_objects, loader.state_generators = {}, {}, []
    loader.deep_construct = False
    return loader.construct_document(node)


def _plain(value: Any) -> Any:
    """Dates to ISO strings, recursively: the form JSON Schema validates."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, _dt.datetime):
        return value.isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    return value


def _unreadable_scalar(node: yaml.Node, loader: Any) -> yaml.ScalarNode | None:
    """The first scalar whose tag cannot make a value of its text (``!!int nope``), or None."""
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, yaml.ScalarNode):
            if current.tag != _STR:
                loader.constructed_objects, loader.recursive_objects = {}, {}  # as left by the failed attempt
                try:
                    loader.construct_object(current, deep=True)
                except (ValueError, TypeError):
                    return current
                except Exception:  # noqa: BLE001 - other errors are reported by their own handlers
                    continue
        elif isinstance(current, yaml.MappingNode):
            for key_node, value_node in reversed(current.value):
                stack += [value_node, key_node]
        elif isinstance(current, yaml.SequenceNode):
            stack += list(reversed(current.value))
    return None


def _decoded(raw: bytes, display: str) -> tuple[str | None, list[Problem]]:
    """The file's text, or the problem that it is not UTF-8."""
    try:
        return raw.decode("utf-8-sig"), []
    except UnicodeDecodeError as error:
        line = _line_of_byte(raw, error.start)
        return None, [Problem(display, line, "(file)",
                              f"the file is not UTF-8 text (byte 0x{raw[error.start]:02x} on this line); "
                              "save it with UTF-8 encoding")]


def _tab_problems(text: str, display: str) -> list[Problem]:
    """Every line indented with a tab."""
    problems: list[Problem] = []
    for number, line_text in enumerate(text.splitlines() if "\t" in text else [], start=1):  # no tab: no line to scan
        indent = line_text[: len(line_text) - len(line_text.lstrip(" \t"))]
        if "\t" in indent:
            problems.append(Problem(display, number, field_at_line(text, number),
                                    "a tab character is used for indentation; YAML needs spaces: "
                                    "replace the tab with spaces"))
    return problems


def _yaml_error(error: Exception, text: str, display: str, node: yaml.Node | None, loader: Any) -> Problem:
    """The author's problem for an error PyYAML raised while reading ``text``."""
    if isinstance(error, _DateError):
        line = error.node.start_mark.line + 1
        return Problem(display, line, field_at_line(text, line),
                       f"'{error.node.value}' is not a real date ({error}); write an existing date as YYYY-MM-DD")
    if isinstance(error, ConstructorError):
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        return Problem(display, line, field_at_line(text, line),
                       f"{error.problem}; use plain YAML text, lists and dates only")
    if isinstance(error, yaml.MarkedYAMLError):
        # Where a construct was opened (a bracket, a quote) is where authors look first.
        opened = error.context_mark.line + 1 if error.context_mark else None
        found_at = error.problem_mark.line + 1 if error.problem_mark else opened or 1
        line = opened or found_at
        what = " ".join(filter(None, [error.context, error.problem]))
        where = f"; the problem shows on line {found_at}" if found_at != line else ""
        return Problem(display, line, field_at_line(text, line),
                       f"this is not valid YAML ({what}{where}); check the brackets, quotes and indentation")
    if isinstance(error, (ValueError, TypeError)):  # an explicit tag its text does not fit: '!!int nope'
        bad = _unreadable_scalar(node, loader) if node is not None else None
        line = bad.start_mark.line + 1 if bad is not None else 1
        tag = "!!" + bad.tag.removeprefix("tag:yaml.org,2002:") if bad is not None else "its tag"
        value = f"'{bad.value}'" if bad is not None else "a value"
        return Problem(display, line, field_at_line(text, line) if bad is not None else "(file)",
                       f"{value} cannot be read as {tag} ({error}); remove the tag "
                       "(entries hold plain text, lists and dates) or fix the value")
    return Problem(display, 1, "(file)", f"this is not valid YAML ({error})")  # reader errors without a mark


def _parsed(node: yaml.Node, display: str, loader: Any) -> tuple[Any, SourceMap, list[Problem]]:
    """The data of a document, its source map, and the problems found on the way."""
    smap = SourceMap()
    problems: list[Problem] = []
    try:
        data = _read(node, "", smap, problems, display, loader, set())
    except _Slow:  # merge keys, aliases, other tags, a value that fails: the two passes, as PyYAML reads it
        smap, problems = SourceMap(), []
        _walk(node, "", smap, problems, display)
        data = None if problems else _pyyaml_construct(node, loader)  # the shortcut already gave up
    return data, smap, problems


def read_yaml(path: Path, display: str) -> tuple[Any, SourceMap, str, list[Problem]]:
    """Parse one YAML file safely.

    Returns ``(data, source_map, text, problems)``. When problems are returned
    the data is ``None``: a file that cannot be read reliably is not used.
    """
    smap = SourceMap()
    text, problems = _decoded(path.read_bytes(), display)
    if text is None:
        return None, smap, "", problems
    problems = _tab_problems(text, display)
    if problems:
        return None, smap, text, problems
    loader = EntryLoader(text)
    node = None
    try:
        node = loader.get_single_node()
        if node is None:
            return None, smap, text, [Problem(display, 1, "(file)",
                                              "the file is empty; an entry needs at least term, summary, the five "
                                              "sections, risk, related, evidence, references and reviewed")]
        data, smap, problems = _parsed(node, display, loader)
    except (_DateError, yaml.YAMLError, ValueError, TypeError) as error:
        return None, smap, text, [_yaml_error(error, text, display, node, loader)]
    finally:
        loader.dispose()
    if problems:
        return None, smap, text, problems
    return data, smap, text, []


def to_json_compatible(data: Any) -> Any:
    """A copy of loaded YAML data in the form JSON Schema expects (dates as ISO strings)."""
    return _plain(data)
