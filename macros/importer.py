"""``python -m macros import``: turn plaintext glossary pages into draft entries.

The format is the one of a glossary page copied from a website: the definition
paragraph first (it starts with the term: "Neurochemical rebalancing describes
..."; a line holding only the term may come before it), then heading lines such
as ``Context`` or ``Risk``, each followed by its text, one paragraph per line.

- Known headings fill their field (``Risk`` fills ``risk.text``).
- Any other heading is kept, with its text, in ``extra_sections``.
- Site boilerplate at the end (a cookie notice and what follows it) is dropped,
  and every dropped line is listed in the report.
- Nothing else is ever lost: every other line of the source ends up, unchanged,
  as one paragraph of one field, and the draft is read back to prove it.

What the source cannot give (risk level, evidence, references, review date) is
left empty with a comment, so ``check`` names each one, with its line.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .authoring import (
    FIELD_HELP,
    AuthoringError,
    entry_path,
    name_collisions,
    name_error,
    other_fields,
    scalar,
    slug_for,
    write_entry,
)
from .model import SCHEMA_LINE, SECTIONS, SLUG, Problem
from .registry import Glossary

__all__ = ["ImportResult", "Page", "SourceError", "import_file", "parse_page", "render_draft"]

#: Heading words (case-insensitive, an ending colon allowed) and the field their text fills.
KNOWN_HEADINGS: dict[str, str] = {
    "context": "context", "significance": "significance",
    "mechanism": "mechanism", "mechanisms": "mechanism",
    "application": "application", "applications": "application",
    "metric": "metric", "metrics": "metric",
    "risk": "risk.text", "risks": "risk.text",
    "origin": "origin", "origins": "origin",
}
#: A definition names its term first: "<term> refers to / describes / is ...".
_DEFINES = re.compile(r"^(?P<term>[^.,;:!?()]{1,100}?(?:\s*\([^()]{1,60}\))?)\s+"
                      r"(?:refers to|describes|denotes|means|is defined as|can be defined as|is|are)\s", re.I)
_ARTICLE = re.compile(r"^(?:the|a|an)\s+", re.I)
_ABBREVIATION = re.compile(r"^(?P<term>.+?)\s*\((?P<alias>[^()]+)\)$")
#: Lines that open the trailing site furniture of a saved web page (cookie banners, footers).
_BOILERPLATE = re.compile(
    r"\b(?:we|this (?:web)?site|our (?:web)?site)\b.{0,60}\buses?\s+cookies\b"
    r"|\bcookie (?:preferences|settings|policy|consent|notice)\b"
    r"|\b(?:analytics|personali[sz]ation|marketing|functional|necessary|essential) cookies\b"
    r"|\baccept (?:all )?cookies\b|\ball rights reserved\b|^\s*(?:©|copyright\s+(?:©\s*)?\d{4})"
    r"|\b(?:subscribe to|sign up for) our newsletter\b|^\s*privacy policy\s*$|^\s*terms of (?:use|service)\s*$",
    re.I)


@dataclass
class Section:
    """A run of paragraphs under one heading of the source (or before the first heading)."""

    heading: str
    line: int                      # line of the heading (of the definition's first line for the summary)
    paragraphs: list[str] = field(default_factory=list)


@dataclass
class Page:
    """A parsed glossary page: what goes where, and what was dropped."""

    source: str
    term: str
    term_line: int
    aliases: list[str]
    summary: Section
    fields: dict[str, Section]     # "context", ..., "risk.text", "origin"
    extra: list[Section]
    boilerplate: list[tuple[int, str]]
    notes: list[str]

    def text(self, section: Section | None) -> str:
        """The field text of a section: its paragraphs, separated by blank lines (Markdown paragraphs)."""
        return "\n\n".join(section.paragraphs) if section else ""

    def expected(self) -> dict[str, str]:
        """Every text the draft must hold, by field path, for the read-back check."""
        out = {"term": self.term, "summary": self.text(self.summary)}
        for name, section in self.fields.items():
            out[name] = self.text(section)
        for index, section in enumerate(self.extra):
            out[f"extra_sections[{index}].heading"] = section.heading
            out[f"extra_sections[{index}].text"] = self.text(section)
        return {k: v for k, v in out.items() if v}


class SourceError(Exception):
    """A source that cannot be imported; carries the located problem."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def _heading_key(line: str) -> str:
    return line.strip().lstrip("#").strip().rstrip(":").strip().casefold()


