"""Per-file checks: the JSON Schema, the names, then the text fields judged on their rendered HTML (``markup``).

Each check returns :class:`Problem` objects pointing at the file, line and field.
"""

from __future__ import annotations

import difflib
import json
import posixpath
import re
import unicodedata
from collections.abc import Callable, Iterable
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .loader import to_json_compatible
from .markup import SiteMarkdown, field_markdown, judge, needs_judging, site_markdown, term_link
from .model import Entry, Problem, SourceMap, scan_links
from .quickschema import quick_validator as _quick_validator

if TYPE_CHECKING:  # jsonschema itself is imported on first use (see schema_validator)
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError

SCHEMA_DIR = Path(__file__).parent / "schemas"
ENTRY_SCHEMA = SCHEMA_DIR / "entry.schema.json"
REFERENCES_SCHEMA = SCHEMA_DIR / "references.schema.json"

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


#: Unicode categories a name may never hold: controls, format characters (zero-width, bidi overrides),
#: surrogates, private-use and unassigned code points, line and paragraph separators.
_FORBIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
#: Cyrillic and Greek letters that look like Latin ones (after case-folding), and what they look like.
#: Greek letters used as themselves in names (alpha, beta, gamma, delta, kappa, mu...) are not here.
LOOK_ALIKES = {
    "а": "a", "в": "b", "е": "e", "ѐ": "è", "ё": "ë", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p",
    "с": "c", "т": "t", "у": "y", "х": "x", "ѕ": "s", "і": "i", "ї": "ï", "ј": "j", "һ": "h", "ԁ": "d",
    "ԛ": "q", "ԝ": "w", "ɡ": "g", "ο": "o", "ϲ": "c", "ν": "v", "ρ": "p", "ι": "i", "η": "n", "τ": "t",
    "ϳ": "j", "υ": "u", "χ": "x", "ζ": "z", "ı": "i",
}


