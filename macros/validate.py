"""Per-file checks: the JSON Schema, then the text rules (no raw HTML, no script URLs).

Each check returns :class:`Problem` objects pointing at the file, line and field.
"""

from __future__ import annotations

import datetime as _dt
import difflib
import json
import re
from collections.abc import Callable, Iterable
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .loader import to_json_compatible
from .model import Entry, Problem, SourceMap

if TYPE_CHECKING:  # jsonschema itself is imported on first use (see schema_validator)
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError

SCHEMA_DIR = Path(__file__).parent / "schemas"
ENTRY_SCHEMA = SCHEMA_DIR / "entry.schema.json"
REFERENCES_SCHEMA = SCHEMA_DIR / "references.schema.json"

#: ``[[slug]]`` or ``[[slug|shown text]]``.
WIKILINK = re.compile(r"\[\[\s*([^\]|\n]*?)\s*(?:\|\s*([^\]\n]*?)\s*)?\]\]")
_CODE_SPAN = re.compile(r"(`+)(.+?)\1", re.S)
_HTML = re.compile(r"<!--|<\s*/?\s*([A-Za-z][A-Za-z0-9-]*)(?=[\s/>])[^<>]*>")
_AUTOLINK = re.compile(r"<(?:https?|mailto):[^<>\s]*>", re.I)
_SCRIPT_URL = re.compile(r"(?i)\b(javascript|vbscript)\s*:|\]\(\s*<?\s*(data)\s*:")
_HEADING = re.compile(r"^\s{0,3}#{1,6}(\s|$)", re.M)
_IMAGE = re.compile(r"!\[[^\]]*\]\(")
_TRIGGERS = re.compile(r"[<:!#\[\]]")  # raw HTML, script URLs, images, headings, [[links]]
_HTML_HINTS = {
    "b": "**bold**", "strong": "**bold**", "i": "*italic*", "em": "*italic*",
    "a": "[[slug]] for an entry or [text](https://...) for another site",
    "br": "a blank line between paragraphs", "p": "a blank line between paragraphs",
    "sub": "plain text such as 5-HT1A", "sup": "plain text such as 5-HT1A",
    "ul": "Markdown list lines starting with '- '", "li": "Markdown list lines starting with '- '",
}
_TYPE_WORDS = {"string": "text", "array": "a list such as [a, b]", "object": "a mapping of fields",
               "integer": "a whole number", "boolean": "true or false", "null": "empty"}


@cache
def schema_validator(path: Path = ENTRY_SCHEMA) -> Draft202012Validator:
    """A compiled validator for a schema file (compiled once per process).

    jsonschema is imported here, on first use: a check whose entries all pass
    ``quick_validator`` never needs it, and importing it is a tenth of such a check.
    """
    from jsonschema import Draft202012Validator, FormatChecker

    schema = json.loads(path.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=FormatChecker())


#: Keywords that never make an instance invalid, with the kind of value the 2020-12 meta-schema allows them.
_ANNOTATIONS: dict[str, type | tuple[type, ...] | None] = {
    "$schema": str, "$comment": str, "title": str, "description": str, "default": None, "examples": list,
    "deprecated": bool, "readOnly": bool, "writeOnly": bool}
_JSON_TYPES: dict[str, Callable[[Any], bool]] = {
    "string": lambda v: isinstance(v, str),
    "array": lambda v: isinstance(v, list),
    "object": lambda v: isinstance(v, dict),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),  # 1.0 is one too: jsonschema decides
    "boolean": lambda v: isinstance(v, bool),
}
_ID = re.compile(r"^[^#]*#?$")


class _Unsupported(Exception):
    """The schema uses something the quick check does not handle: jsonschema then checks every instance."""


def _count(value: Any) -> int:
    """A length bound as the meta-schema allows it (a whole number, at least 0), else unsupported."""
    if type(value) is not int or value < 0:
        raise _Unsupported
    return value