def _looks_like_heading(line: str) -> bool:
    """A short line without sentence punctuation, starting with a capital: ``Origin``, ``Further reading``."""
    words = line.split()
    return (1 <= len(words) <= 6 and len(line) <= 60 and (line[0].isupper() or line[0].isdigit())
            and line.rstrip(":")[-1:] not in {".", ",", ";", "!", "?", ""} and not re.search(r"[.;!?]\s", line))


def _find_term(summary: Section, title: tuple[int, str] | None, given: str | None,
               source: str) -> tuple[str, list[str], int]:
    """The term (and an abbreviation in brackets after it, as an alias) and the line it was found on."""
    if given:
        return given, [], title[0] if title else summary.line
    if title:
        line, candidate = title
    elif not summary.paragraphs:
        raise SourceError(Problem(source, summary.line, "(file)",
                                  "the page has no definition paragraph before its first heading, so its term "
                                  "is unknown; pass --term \"Term Name\" for this file"))
    else:
        first = summary.paragraphs[0]
        match = _DEFINES.match(first)
        if not match:
            shown = (first[:60] + "…") if len(first) > 60 else first
            raise SourceError(Problem(source, summary.line, "(file)",
                                      f"cannot tell the term from the definition '{shown}': it should start "
                                      "with 'Term refers to …', 'Term describes …' or 'Term is …'; "
                                      "pass --term \"Term Name\" for this file"))
        candidate, line = match.group("term").strip(), summary.line
    candidate = _ARTICLE.sub("", candidate)
    aliases: list[str] = []
    abbreviation = _ABBREVIATION.match(candidate)
    if abbreviation and name_error(abbreviation.group("alias").strip()) is None:
        candidate, aliases = abbreviation.group("term").strip(), [abbreviation.group("alias").strip()]
    return candidate[:1].upper() + candidate[1:], aliases, line


def _content(text: str, source: str) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """The non-blank lines of a glossary page, and its trailing boilerplate (from the first furniture line
    after the last known heading to the end); raises :class:`SourceError` if it is not a glossary page."""
    content = [(number, line.strip()) for number, line in enumerate(text.split("\n"), start=1) if line.strip()]
    if not content:
        raise SourceError(Problem(source, 1, "(file)", "the file is empty; there is nothing to import"))
    known = [i for i, (_n, line) in enumerate(content) if _heading_key(line) in KNOWN_HEADINGS]
    if not known:
        names = ", ".join(sorted({h.capitalize() for h in KNOWN_HEADINGS if not h.endswith("s")}))
        raise SourceError(Problem(source, content[0][0], "(file)",
                                  f"no known heading line ({names}) was found, so this is not a glossary page "
                                  "(a term's definition, then heading lines each followed by its text); "
                                  "nothing was imported from it"))
    for i in range(known[-1] + 1, len(content)):
        if _BOILERPLATE.search(content[i][1]):
            return content[:i], content[i:]
    return content, []


def _headings(content: list[tuple[int, str]]) -> set[int]:
    """Known headings, and short heading-like lines that have text under them (kept as extra sections)."""
    found = set()
    for i, (_number, line) in enumerate(content):
        following = content[i + 1][1] if i + 1 < len(content) else None
        if _heading_key(line) in KNOWN_HEADINGS or (
                i > 0 and following is not None and _looks_like_heading(line)
                and _heading_key(following) not in KNOWN_HEADINGS):
            found.add(i)
    return found


def _sections(content: list[tuple[int, str]]) -> tuple[tuple[int, str] | None, Section, list[Section]]:
    """The title line (if any), the definition paragraph and the headed sections, in order."""
    headings = _headings(content)
    # A title line holding only the term may come before the definition paragraph.
    title: tuple[int, str] | None = None
    start = 0
    if len(content) > 1 and 0 not in headings and 1 not in headings and _looks_like_heading(content[0][1]) \
            and not _DEFINES.match(content[0][1]):
        title, start = content[0], 1
    summary = Section("(definition)", content[start][0])
    sections: list[Section] = []
    current = summary
    for i in range(start, len(content)):
        number, line = content[i]
        if i in headings:
            current = Section(line.strip().lstrip("#").strip().rstrip(":").strip(), number)
            sections.append(current)
        else:
            current.paragraphs.append(line)
    return title, summary, sections


