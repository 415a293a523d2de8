"""The quick schema check: a JSON Schema compiled into a plain function that says "valid" fast.

``validate.schema_problems`` asks it first and runs jsonschema only when it does not say valid:
jsonschema stays the judge and writes every message, but valid entries cost a few microseconds
instead of a full schema walk, and a clean check never imports jsonschema.

The compiler is a table of small keyword compilers (``_KEYWORDS``): each reads one keyword of a
schema object into its ``_Rules``; anything outside the small, well-formed subset of JSON Schema our
schemas use raises :class:`Unsupported`, so neither a schema change nor a broken schema file can make
the quick check accept too much: such a schema goes to jsonschema, which checks the schema first.
"""

from __future__ import annotations

import datetime as _dt
import functools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

Check = Callable[[Any], bool]

#: Keywords that never make an instance invalid, with the kind of value the 2020-12 meta-schema allows them.
_ANNOTATIONS: dict[str, type | tuple[type, ...] | None] = {
    "$schema": str, "$comment": str, "title": str, "description": str, "default": None, "examples": list,
    "deprecated": bool, "readOnly": bool, "writeOnly": bool}
_JSON_TYPES: dict[str, Check] = {
    "string": lambda v: isinstance(v, str),
    "array": lambda v: isinstance(v, list),
    "object": lambda v: isinstance(v, dict),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),  # 1.0 is one too: jsonschema decides
    "boolean": lambda v: isinstance(v, bool),
}
_ID = re.compile(r"^[^#]*#?$")


class Unsupported(Exception):
    """The schema uses something the quick check does not handle: jsonschema then checks every instance."""


@dataclass
class _Rules:
    """What one schema object asks of a value."""

    types: list[Check] | None = None
    enum: frozenset[str] | None = None
    required: tuple[str, ...] = ()
    properties: dict[str, Check] = field(default_factory=dict)
    closed: bool = False
    min_len: int = 0
    max_len: int | None = None
    min_items: int = 0
    max_items: int | None = None
    pattern: re.Pattern[str] | None = None
    dated: bool = False
    unique: bool = False
    items: Check | None = None
    linked: list[Check] = field(default_factory=list)

    def only_linked(self) -> bool:
        """A field that only points at a definition (one ``$ref`` and nothing else)."""
        return len(self.linked) == 1 and not any((
            self.types, self.enum, self.required, self.properties, self.closed, self.min_len,
            self.max_len is not None, self.min_items, self.max_items is not None, self.pattern, self.dated,
            self.unique, self.items))

    def plain_text(self) -> bool:
        """A text field without enum or ``$ref``: the common case, checked in one call."""
        return (self.types is not None and len(self.types) == 1 and self.types[0] is _JSON_TYPES["string"]
                and not self.linked and self.enum is None)


@dataclass(frozen=True)
class _Schema:
    """The schema file's root (for ``$ref``) and the compiled references, shared while compiling."""

    root: dict[str, Any]
    refs: dict[str, Check]


def _count(value: Any) -> int:
    """A length bound as the meta-schema allows it (a whole number, at least 0), else unsupported."""
    if type(value) is not int or value < 0:
        raise Unsupported
    return value


def _require(condition: object) -> None:
    """A guard: the schema is beyond the quick check unless ``condition`` holds."""
    if not condition:
        raise Unsupported


def _strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(w, str) for w in value)


# -- the keyword compilers: (rules, the keyword's value, the schema object, the whole schema) -------------

def _id(_rules: _Rules, want: Any, _obj: dict[str, Any], _schema: _Schema) -> None:
    _require(isinstance(want, str) and bool(_ID.match(want)))


def _defs(_rules: _Rules, want: Any, _obj: dict[str, Any], schema: _Schema) -> None:
    _require(isinstance(want, dict))
    for name in want:  # every definition must be a schema we understand, used or not
        _reference("#/$defs/" + name.replace("~", "~0").replace("/", "~1"), schema)


def _type(rules: _Rules, want: Any, _obj: dict[str, Any], _schema: _Schema) -> None:
    names = want if isinstance(want, list) else [want]
    _require(bool(names) and len(set(map(str, names))) == len(names) and all(n in _JSON_TYPES for n in names))
    rules.types = [_JSON_TYPES[name] for name in names]


def _enum(rules: _Rules, want: Any, _obj: dict[str, Any], _schema: _Schema) -> None:
    _require(_strings(want))
    rules.enum = frozenset(want)


def _required(rules: _Rules, want: Any, _obj: dict[str, Any], _schema: _Schema) -> None:
    _require(_strings(want) and len(set(want)) == len(want))
    rules.required = tuple(want)


def _properties(rules: _Rules, want: Any, _obj: dict[str, Any], schema: _Schema) -> None:
    _require(isinstance(want, dict))
    rules.properties = {name: compile_schema(sub, schema) for name, sub in want.items()}


def _additional(rules: _Rules, want: Any, obj: dict[str, Any], _schema: _Schema) -> None:
    _require(isinstance(want, bool) and "patternProperties" not in obj)
    rules.closed = not want


def _bound(name: str) -> Callable[[_Rules, Any, dict[str, Any], _Schema], None]:
    def read(rules: _Rules, want: Any, _obj: dict[str, Any], _schema: _Schema) -> None:
        setattr(rules, name, _count(want))
    return read


def _pattern(rules: _Rules, want: Any, _obj: dict[str, Any], _schema: _Schema) -> None:
    _require(isinstance(want, str))
    try:
        rules.pattern = re.compile(want)
    except re.error:
        raise Unsupported from None


def _format(rules: _Rules, want: Any, _obj: dict[str, Any], _schema: _Schema) -> None:
    _require(want == "date")
    rules.dated = True  # a date YAML read as a date is always a valid "date"; text goes to jsonschema