_CHARACTER_REFERENCE = re.compile(r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")


def name_key(name: str) -> str:
    """The form two names are compared in: NFKC, case-folded (``"ＧＡＢＡ"``, ``"gaba"`` and ``"GABA"`` are one)."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name).casefold())


def skeleton(name: str) -> str:
    """``name_key`` with Cyrillic and Greek look-alikes of Latin letters replaced: what a reader sees."""
    return "".join(LOOK_ALIKES.get(ch, ch) for ch in name_key(name))


def _describe(ch: str) -> str:
    return f"U+{ord(ch):04X} {unicodedata.name(ch, 'control character').lower()}"


def name_character_problem(name: str) -> str | None:
    """Why a term, alias or section heading cannot be written as it is (a character in it), or None."""
    for ch in name:
        if unicodedata.category(ch) in _FORBIDDEN_CATEGORIES:
            what = "a line break" if ch in "\n\r\u2028\u2029\x85" else "an invisible or control character"
            return f"contains {what} ({_describe(ch)}); retype the name without it"
    reference = _CHARACTER_REFERENCE.search(name)
    if reference:
        return (f"contains the character reference '{reference.group(0)}', which some places would show as a "
                "character and others as written; write the character itself, or the words")
    for word in re.findall(r"\w+", name):
        mixed = [ch for ch in word if ch.casefold() in LOOK_ALIKES]
        if mixed and any("a" <= ch <= "z" for ch in word.casefold()):
            return (f"mixes Latin letters with a look-alike letter from another alphabet ({_describe(mixed[0])}) "
                    f"in '{word}'; write it in Latin letters")
    return None


def name_problems(entry: Entry) -> list[Problem]:
    """Every character of the term, the aliases and the extra section headings: nothing invisible, no line
    breaks, no character references, no look-alike letters mixed into a Latin word (the schema refuses
    markup characters)."""
    problems = []
    names = [("term", entry.data.get("term"))]
    names += [(f"aliases[{i}]", a) for i, a in enumerate(entry.data.get("aliases") or [])
              if isinstance(entry.data.get("aliases"), list)]
    sections = entry.data.get("extra_sections")
    names += [(f"extra_sections[{i}].heading", item.get("heading")) for i, item in
              enumerate(sections if isinstance(sections, list) else []) if isinstance(item, dict)]
    for field, name in names:
        if isinstance(name, str):
            message = name_character_problem(name)
            if message:
                problems.append(Problem(entry.path, entry.source.line(field), field, message))
    return problems


#: Headings every concept page already has, with the field that holds their text (if any).
PAGE_HEADINGS: dict[str, str | None] = {
    "context": "context", "significance": "significance", "mechanism": "mechanism", "application": "application",
    "metric": "metric", "risk": "risk.text", "origin": "origin", "related concepts": None, "mentioned in": None,
    "references": None,
}


#: At most this many '[' and '<' in one field (after [[links]] become Markdown links, one '[' each): a few
#: thousand would take Python-Markdown seconds to read (its bracket matching is quadratic).
MAX_OPENERS = 300

#: The project whose mkdocs.yml configures the Markdown when a caller names none (this repository).
DEFAULT_ROOT = Path(__file__).resolve().parents[1]


def _stand_in_link(slug: str, shown: str | None, *, sentence_start: bool = True) -> str:  # noqa: ARG001
    """A term link as the renderer writes it; its target and tooltip are checked elsewhere."""
    return term_link(shown or slug, f"{slug}.md", "summary")


def _relative_link_problem(href: str, root: Path, docs_dir: str) -> str | None:
    """Why a relative link in an entry would stop the strict build (MkDocs validates every one), or None.

    MkDocs resolves it from the entry's page, ``glossary/<slug>.md``, and accepts only a link to a
    Markdown file of the site, optionally with an anchor; a citation's ``#ref-...`` is ours.
    """
    path, _hash, anchor = href.partition("#")
    if not path:
        return None if anchor.startswith("ref-") else (
            f"the link '{href}' points to a place on this page, but the text is also shown on other pages; "
            "link to an entry with [[slug]] or to a web page with [text](https://...)")
    target = posixpath.normpath(posixpath.join("glossary", path))
    if not path.endswith(".md") or target.startswith("../") or "?" in path:
        return (f"the link '{href}' does not lead to a page of this site (the strict build would stop); link to "
                "an entry with [[slug]], to a page of this site by its file, e.g. [About](../about.md), or to a "
                "web page with [text](https://...)")
    stem = target[len("glossary/"):-3] if target.startswith("glossary/") else ""
    generated = target in ("glossary/index.md", "tags/index.md") or target.startswith("tags/") or \
        (stem and (root / "glossary" / f"{stem}.yaml").is_file())
    if generated or (root / docs_dir / target).is_file():
        return None
    return (f"the link '{href}' leads to '{target}', which is not a page of this site (the strict build would "
            "stop); link to an entry with [[slug]] or fix the file name")


def markup_problems(path: str, where: Callable[[str, str], int], field: str, source: str,
                    root: Path, config: SiteMarkdown) -> list[Problem]:
    """The problems of one field's finished Markdown (``source``), judged on the HTML it renders to."""
    findings, relative, _html = judge(source, config)
    problems = [Problem(path, where(field, finding.needle), field, finding.message) for finding in findings]
    for href in relative:
        message = _relative_link_problem(href, root, config.docs_dir)
        if message:
            problems.append(Problem(path, where(field, href), field, message))
    return problems


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


def _field_problems(entry: Entry, field: str, text: str, root: Path, config: SiteMarkdown) -> list[Problem]:
    """One field rendered as the page renders it and held against the allow-list, and its unbalanced ``[[``."""
    source = field_markdown(text, _stand_in_link)
    openers = source.count("[") + source.count("<")
    if openers > MAX_OPENERS:  # Python-Markdown reads brackets in quadratic time: it is not asked to
        return [Problem(entry.path, entry.source.line(field), field,
                        f"holds {openers} '[' and '<' characters (links count one each); a field may "
                        f"hold at most {MAX_OPENERS}: split the text, or write fewer brackets")]

    def line_of(field: str, needle: str) -> int:
        return locate(entry, field, needle) if needle else entry.source.line(field)

    problems = markup_problems(entry.path, line_of, field, source, root, config)
    leftover = scan_links(text)[1] if "[[" in text or "]]" in text else ""
    if "[[" in leftover or "]]" in leftover:
        problems.append(Problem(entry.path, locate(entry, field, "[[" if "[[" in leftover else "]]"), field,
                                "unbalanced '[[' link; write [[slug]] or [[slug|shown text]]"))
    return problems


def urgent_problems(entry: Entry) -> list[Problem]:
    """A published high-risk entry must say when to get help (``risk.urgent``, the box under its summary).

    Drafts are exempt, so a new entry can be written in steps; an empty or mistyped list is the schema's to report.
    """
    risk = entry.data.get("risk")
    if not entry.published or not isinstance(risk, dict) or risk.get("level") != "high" or "urgent" in risk:
        return []
    return [Problem(entry.path, entry.source.line("risk.level"), "risk.urgent",
                    "a high-risk entry needs the 'When to get help' box shown under its summary; add under risk: "
                    "'urgent:' with a list of short plain sentences, emergency signs first, each saying what to "
                    "watch for and what to do (for example '- Call your local emergency number if someone has a "
                    "seizure or cannot be woken.'), and no doses")]


def text_problems(entry: Entry, root: Path | None = None) -> list[Problem]:
    """Each text field rendered as the page renders it and held against the allow-list (``markup.judge``),
    plus unbalanced ``[[`` links and extra sections that repeat a page heading.

    ``root`` is the project folder, whose mkdocs.yml configures the Markdown (default: this repository).
    """
    root = root or DEFAULT_ROOT
    config = site_markdown(root)
    problems = _extra_heading_problems(entry)
    # text_fields() holds the "When to get help" items (risk.urgent[i]) too: judged like every text field.
    for field, text in entry.text_fields():
        if not text or (config.fast_path and not needs_judging(text)):
            continue  # only paragraphs, emphasis and [[links]] can come of it: nothing for the allow-list to refuse
        problems += _field_problems(entry, field, text, root, config)
    return problems