def _fields(sections: list[Section]) -> tuple[dict[str, Section], list[Section], list[str]]:
    """Each section put in its field (a repeated heading adds to it) or kept as an extra section, with notes."""
    notes: list[str] = []
    fields: dict[str, Section] = {}
    extra: list[Section] = []
    for section in sections:
        target = KNOWN_HEADINGS.get(_heading_key(section.heading))
        if not section.paragraphs:
            notes.append(f"the heading '{section.heading}' (line {section.line}) has no text under it")
        if target is None:
            extra.append(section)
            notes.append(f"kept the heading '{section.heading}' (line {section.line}), which matches no field, "
                         f"and its text as extra_sections[{len(extra) - 1}]")
        elif target in fields:
            fields[target].paragraphs.extend(section.paragraphs)
            notes.append(f"the heading '{section.heading}' appears again on line {section.line}; its text was "
                         f"added to {target} after that of line {fields[target].line}")
        else:
            fields[target] = section
    return fields, extra, notes


def parse_page(text: str, source: str, term: str | None = None) -> Page:
    """Split one plaintext glossary page into fields; raises :class:`SourceError` if it is not one.

    ``source`` is how the file is named in messages; ``term`` overrides the term found in the text.
    """
    content, boilerplate = _content(text, source)
    title, summary, sections = _sections(content)
    found_term, aliases, term_line = _find_term(summary, title, term, source)
    fields, extra, notes = _fields(sections)
    return Page(source=source, term=found_term, term_line=term_line, aliases=aliases, summary=summary,
                fields=fields, extra=extra, boilerplate=boilerplate, notes=notes)


def _block(key: str, text: str, indent: str = "") -> list[str]:
    """``key: |-`` and the text, indented: a literal block keeps every character and line break."""
    body = [f"{indent}  {line}" if line else "" for line in text.split("\n")]
    indicator = "|2-" if text[:1] == " " else "|-"
    return [f"{indent}{key}: {indicator}", *body]


def _from(section: Section) -> str:
    return f"# From the source's '{section.heading}' section (line {section.line})."


def render_draft(page: Page, source_name: str, glossary: Glossary | None = None) -> str:
    """The YAML text of the draft entry for ``page``; the fields the source lacks are left empty."""
    from .authoring import _comment  # the same comments as `new`

    out = [
        SCHEMA_LINE,
        f"# Imported by `python -m macros import` from {source_name}",
        "# The text is the source's, word for word, one paragraph per line of the source. Fill in every",
        "# empty field (`make check` names each one, with its line), check the text against your",
        "# references, then set `status: published`.",
        "",
        _comment("term"), f"term: {scalar(page.term)}",
        _comment("aliases"), f"aliases: [{', '.join(scalar(a) for a in page.aliases)}]",
    ]
    if page.summary.paragraphs:
        out += [f"# From the source's definition paragraph (line {page.summary.line}).", f"# {FIELD_HELP['summary']}",
                *_block("summary", page.text(page.summary))]
    else:
        out += [f"# Not in the source. {FIELD_HELP['summary']}", "summary:"]
    for name in SECTIONS:
        section = page.fields.get(name)
        if section and section.paragraphs:
            out += [_from(section), *_block(name, page.text(section))]
        else:
            out += [f"# Not in the source. {FIELD_HELP[name]}", f"{name}:"]
    out += ["risk:", "  " + _comment("risk.level"), "  level:"]
    risk = page.fields.get("risk.text")
    if risk and risk.paragraphs:
        out += ["  " + _from(risk), *_block("text", page.text(risk), "  ")]
    else:
        out += [f"  # Not in the source. {FIELD_HELP['risk.text']}", "  text:"]
    origin = page.fields.get("origin")
    if origin and origin.paragraphs:
        out += [_from(origin), *_block("origin", page.text(origin))]
    if page.extra:
        out += ["# Headings of the source that match no field, kept with their text: move the text into the",
                "# fields above, or keep them as sections of their own (shown after Origin).", "extra_sections:"]
        for section in page.extra:
            out += [f"  # From line {section.line} of the source.", f"- heading: {scalar(section.heading)}"]
            out += _block("text", page.text(section), "  ") if section.paragraphs else \
                ["  # The source has no text under this heading.", "  text:"]
    out += [
        _comment("related", glossary), "related: []",
        _comment("tags"), "tags: []",
        _comment("evidence"), "evidence:",
        _comment("references", glossary), "references: []",
        _comment("reviewed"), "reviewed:",
        _comment("status"), "status: draft",
        *other_fields(),
    ]
    return "\n".join(out) + "\n"