def _unique(rules: _Rules, want: Any, _obj: dict[str, Any], _schema: _Schema) -> None:
    _require(isinstance(want, bool))
    rules.unique = want


def _items(rules: _Rules, want: Any, obj: dict[str, Any], schema: _Schema) -> None:
    _require("prefixItems" not in obj and isinstance(want, (dict, bool)))
    rules.items = compile_schema(want, schema)


def _ref(rules: _Rules, want: Any, _obj: dict[str, Any], schema: _Schema) -> None:
    _require(isinstance(want, str) and want.startswith("#/"))
    rules.linked.append(_reference(want, schema))


_KEYWORDS: dict[str, Callable[[_Rules, Any, dict[str, Any], _Schema], None]] = {
    "$id": _id, "$defs": _defs, "type": _type, "enum": _enum, "required": _required, "properties": _properties,
    "additionalProperties": _additional, "minLength": _bound("min_len"), "maxLength": _bound("max_len"),
    "minItems": _bound("min_items"), "maxItems": _bound("max_items"), "pattern": _pattern, "format": _format,
    "uniqueItems": _unique, "items": _items, "$ref": _ref,
}


def _rules_of(obj: dict[str, Any], schema: _Schema) -> _Rules:
    rules = _Rules()
    for key, want in obj.items():
        if key.startswith("x-"):
            continue
        if key in _ANNOTATIONS:
            kind = _ANNOTATIONS[key]
            _require(kind is None or isinstance(want, kind))
            continue
        read = _KEYWORDS.get(key)
        if read is None:
            raise Unsupported
        read(rules, want, obj, schema)
    return rules


# -- the compiled checks ----------------------------------------------------------------------------------

def _text(rules: _Rules, value: Any) -> bool:
    if isinstance(value, _dt.date):
        if rules.dated and isinstance(value, _dt.datetime):
            return False
        value = value.isoformat()
    elif rules.dated or not isinstance(value, str):
        return False
    size = len(value)
    if size < rules.min_len or (rules.max_len is not None and size > rules.max_len):
        return False
    return rules.pattern is None or rules.pattern.search(value) is not None


def _list_ok(rules: _Rules, value: list[Any]) -> bool:
    size = len(value)
    if size < rules.min_items or (rules.max_items is not None and size > rules.max_items):
        return False
    if rules.unique and not (all(isinstance(x, str) for x in value) and len(set(value)) == size):
        return False
    return rules.items is None or all(rules.items(item) for item in value)


def _mapping_ok(rules: _Rules, value: dict[Any, Any]) -> bool:
    if any(name not in value for name in rules.required):
        return False
    for name, item in value.items():
        if not isinstance(name, str):
            return False  # to_json_compatible() would turn it into text: let jsonschema judge
        sub = rules.properties.get(name)
        if sub is None:
            if rules.closed:
                return False
        elif not sub(item):
            return False
    return True


def _value_ok(rules: _Rules, value: Any) -> bool:
    if rules.types is not None and not any(is_type(value) for is_type in rules.types):
        return False
    if rules.enum is not None and not (isinstance(value, str) and value in rules.enum):
        return False
    if not all(other(value) for other in rules.linked):
        return False
    if isinstance(value, str):
        size = len(value)
        if size < rules.min_len or (rules.max_len is not None and size > rules.max_len):
            return False
        return rules.pattern is None or rules.pattern.search(value) is not None
    if isinstance(value, list):
        return _list_ok(rules, value)
    if isinstance(value, dict):
        return _mapping_ok(rules, value)
    return True


def _general(rules: _Rules, value: Any) -> bool:
    if isinstance(value, _dt.date):  # as to_json_compatible() writes it (datetime is a date too)
        if rules.dated and isinstance(value, _dt.datetime):
            return False
        value = value.isoformat()
    elif rules.dated:
        return False
    return _value_ok(rules, value)


def compile_schema(obj: Any, schema: _Schema) -> Check:
    """Compile schema object ``obj`` into a function that returns True only for data jsonschema finds valid.

    The function takes loaded YAML as it is; jsonschema is given ``to_json_compatible`` of it. It may
    return False for a valid instance (non-text enum values or list items, a date written as quoted
    text): that only means jsonschema decides.
    """
    if isinstance(obj, bool):
        return (lambda value: True) if obj else (lambda value: False)
    _require(isinstance(obj, dict))
    _require(obj is schema.root or ("$id" not in obj and "$defs" not in obj))
    rules = _rules_of(obj, schema)
    if rules.only_linked():
        return rules.linked[0]  # check with the definition itself
    return functools.partial(_text if rules.plain_text() else _general, rules)


def _reference(pointer: str, schema: _Schema) -> Check:
    """The compiled check of a ``#/...`` reference, compiled once (a reference back to itself works too)."""
    if pointer not in schema.refs:
        target: Any = schema.root
        for part in pointer[2:].split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            _require(isinstance(target, dict) and part in target)
            target = target[part]
        cell: list[Check] = []

        def forward(value: Any, cell: list[Check] = cell) -> bool:
            return cell[0](value)  # used while the definition is still being compiled

        schema.refs[pointer] = forward
        cell.append(compile_schema(target, schema))
        schema.refs[pointer] = cell[0]
    return schema.refs[pointer]


@functools.cache
def quick_validator(path: Path) -> Check | None:
    """A fast test that loaded YAML is valid against a schema file, or None when the schema is beyond it."""
    try:
        schema = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None  # jsonschema reports it, as before
    if not isinstance(schema, dict):
        return None
    try:
        return compile_schema(schema, _Schema(root=schema, refs={}))
    except Unsupported:
        return None