def _quick(schema: Any, root: dict[str, Any], refs: dict[str, Callable[[Any], bool]]) -> Callable[[Any], bool]:
    """Compile ``schema`` into a function that returns True only for data jsonschema finds valid.

    The function takes loaded YAML as it is; jsonschema is given ``to_json_compatible`` of it.
    It may return False for a valid instance (non-text enum values or list items, a date
    written as quoted text): that only means jsonschema decides. Anything outside the small,
    well-formed subset of JSON Schema our schemas use raises :class:`_Unsupported`, so neither
    a schema change nor a broken schema file can make the quick check accept too much: such a
    schema goes to jsonschema, which checks the schema itself first.
    """
    if isinstance(schema, bool):
        return (lambda value: True) if schema else (lambda value: False)
    if not isinstance(schema, dict):
        raise _Unsupported
    if schema is not root and ("$id" in schema or "$defs" in schema):
        raise _Unsupported
    types: list[Callable[[Any], bool]] | None = None
    enum: frozenset[str] | None = None
    required: tuple[str, ...] = ()
    properties: dict[str, Callable[[Any], bool]] = {}
    closed = False
    min_len, max_len, min_items, max_items = 0, None, 0, None
    pattern: re.Pattern[str] | None = None
    dated = False
    unique = False
    items: Callable[[Any], bool] | None = None
    linked: list[Callable[[Any], bool]] = []
    for key, want in schema.items():
        if key.startswith("x-"):
            continue
        if key in _ANNOTATIONS:
            kind = _ANNOTATIONS[key]
            if kind is not None and not isinstance(want, kind):
                raise _Unsupported
        elif key == "$id":
            if not isinstance(want, str) or not _ID.match(want):
                raise _Unsupported
        elif key == "$defs":
            if not isinstance(want, dict):
                raise _Unsupported
            for name in want:  # every definition must be a schema we understand, used or not
                _reference("#/$defs/" + name.replace("~", "~0").replace("/", "~1"), root, refs)
        elif key == "type":
            names = want if isinstance(want, list) else [want]
            if not names or len(set(map(str, names))) != len(names) or not all(n in _JSON_TYPES for n in names):
                raise _Unsupported
            types = [_JSON_TYPES[name] for name in names]
        elif key == "enum" and isinstance(want, list) and all(isinstance(w, str) for w in want):
            enum = frozenset(want)
        elif key == "required" and isinstance(want, list) and all(isinstance(w, str) for w in want) \
                and len(set(want)) == len(want):
            required = tuple(want)
        elif key == "properties" and isinstance(want, dict):
            properties = {name: _quick(sub, root, refs) for name, sub in want.items()}
        elif key == "additionalProperties" and isinstance(want, bool) and "patternProperties" not in schema:
            closed = not want
        elif key == "minLength":
            min_len = _count(want)
        elif key == "maxLength":
            max_len = _count(want)
        elif key == "minItems":
            min_items = _count(want)
        elif key == "maxItems":
            max_items = _count(want)
        elif key == "pattern" and isinstance(want, str):
            try:
                pattern = re.compile(want)
            except re.error:
                raise _Unsupported from None
        elif key == "format" and want == "date":
            dated = True  # a date YAML read as a date is always a valid "date"; text goes to jsonschema
        elif key == "uniqueItems" and isinstance(want, bool):
            unique = want
        elif key == "items" and "prefixItems" not in schema and isinstance(want, (dict, bool)):
            items = _quick(want, root, refs)
        elif key == "$ref" and isinstance(want, str) and want.startswith("#/"):
            linked.append(_reference(want, root, refs))
        else:
            raise _Unsupported
    if len(linked) == 1 and not any((types, enum, required, properties, closed, min_len, max_len is not None,
                                     min_items, max_items is not None, pattern, dated, unique, items)):
        return linked[0]  # a field that only points at a definition: check with the definition itself
    if types is not None and len(types) == 1 and types[0] is _JSON_TYPES["string"] and not linked and enum is None:
        def text(value: Any) -> bool:  # the common case, a text field, in one call
            if isinstance(value, _dt.date):
                if dated and isinstance(value, _dt.datetime):
                    return False
                value = value.isoformat()
            elif dated or not isinstance(value, str):
                return False
            size = len(value)
            if size < min_len or (max_len is not None and size > max_len):
                return False
            return pattern is None or pattern.search(value) is not None
        return text

    def check(value: Any) -> bool:
        if isinstance(value, _dt.date):  # as to_json_compatible() writes it (datetime is a date too)
            if dated and isinstance(value, _dt.datetime):
                return False
            value = value.isoformat()
        elif dated:
            return False
        if types is not None and not any(is_type(value) for is_type in types):
            return False
        if enum is not None and not (isinstance(value, str) and value in enum):
            return False
        for other in linked:
            if not other(value):
                return False
        if isinstance(value, str):
            size = len(value)
            if size < min_len or (max_len is not None and size > max_len):
                return False
            if pattern is not None and pattern.search(value) is None:
                return False
        elif isinstance(value, list):
            size = len(value)
            if size < min_items or (max_items is not None and size > max_items):
                return False
            if unique and not (all(isinstance(x, str) for x in value) and len(set(value)) == size):
                return False
            if items is not None:
                for item in value:
                    if not items(item):
                        return False
        elif isinstance(value, dict):
            for name in required:
                if name not in value:
                    return False
            for name, item in value.items():
                if not isinstance(name, str):
                    return False  # to_json_compatible() would turn it into text: let jsonschema judge
                sub = properties.get(name)
                if sub is None:
                    if closed:
                        return False
                elif not sub(item):
                    return False
        return True

    return check