def _value(data: Any, path: str) -> Any:
    for part in re.findall(r"[^.\[\]]+|\[\d+\]", path):
        if part.startswith("["):
            index = int(part[1:-1])
            data = data[index] if isinstance(data, list) and index < len(data) else None
        else:
            data = data.get(part) if isinstance(data, dict) else None
    return data


@dataclass
class ImportResult:
    """What happened to one source file."""

    source: str
    page: Page | None = None
    target: str = ""                   # glossary/<slug>.yaml
    replaced: bool = False
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error


def _read_source(path: Path, source: str) -> str:
    try:
        raw = path.read_bytes()
    except IsADirectoryError:
        raise SourceError(Problem(source, 1, "(file)", "this is a folder, not a text file")) from None
    except OSError as error:
        raise SourceError(Problem(source, 1, "(file)", f"cannot read it ({error.strerror or error})")) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        raise SourceError(Problem(source, line, "(file)",
                                   f"the file is not UTF-8 text (byte 0x{raw[error.start]:02x} on this line); "
                                   "save it with UTF-8 encoding")) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _refusal(page: Page, source: str, slug: str, target: str, glossary: Glossary, *, exists: bool, force: bool,
             taken: Iterable[str]) -> str | None:
    """Why the page cannot be imported as ``target`` (nothing is written then), or None."""
    problem = name_error(page.term)
    if problem:
        return str(Problem(source, page.term_line, "(file)",
                           f"the term '{page.term}' {problem}; pass --term \"Term Name\" for this file"))
    if not SLUG.match(slug):
        return str(Problem(source, page.term_line, "(file)",
                           f"the term '{page.term}' gives no usable file name; pass --term"))
    if slug in taken:
        return f"{source}: {target} was just imported from another file of this run; " \
               "import them one at a time, with --term, to give them different names"
    if exists and not force:
        return f"{source}: {target} already exists; nothing was written (pass --force to " \
               "replace it with this import)"
    clashes = name_collisions(glossary, slug, [page.term, *page.aliases], replacing=slug if force else None)
    if clashes:
        return f"{source}: the term cannot be added: " + "; ".join(clashes) + "; nothing was written " \
               "(pass --term \"Another Name\" to import it under another term)"
    return None


def _verifier(page: Page) -> Callable[[Any, list[str]], str | None]:
    """What ``write_entry`` checks before it keeps the file: it reads back every field of the source exactly."""
    expected = page.expected()

    def verify(data: Any, problems: list[str]) -> str | None:
        if problems or not isinstance(data, dict):
            return "; ".join(problems) or "not a mapping"
        for key, value in expected.items():
            if _value(data, key) != value:
                return f"{key} would not hold the source's text exactly"
        return None
    return verify


def import_file(root: Path, path: Path, source: str, glossary: Glossary, *, force: bool = False,
                dry_run: bool = False, term: str | None = None, taken: Iterable[str] = ()) -> ImportResult:
    """Import one source file as ``glossary/<slug>.yaml`` (status: draft); never raises for bad input.

    ``taken`` are slugs already written by this run. Without ``force`` an existing file is never
    replaced; with it, only the file of the same slug is (and its own names do not count as clashes).
    """
    result = ImportResult(source=source)
    try:
        page = parse_page(_read_source(path, source), source, term)
    except SourceError as error:
        result.error = str(error.problem)
        return result
    result.page = page
    named = name_error(page.term) is None
    slug = slug_for(page.term) if named else ""
    target = entry_path(root, slug)
    if named:
        result.target = f"glossary/{target.name}"
    exists = target.exists() or target.with_suffix(".yml").exists()
    refusal = _refusal(page, source, slug, result.target, glossary, exists=exists, force=force, taken=taken)
    if refusal is not None:
        result.error = refusal
        return result
    text, verify = render_draft(page, source, glossary), _verifier(page)
    try:
        if dry_run:
            import tempfile
            with tempfile.TemporaryDirectory() as scratch:
                write_entry(Path(scratch) / target.name, text, verify=verify)
        else:
            write_entry(target, text, replace=force and exists, verify=verify)
    except AuthoringError as error:
        result.error = f"{source}: {error}"
        if not dry_run:
            return result
    result.replaced = exists
    return result
    result.replaced = exists
    return result
