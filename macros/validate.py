"""Per-file checks: the JSON Schema, then the text rules (no raw HTML, no script URLs).

Each check returns :class:`Problem` objects pointing at the file, line and field.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Callable, Iterable
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .loader import to_json_compatible
from .model import Entry, Problem, SourceMap, scan_links
from .quickschema import quick_validator as _quick_validator

if TYPE_CHECKING:  # jsonschema itself is imported on first use (see schema_validator)
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError

SCHEMA_DIR = Path(__file__).parent / "schemas"
ENTRY_SCHEMA = SCHEMA_DIR / "entry.schema.json"
REFERENCES_SCHEMA = SCHEMA_DIR / "references.schema.json"

#: ``[[slug]]`` or ``[[slug|shown text]]``.
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


def quick_validator(path: Path = ENTRY_SCHEMA) -> Callable[[Any], bool] | None:
    """A fast test that loaded YAML is valid against a schema file, or None when the schema is beyond it
    (``quickschema.py``).

    ``schema_problems`` asks it first and runs jsonschema only when it does not say valid:
    jsonschema stays the judge and writes every message, but valid entries cost a few
    microseconds instead of a full schema walk, and a clean check never imports jsonschema.
    """
    return _quick_validator(path)


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


def _extra_heading_problems(entry: Entry) -> list[Problem]:
    """Extra sections may not reuse a heading every concept page already has."""
    problems = []
    for index, (heading, _text) in enumerate(entry.extra_sections):
        if heading.strip().casefold() in PAGE_HEADINGS:
            where = f"extra_sections[{index}].heading"
            field = PAGE_HEADINGS[heading.strip().casefold()]
            hint = f"move its text into the field '{field}'" if field else "give the section another heading"
            problems.append(Problem(entry.path, entry.source.line(where), where,
                                    f"'{heading}' is already a heading of every concept page; {hint}"))
    return problems


def _html_problems(entry: Entry, field: str, bare: str) -> list[Problem]:
    """Raw HTML in a field's text (code spans and autolinks removed): one message per tag name."""
    problems = []
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
    return problems


def _markdown_problems(entry: Entry, field: str, text: str, bare: str) -> list[Problem]:
    """Script URLs, images, headings and unbalanced ``[[`` in a field's text."""
    problems = []
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
    leftover = scan_links(text)[1] if "[[" in text or "]]" in text else ""
    if "[[" in leftover or "]]" in leftover:
        problems.append(Problem(entry.path, locate(entry, field, "[[" if "[[" in leftover else "]]"), field,
                                "unbalanced '[[' link; write [[slug]] or [[slug|shown text]]"))
    return problems


def text_problems(entry: Entry) -> list[Problem]:
    """Raw HTML, script URLs, headings and malformed ``[[`` links in every text field."""
    problems = _extra_heading_problems(entry)
    for field, text in entry.text_fields():
        if not text or not _TRIGGERS.search(text):
            continue  # every rule below needs one of these characters: most fields have none
        # Removing code spans and autolinks only deletes text: without '`' or '<' the text is already bare.
        bare = _AUTOLINK.sub("", _CODE_SPAN.sub("", text)) if "`" in text or "<" in text else text
        problems += _html_problems(entry, field, bare)
        problems += _markdown_problems(entry, field, text, bare)
    return problems