def _reference(pointer: str, root: dict[str, Any], refs: dict[str, Callable[[Any], bool]]) -> Callable[[Any], bool]:
    """The compiled check of a ``#/...`` reference, compiled once (a reference back to itself works too)."""
    if pointer not in refs:
        target: Any = root
        for part in pointer[2:].split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            if not isinstance(target, dict) or part not in target:
                raise _Unsupported
            target = target[part]
        cell: list[Callable[[Any], bool]] = []

        def forward(value: Any, cell: list[Callable[[Any], bool]] = cell) -> bool:
            return cell[0](value)  # used while the definition is still being compiled

        refs[pointer] = forward
        cell.append(_quick(target, root, refs))
        refs[pointer] = cell[0]
    return refs[pointer]


@cache
def quick_validator(path: Path = ENTRY_SCHEMA) -> Callable[[Any], bool] | None:
    """A fast test that loaded YAML is valid against a schema file, or None when the schema is beyond it.

    ``schema_problems`` asks it first and runs jsonschema only when it does not say valid:
    jsonschema stays the judge and writes every message, but valid entries cost a few
    microseconds instead of a full schema walk, and a clean check never imports jsonschema.
    """
    try:
        schema = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None  # jsonschema reports it, as before
    if not isinstance(schema, dict):
        return None
    try:
        return _quick(schema, schema, {})
    except _Unsupported:
        return None


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for the closest candidate, or ``""``."""
    matches = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f" (did you mean '{matches[0]}'?)" if matches else ""


def _path(parts: Iterable[Any]) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _type_name(value: Any) -> str:
    return {str: "text", list: "a list", dict: "a mapping", int: "a number", float: "a number",
            bool: "true/false", type(None): "empty"}.get(type(value), type(value).__name__)


def _empty_message(schema: dict[str, Any], kind: str, value: Any, custom: str | None) -> str:
    """The message for a field written with nothing after its colon (a placeholder left to fill in)."""
    if kind == "enum":
        return f"is empty; write one of: {', '.join(str(v) for v in value)}"
    if custom:
        return custom if custom.startswith("must not be empty") else f"is empty; it {custom}"
    if schema.get("required"):
        return f"is empty; write its fields: {', '.join(schema['required'])}"
    wanted = value if isinstance(value, list) else [value]
    return f"is empty; write {' or '.join(_TYPE_WORDS.get(str(w), str(w)) for w in wanted)}"


def _schema_message(error: ValidationError) -> list[tuple[str, str]]:
    """(field, message) pairs for one schema error, in words for authors."""
    where = _path(error.absolute_path)
    schema = error.schema if isinstance(error.schema, dict) else {}
    custom = schema.get("x-message")
    kind = error.validator
    if kind == "additionalProperties" and isinstance(error.instance, dict):
        allowed = list(schema.get("properties", {}))
        out = []
        for key in error.instance:
            if key not in allowed:
                hint = did_you_mean(str(key), allowed) or f" (allowed fields: {', '.join(allowed)})"
                out.append((_path([*error.absolute_path, key]), f"unknown field '{key}'{hint}"))
        return out
    if kind == "required" and isinstance(error.instance, dict):
        return [(_path([*error.absolute_path, name]), f"missing required field '{name}'")
                for name in error.validator_value if name not in error.instance]
    if error.instance is None and kind in ("enum", "type"):
        return [(where, _empty_message(schema, kind, error.validator_value, custom))]
    if kind == "enum":
        options = ", ".join(str(v) for v in error.validator_value)
        hint = did_you_mean(str(error.instance), [str(v) for v in error.validator_value])
        return [(where, f"'{error.instance}' is not allowed{hint}; use one of: {options}")]
    if kind == "type":
        wanted = error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
        words = " or ".join(_TYPE_WORDS.get(str(w), str(w)) for w in wanted)
        return [(where, f"must be {words}, not {_type_name(error.instance)}")]
    if kind == "uniqueItems":
        return [(where, "lists the same value more than once; keep one of each")]
    if custom:
        return [(where, custom)]
    return [(where, error.message)]


def schema_problems(data: Any, smap: SourceMap, display: str,
                    schema: Path = ENTRY_SCHEMA) -> list[Problem]:
    """Validate loaded YAML against a JSON Schema; one located problem per error."""
    quick = quick_validator(schema)
    if quick is not None and quick(data):
        return []
    validator = schema_validator(schema)
    instance = to_json_compatible(data)
    problems = []
    for error in validator.iter_errors(instance):
        for field, message in _schema_message(error):
            problems.append(Problem(display, smap.line(field), field or "(file)", message))
    return problems


@lru_cache(maxsize=16)
def _lines(text: str) -> list[str]:
    """The lines of a file's text, split once for the many links ``locate`` looks up in one entry."""
    return text.splitlines()


