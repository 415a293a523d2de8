"""Safe YAML loading with source lines and author-facing error messages.

Every entry file is parsed once, with the C loader when PyYAML has it; the node
tree gives the line of every field, so later checks can point at the exact line.
"""

from __future__ import annotations

import datetime as _dt
import errno
import math
import os
import re
import stat
from pathlib import Path
from typing import Any

import yaml
import yaml.parser
import yaml.reader
import yaml.resolver
import yaml.scanner
from yaml.composer import Composer
from yaml.constructor import ConstructorError, SafeConstructor

from .model import Problem, SourceMap

try:  # the C loader is several times faster; fall back quietly when absent
    _Base: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Base = yaml.SafeLoader

_TOP_KEY = re.compile(r"^([A-Za-z_][\w-]*)\s*:")

#: Limits that keep a hostile or broken file from hanging or crashing the tools (an entry is a few KB).
MAX_BYTES = 1_000_000     # a file larger than this is refused before it is parsed
MAX_DEPTH = 100           # lists and mappings nested deeper than this
MAX_VALUES = 100_000      # values once every alias is expanded (a "billion laughs" file expands to 10^9)
#: Characters that can open a nesting level: with few of them, LibYAML's (recursive) composer is safe.
_NESTING = re.compile(r"[\[{]|[-?:](?=[ \t\r\n]|\Z)")
_SAFE_NESTING = 1_000


class FileProblem(Exception):
    """A file that cannot be read as text: the message says why and what to do."""


def _open_error(path: Path, error: OSError) -> FileProblem:
    """Why a file could not be opened, for its author."""
    if error.errno == errno.ELOOP:
        return FileProblem("is a symbolic link that leads back to itself (a loop); replace it with the file itself")
    if error.errno == errno.ENOENT and os.path.islink(path):
        return FileProblem(f"is a symbolic link to '{os.readlink(path)}', which does not exist; replace it "
                           "with the file itself or remove it")
    if error.errno == errno.EACCES:
        return FileProblem("cannot be read (permission denied); make it readable (chmod a+r) or remove it")
    return FileProblem(f"cannot be read ({error.strerror or error}); fix or remove the file")


def _check_kind(info: os.stat_result, limit: int) -> None:
    """A folder, a FIFO, a socket, a device or a file over ``limit`` bytes is a :class:`FileProblem`."""
    if stat.S_ISDIR(info.st_mode):
        raise FileProblem("is a folder, not a file; an entry is one file: remove or rename the folder")
    if not stat.S_ISREG(info.st_mode):
        kind = "a FIFO (named pipe)" if stat.S_ISFIFO(info.st_mode) else \
            "a socket" if stat.S_ISSOCK(info.st_mode) else "a device"
        raise FileProblem(f"is {kind}, not a regular file; only text files are read: remove it")
    if info.st_size > limit:
        raise FileProblem(f"is {info.st_size:,} bytes; a file of the glossary may be at most {limit:,} "
                          "bytes: split it or remove what does not belong")


def _read_all(fd: int, limit: int) -> bytes:
    """Everything ``fd`` holds, refusing more than ``limit`` bytes (a file that grew while being read)."""
    chunks: list[bytes] = []
    size = 0
    while True:
        try:
            chunk = os.read(fd, 1 << 16)
        except OSError as error:
            raise FileProblem(f"cannot be read ({error.strerror or error}); fix or remove the file") from None
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > limit:  # it grew while being read
            raise FileProblem(f"is more than {limit:,} bytes; a file of the glossary may be at most "
                              f"{limit:,} bytes")
        chunks.append(chunk)


def read_file_bytes(path: Path, limit: int = MAX_BYTES) -> bytes:
    """The bytes of a regular file, or :class:`FileProblem` (never an ``OSError``, never a wait).

    A FIFO, a device or a folder is refused without reading it (opened non-blocking, so a FIFO
    with no writer cannot hold the check), as is a file over ``limit`` bytes, a symbolic link
    to nothing or in a loop, and a file that cannot be opened.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as error:
        raise _open_error(path, error) from None
    try:
        _check_kind(os.fstat(fd), limit)
        return _read_all(fd, limit)
    finally:
        os.close(fd)


def _shape_problem(node: yaml.Node) -> tuple[yaml.Node, str] | None:
    """A node that nests too deeply, refers to itself or expands past ``MAX_VALUES``, with the reason.

    Walks every distinct node once (an alias shares its node), without recursion: the cost is that
    of the file as written, however many times aliases would repeat it.
    """
    size: dict[int, int] = {}
    state: dict[int, int] = {}  # 1: on the current path, 2: done
    stack: list[tuple[yaml.Node, int, bool]] = [(node, 1, False)]
    while stack:
        current, depth, leaving = stack.pop()
        key = id(current)
        if isinstance(current, yaml.ScalarNode):
            size[key] = 1
            continue
        children = [item for pair in current.value for item in pair] if isinstance(current, yaml.MappingNode) \
            else list(current.value)
        if leaving:
            state[key] = 2
            size[key] = 1 + sum(size.get(id(child), 1) for child in children)
            if size[key] > MAX_VALUES:
                return current, (f"expands to more than {MAX_VALUES:,} values through YAML aliases (*name "
                                 "repeating an &name); write the values out instead of repeating them")
            continue
        if state.get(key) == 2:
            continue
        if depth > MAX_DEPTH:
            return current, (f"nests lists or mappings more than {MAX_DEPTH} levels deep; an entry needs two or "
                             "three: check the brackets and indentation")
        state[key] = 1
        stack.append((current, depth, True))
        for child in children:
            if state.get(id(child)) == 1:
                return child, ("holds an alias to a list or mapping that contains it (a loop); remove the "
                               "*alias or write the values out")
            if state.get(id(child)) != 2:
                stack.append((child, depth + 1, False))
    return None


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


class _TooDeep(Exception):
    def __init__(self, line: int) -> None:
        super().__init__(line)
        self.line = line


if _Base is yaml.SafeLoader:  # pragma: no cover - PyYAML without LibYAML: all Python, as before
    _ParserBases: tuple[type, ...] = (yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser)
else:
    from yaml._yaml import CParser
    _ParserBases = (CParser,)


class _DepthLimitedLoader(Composer, *_ParserBases, SafeConstructor, yaml.resolver.Resolver):  # type: ignore[misc]
    """For a file with many nesting characters: PyYAML's own composer (Python, not LibYAML's recursive C
    one, which a few hundred thousand brackets crash) over LibYAML's events, stopping at ``MAX_DEPTH``."""

    def __init__(self, stream: str) -> None:
        if len(_ParserBases) == 1:
            _ParserBases[0].__init__(self, stream)  # type: ignore[misc]
        else:  # pragma: no cover
            yaml.reader.Reader.__init__(self, stream)
            yaml.scanner.Scanner.__init__(self)
            yaml.parser.Parser.__init__(self)
        Composer.__init__(self)
        SafeConstructor.__init__(self)
        yaml.resolver.Resolver.__init__(self)
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _TooDeep(self.peek_event().start_mark.line + 1)
            return Composer.compose_node(self, parent, index)
        finally:
            self._depth -= 1


_DepthLimitedLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)  # type: ignore[type-var]


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
    if path.count(".") + path.count("[") >= MAX_DEPTH:  # the path's parts are the nesting depth (or more)
        raise _TooDeep(node.start_mark.line + 1)
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
    return _limit_problem(error, text, display)


def _limit_problem(error: Exception, text: str, display: str) -> Problem:
    """The author's problem for a file too deep, a character YAML does not allow, or another reader error."""
    if isinstance(error, _TooDeep):
        return Problem(display, error.line, "(file)",
                       f"this file nests lists or mappings more than {MAX_DEPTH} levels deep; "
                       "an entry needs two or three: check the brackets and indentation")
    if isinstance(error, yaml.reader.ReaderError):  # a character YAML does not allow: NUL, other controls
        # LibYAML gives a byte offset, PyYAML's reader a character offset: the reader stops at the first such
        # character, so its first occurrence in the text is where it is.
        code = error.character if isinstance(error.character, int) else ord(str(error.character)[:1] or "\0")
        at = text.find(chr(code))
        line = text.count("\n", 0, at) + 1 if at >= 0 else 1
        return Problem(display, line, field_at_line(text, line),
                       f"the character U+{code:04X} ({error.reason}) is on this line; "
                       "remove it (retype the line if you cannot see it)")
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


def _loader_for(text: str) -> Any:
    """LibYAML's loader, or for a file with many nesting characters the depth-limited one."""
    rough = sum(text.count(ch) for ch in "[{-:?") + math.isqrt(2 * len(text))  # at least the nesting depth
    safe = rough <= _SAFE_NESTING or len(_NESTING.findall(text)) + math.isqrt(2 * len(text)) <= _SAFE_NESTING
    return EntryLoader(text) if safe else _DepthLimitedLoader(text)


def _document(node: yaml.Node | None, text: str, display: str) -> Problem | None:
    """The problem of an empty file, or of one whose aliases expand too far or loop."""
    if node is None:
        return Problem(display, 1, "(file)", "the file is empty; an entry needs at least term, summary, the five "
                                             "sections, risk, related, evidence, references and reviewed")
    # Without an anchor (&name) there is no alias to expand or loop: the walk of ``_read`` checks the depth.
    shape = _shape_problem(node) if "&" in text and not isinstance(node, yaml.ScalarNode) else None
    if shape is not None:
        return Problem(display, shape[0].start_mark.line + 1, "(file)", f"this file {shape[1]}")
    return None


def read_yaml(path: Path, display: str) -> tuple[Any, SourceMap, str, list[Problem]]:
    """Parse one YAML file safely.

    Returns ``(data, source_map, text, problems)``. When problems are returned
    the data is ``None``: a file that cannot be read reliably is not used.
    """
    smap = SourceMap()
    try:
        raw = read_file_bytes(path)
    except FileProblem as error:
        return None, smap, "", [Problem(display, 1, "(file)", str(error))]
    text, problems = _decoded(raw, display)
    if text is None:
        return None, smap, "", problems
    problems = _tab_problems(text, display)
    if problems:
        return None, smap, text, problems
    loader = _loader_for(text)
    node = None
    try:
        node = loader.get_single_node()
        empty_or_shape = _document(node, text, display)
        if empty_or_shape is not None:
            return None, smap, text, [empty_or_shape]
        data, smap, problems = _parsed(node, display, loader)
    except (_DateError, _TooDeep, yaml.YAMLError, ValueError, TypeError) as error:
        return None, smap, text, [_yaml_error(error, text, display, node, loader)]
    finally:
        loader.dispose()
    if problems:
        return None, smap, text, problems
    return data, smap, text, []


def to_json_compatible(data: Any) -> Any:
    """A copy of loaded YAML data in the form JSON Schema expects (dates as ISO strings)."""
    return _plain(data)