def locate(entry: Entry, field: str, needle: str) -> int:
    """The line in the entry's file where ``needle`` is written inside ``field``."""
    start, end = entry.source.spans.get(field, (entry.source.line(field), entry.source.line(field)))
    lines = _lines(entry.text)
    for number in range(start, min(end, len(lines)) + 1):
        if needle in lines[number - 1]:
            return number
    return entry.source.line(field)


#: Headings every concept page already has, with the field that holds their text (if any).
PAGE_HEADINGS: dict[str, str | None] = {
    "context": "context", "significance": "significance", "mechanism": "mechanism", "application": "application",
    "metric": "metric", "risk": "risk.text", "origin": "origin", "related concepts": None, "mentioned in": None,
    "references": None,
}


def _may_hold_script_url(text: str) -> bool:
    """False only when ``_SCRIPT_URL`` cannot match: a quick test, since that search is slow on long text.

    ASCII text can match only if it holds ':' and either '](' or 'script' in any case; other
    text (where case-insensitive matching has Unicode subtleties) is always searched.
    """
    if ":" not in text:
        return False
    return not text.isascii() or "](" in text or "script" in text.lower()


def text_problems(entry: Entry) -> list[Problem]:
    """Raw HTML, script URLs, headings and malformed ``[[`` links in every text field."""
    problems = []
    for index, (heading, _text) in enumerate(entry.extra_sections):
        if heading.strip().casefold() in PAGE_HEADINGS:
            where = f"extra_sections[{index}].heading"
            field = PAGE_HEADINGS[heading.strip().casefold()]
            hint = f"move its text into the field '{field}'" if field else "give the section another heading"
            problems.append(Problem(entry.path, entry.source.line(where), where,
                                    f"'{heading}' is already a heading of every concept page; {hint}"))
    for field, text in entry.text_fields():
        if not text or not _TRIGGERS.search(text):
            continue  # every rule below needs one of these characters: most fields have none
        # Removing code spans and autolinks only deletes text: without '`' or '<' the text is already bare.
        bare = _AUTOLINK.sub("", _CODE_SPAN.sub("", text)) if "`" in text or "<" in text else text
        reported: set[str] = set()
        for match in _HTML.finditer(bare) if "<" in bare else ():
            tag = match.group(0)
            name = (match.group(1) or "").lower()
            if name in reported:
                continue  # one message per tag name and field: '<b>' covers its '</b>'
            reported.add(name)
            if name in {"script", "iframe", "style", "object", "embed", "img", "video", "audio", "form"}:
                hint = "scripts, styles and embedded media are never allowed in entries; describe it in words"
            elif tag == "<!--":
                hint = "HTML comments are not allowed; use a YAML comment line starting with '#'"
            else:
                hint = f"write Markdown instead: {_HTML_HINTS.get(name, 'plain Markdown text')}"
            problems.append(Problem(entry.path, locate(entry, field, tag), field,
                                    f"raw HTML '{tag}' is not allowed; {hint}"))
        for match in _SCRIPT_URL.finditer(bare) if _may_hold_script_url(bare) else ():
            scheme = (match.group(1) or match.group(2)).lower()
            problems.append(Problem(entry.path, locate(entry, field, match.group(0).strip("](<")), field,
                                    f"'{scheme}:' links are not allowed; link to an entry with [[slug]] "
                                    "or to a web page with [text](https://...)"))
        for match in _IMAGE.finditer(bare) if "![" in bare else ():
            problems.append(Problem(entry.path, locate(entry, field, match.group(0)), field,
                                    "images are not allowed in entries: the site loads nothing from other places; "
                                    "describe it in words"))
        for match in _HEADING.finditer(text) if "#" in text else ():
            problems.append(Problem(entry.path, locate(entry, field, match.group(0).strip()), field,
                                    "headings are not allowed inside a field: the page template sets the "
                                    "headings; use **bold** text or a new paragraph instead"))
        leftover = _scan_links(text)[1] if "[[" in text or "]]" in text else ""
        if "[[" in leftover or "]]" in leftover:
            problems.append(Problem(entry.path, locate(entry, field, "[[" if "[[" in leftover else "]]"), field,
                                    "unbalanced '[[' link; write [[slug]] or [[slug|shown text]]"))
    return problems


@lru_cache(maxsize=1 << 16)
def _scan_links(text: str) -> tuple[list[tuple[str, str | None, str]], str]:
    """The ``[[links]]`` of ``text`` and what is left of it without them (``WIKILINK.sub("", text)``), in one scan.

    Remembered per text: the text checks, the link checks and the indexes all read the same fields.
    """
    links, rest, last = [], [], 0
    for match in WIKILINK.finditer(text):
        links.append((str(match.group(1)), match.group(2) or None, str(match.group(0))))
        rest.append(text[last:match.start()])
        last = match.end()
    rest.append(text[last:])
    return links, "".join(rest)


def wikilinks(text: str) -> list[tuple[str, str | None, str]]:
    """``(slug, shown_text_or_None, original)`` for every ``[[...]]`` link in ``text``.

    The list is shared between callers (see ``_scan_links``): read it, never change it.
    """
    if "[[" not in text:
        return []
    return _scan_links(text)[0]
