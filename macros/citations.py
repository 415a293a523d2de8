"""Inline citations: ``[@key]``, ``[@key, p. 212]`` and ``[@key1; @key2]``.

One parser serves every use, so the check, the pages, the tooltips and the export never
disagree about what is a citation:

- :func:`scan` finds the citations of a text (and the attempts that are malformed);
- :func:`citation_problems` and :func:`page_problems` are the ``check`` rules;
- :func:`number_citations` turns the citations of a finished page into numbered superscript
  links (``<sup><a class="glossary-cite" href="#ref-KEY">N</a></sup>``), in order of first
  citation, and says where each source is cited, for the back-links of the References list;
- :func:`strip_citations` and :func:`extract_citations` give text without them (tooltips,
  meta descriptions, ``glossary.json``), the latter with the citations as data;
- :func:`reference_html` renders one bibliography record from its public fields only.

Nothing here imports MkDocs.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .model import Entry, Problem

if TYPE_CHECKING:
    from .registry import Glossary
    from .style import Style

__all__ = ["Cite", "Malformed", "Numbered", "PUBLIC_FIELDS", "cited_keys", "citation_problems", "creative_work",
           "entry_text_fields", "extract_citations", "number_citations", "page_problems", "public_reference",
           "reference_html", "reference_title", "scan", "strip_citations"]

#: The fields of a bibliography record that may ever reach a reader (pages, tooltips, export, JSON-LD).
#: ``supports``, ``caution`` and ``verification`` are notes for authors and are never read here.
PUBLIC_FIELDS: tuple[str, ...] = ("key", "type", "title", "authors", "year", "publisher_or_journal",
                                  "volume_pages", "url", "identifiers")

FORMS = "write [@key], [@key, p. 212] or [@key1; @key2]"
_OPEN = re.compile(r"\[[ \t]*@")
_CODE_SPAN = re.compile(r"(`+)(.+?)\1", re.S)
_FENCE = re.compile(r"^[ \t]*(```+|~~~+)[^\n]*\n.*?^[ \t]*\1[ \t]*$", re.M | re.S)
_ITEM = re.compile(r"@([^\s,;@\[\]]+)(?:\s*,\s*(.*))?", re.S)
_HEADING = re.compile(r"^(#{1,3})[ \t]+(.+?)[ \t]*#*[ \t]*$", re.M)
_ATTRS = re.compile(r"\s*\{[^{}]*\}\s*$")
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MAX_LENGTH = 400  # a '[@' with no ']' this soon after it is taken as unclosed


@dataclass(frozen=True)
class Cite:
    """One citation group as written: ``items`` are ``(key, locator or None)`` in order."""

    start: int
    end: int
    raw: str
    items: tuple[tuple[str, str | None], ...]


@dataclass(frozen=True)
class Malformed:
    """Something that starts like a citation but is not one; ``reason`` says what to write."""

    start: int
    end: int
    raw: str
    reason: str


def _masked(text: str, *, fences: bool) -> list[tuple[int, int]]:
    """Spans of code (code spans, and fenced blocks in pages) where ``[@`` is shown as written."""
    spans = [(m.start(), m.end()) for m in _FENCE.finditer(text)] if fences and ("```" in text or "~~~" in text) \
        else []
    if "`" in text:
        spans += [(m.start(), m.end()) for m in _CODE_SPAN.finditer(text)
                  if not any(a <= m.start() < b for a, b in spans)]
    return spans


def _parse(inner: str) -> tuple[tuple[tuple[str, str | None], ...], str]:
    """The items of the text between the brackets, or ``((), reason)``."""
    items = []
    for part in inner.split(";"):
        part = part.strip()
        if not part:
            return (), "there is nothing between two ';' (or after the last one); remove the extra ';'"
        if not part.startswith("@"):
            return (), f"'{part}' needs an @ before the key; " + FORMS
        match = _ITEM.fullmatch(part)
        if match is None:
            return (), "a key is one word after @, without spaces; " + FORMS
        key, locator = match.group(1), match.group(2)
        if locator is not None:
            locator = " ".join(locator.split())
            if not locator:
                return (), "the ',' has no page or place after it; write [@key, p. 212] or just [@key]"
            if "@" in locator:
                return (), "separate several sources with ';', not ','; " + FORMS
        items.append((key, locator))
    return tuple(items), ""


def scan(text: str, *, fences: bool = False) -> tuple[list[Cite], list[Malformed]]:
    """The citations of ``text`` in order, and the malformed attempts.

    ``[@`` inside a code span (or, with ``fences``, a fenced code block), after a backslash
    (``\\[@``), or as the text of a Markdown link (``[@name](https://...)``) is not a citation.
    """
    if "@" not in text or "[" not in text:
        return [], []
    masked = _masked(text, fences=fences)
    cites: list[Cite] = []
    bad: list[Malformed] = []
    position = 0
    for match in _OPEN.finditer(text):
        start = match.start()
        if start < position or any(a <= start < b for a, b in masked):
            continue
        slashes = len(text[:start]) - len(text[:start].rstrip("\\"))
        if slashes % 2:
            continue  # \[@...] is shown as written
        close = text.find("]", start)
        reopen = text.find("[", start + 1)
        if close < 0 or close - start > _MAX_LENGTH or 0 <= reopen < close:
            end = min(len(text), start + 30)
            stop = text.find("\n", start)
            end = stop if 0 <= stop < end else end
            bad.append(Malformed(start, end, text[start:end], "the closing ']' is missing; " + FORMS))
            position = start + 2
            continue
        end = close + 1
        if text.startswith("(", end):
            position = end
            continue  # [@name](url): a link whose text starts with @
        raw = text[start:end]
        items, reason = _parse(text[start + 1:close])
        if items:
            cites.append(Cite(start, end, raw, items))
        else:
            bad.append(Malformed(start, end, raw, reason))
        position = end
    return cites, bad


def _before(segment: str) -> str:
    """The text before a citation, without the spaces that separate it from the citation.

    Spaces at the start of a line (indentation) are kept, and so is the text between two citations.
    """
    stripped = segment.rstrip(" \t")
    return segment if not stripped or stripped.endswith("\n") else stripped


def strip_citations(text: str, *, fences: bool = False) -> str:
    """``text`` without its citations (and the space before each): for tooltips and descriptions."""
    return extract_citations(text, fences=fences)[0]


def extract_citations(text: str, *, fences: bool = False) -> tuple[str, list[dict[str, Any]]]:
    """``text`` without its citations, and the citations as data.

    Each citation is ``{"key", "offset"}`` (plus ``"locator"`` when one is written): ``offset``
    is where the citation stood in the returned text, so nothing of it is lost.
    """
    cites, _bad = scan(text, fences=fences)
    if not cites:
        return text, []
    out: list[str] = []
    data: list[dict[str, Any]] = []
    last, length = 0, 0
    for cite in cites:
        before = _before(text[last:cite.start])
        if not before.strip() and "\n" not in before:
            before = ""  # between two citations
        out.append(before)
        length += len(before)
        for key, locator in cite.items:
            item: dict[str, Any] = {"key": key, "offset": length}
            if locator:
                item["locator"] = locator
            data.append(item)
        last = cite.end
    out.append(text[last:])
    return "".join(out), data


def entry_text_fields(entry: Entry) -> list[tuple[str, str]]:
    """``(field, text)`` of every text field that may cite, in page order, ``risk.urgent`` items included."""
    fields = list(entry.text_fields())
    names = {name for name, _text in fields}
    risk = entry.data.get("risk")
    urgent = risk.get("urgent") if isinstance(risk, dict) else None
    extra = [(f"risk.urgent[{i}]", item) for i, item in enumerate(urgent if isinstance(urgent, list) else [])
             if isinstance(item, str) and f"risk.urgent[{i}]" not in names]
    if extra:  # the 'When to get help' box stands under the summary
        first = 1 if fields and fields[0][0] == "summary" else 0
        fields[first:first] = extra
    return fields


def cited_keys(entry: Entry) -> list[str]:
    """The keys an entry cites inline, each once, in order of first citation."""
    keys: dict[str, None] = {}
    for _name, text in entry_text_fields(entry):
        for cite in scan(text)[0]:
            for key, _locator in cite.items:
                keys.setdefault(key)
    return list(keys)


def _needle(raw: str) -> str:
    """What to look for in the file to find a citation's line (its first line)."""
    return raw.split("\n", 1)[0].strip() or raw


def citation_problems(glossary: Glossary, style: Style) -> list[Problem]:
    """Malformed citations, unknown keys, keys missing from ``references:``, and required fields that cite nothing."""
    problems: list[Problem] = []
    for entry in glossary.entries.values():
        citing = _entry_citation_problems(entry, glossary.references, problems)
        if entry.published:
            for name in style.required_citations:
                if name not in citing and entry.field_text(name).strip():
                    problems.append(Problem(
                        entry.path, entry.source.line(name), name,
                        "cites no source; add an inline citation such as [@key] after the sentence it supports "
                        "(keys are in glossary/_references.yaml; glossary/_style.yaml sets which fields must cite)"))
    return problems


def _entry_citation_problems(entry: Entry, known: dict[str, Any], problems: list[Problem]) -> set[str]:
    """The problems of one entry's citations (appended to ``problems``); returns the fields that cite."""
    from .validate import locate

    listed = set(entry.references)
    citing: set[str] = set()
    for name, text in entry_text_fields(entry):
        cites, bad = scan(text)
        if cites:
            citing.add(name)
        for item in bad:
            problems.append(Problem(entry.path, locate(entry, name, _needle(item.raw)), name,
                                    f"malformed citation '{item.raw}': {item.reason}"))
        for cite in cites:
            for key, _locator in cite.items:
                message = _key_message(entry, key, known, listed)
                if message:
                    problems.append(Problem(entry.path, locate(entry, name, _needle(cite.raw)), name, message))
    return citing


def _key_message(entry: Entry, key: str, known: dict[str, Any], listed: set[str]) -> str | None:
    """What is wrong with citing ``key`` in ``entry``, or None; a key missing from references is named once."""
    from .validate import did_you_mean

    if key not in known:
        return (f"unknown citation key '{key}'{did_you_mean(key, known)}; "
                "cite a key of glossary/_references.yaml, or add the source there first")
    if key not in listed:
        listed.add(key)  # one message per key and entry
        return (f"'{key}' is cited here but missing from this entry's references "
                f"(line {entry.source.line('references')}); add it to the list")
    return None


def _sections(markdown: str, masked: list[tuple[int, int]]) -> list[tuple[int, str, int, int]]:
    """``(line, heading, start, end)`` of every ``##`` section of a page (its ``###`` parts included)."""
    heads = [(m.start(), len(m.group(1)), m.group(2)) for m in _HEADING.finditer(markdown)
             if not any(a <= m.start() < b for a, b in masked)]
    sections = []
    for index, (start, level, title) in enumerate(heads):
        if level != 2:
            continue
        end = next((s for s, lv, _t in heads[index + 1:] if lv <= 2), len(markdown))
        sections.append((markdown.count("\n", 0, start) + 1, _label(title), start, end))
    return sections


def page_problems(markdown: str, display: str, glossary: Glossary, style: Style, *, article: bool) -> list[Problem]:
    """The citation rules for a hand-written page of ``content/``.

    Every page: malformed citations and unknown keys. An article (``content/articles/``): every
    ``##`` section cites at least one source (a section that shows an entry's risk callout or
    definition through a macro counts the citations of that text too), unless its heading is
    exempt in ``glossary/_style.yaml``.
    """
    from .validate import did_you_mean

    problems: list[Problem] = []
    cites, bad = scan(markdown, fences=True)

    def line(offset: int) -> int:
        return markdown.count("\n", 0, offset) + 1

    for item in bad:
        problems.append(Problem(display, line(item.start), "citation",
                                f"malformed citation '{item.raw}': {item.reason}"))
    for cite in cites:
        for key, _locator in cite.items:
            if key not in glossary.references:
                problems.append(Problem(display, line(cite.start), "citation",
                                        f"unknown citation key '{key}'{did_you_mean(key, glossary.references)}; "
                                        "cite a key of glossary/_references.yaml, or add the source there first"))
    if not (article and style.article_sections_cite):
        return problems
    exempt = {h.casefold() for h in style.article_sections_exempt}
    for number, title, start, end in _sections(markdown, _masked(markdown, fences=True)):
        if title.casefold() in exempt:
            continue
        if any(start <= c.start < end for c in cites) or _macro_cites(markdown[start:end], glossary):
            continue
        problems.append(Problem(display, number, f"## {title}",
                                "this section cites no source; add an inline citation such as [@key] after the "
                                "sentence it supports (or list its heading under citations.article_sections_exempt "
                                "in glossary/_style.yaml if it states no facts)"))
    return problems


_MACRO = re.compile(r"\{\{\s*(risk|definition)\(\s*(['\"])(.*?)\2")


def _macro_cites(section: str, glossary: Glossary) -> bool:
    """Whether a macro in the section shows entry text that cites (a risk callout or a definition)."""
    for match in _MACRO.finditer(section):
        entry = glossary.entries.get(match.group(3))
        if entry is not None and scan(entry.risk_text if match.group(1) == "risk" else entry.summary)[0]:
            return True
    return False


def _label(heading: str) -> str:
    """A heading as plain text: ``## Risk { #risk }`` -> ``Risk``."""
    heading = _MD_LINK.sub(r"\1", _ATTRS.sub("", heading))
    return " ".join(heading.replace("*", "").replace("`", "").replace("\\", "").split())


@dataclass
class Numbered:
    """A page whose citations are numbered: the new Markdown and where each source is cited."""

    markdown: str
    order: list[str] = field(default_factory=list)                       # keys, in order of first citation
    places: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # key -> (anchor id, section label)


#: A citation's place in a page's Markdown when its HTML is kept aside (``number_citations(stash=...)``):
#: private-use characters, which Python-Markdown leaves as they are; the build swaps the HTML back in.
CITE_MARK = "\ue000{}\ue001"
CITE_MARK_RE = re.compile("\ue000(\\d+)\ue001")


def number_citations(markdown: str, references: Mapping[str, Any], lead: str,
                     title: Callable[[str], str] | None = None, stash: list[str] | None = None) -> Numbered:
    """Replace the citations of a finished page with numbered superscript links, in order of first citation.

    Each citation of ``key`` becomes ``<sup><a class="glossary-cite" href="#ref-key" id="cite-key-N">3</a></sup>``
    (one ``<sup>`` per group, its links separated by commas; a locator follows its number).
    Keys not in ``references`` are left as written (the check reports them). ``lead`` names the
    part of the page before its first heading, for the back-links; ``title(key)`` gives the
    link's tooltip. With ``stash``, each ``<sup>`` goes into that list instead and the Markdown holds
    ``CITE_MARK.format(index)`` in its place (Markdown then never parses the citations' HTML).
    """
    cites, _bad = scan(markdown, fences=True)
    result = Numbered(markdown)
    if not cites:
        return result
    heads = [(m.start(), _label(m.group(2))) for m in _HEADING.finditer(markdown) if len(m.group(1)) >= 2]
    numbers: dict[str, int] = {}
    out, last = [], 0
    for cite in cites:
        if not all(key in references for key, _loc in cite.items):
            continue
        section = lead
        for start, label in heads:
            if start > cite.start:
                break
            section = label
        links = []
        for key, locator in cite.items:
            if key not in numbers:
                numbers[key] = len(numbers) + 1
                result.order.append(key)
            places = result.places.setdefault(key, [])
            anchor = f"cite-{key}-{len(places) + 1}"
            seen = sum(1 for _a, s in places if s == section)
            places.append((anchor, section if not seen else f"{section} ({seen + 1})"))
            tip = (title(key) if title else "") + (f", {locator}" if locator else "")
            link = (f'<a class="glossary-cite" href="#ref-{key}" id="{anchor}"'
                    + (f' title="{html.escape(tip)}"' if tip else "") + f">{numbers[key]}</a>")
            if locator:
                link += f'<span class="glossary-cite-locator"> ({_inline_escape(locator)})</span>'
            links.append(link)
        out.append(_before(markdown[last:cite.start]))
        sup = "<sup>" + ", ".join(links) + "</sup>"
        if stash is not None:
            stash.append(sup)
            sup = CITE_MARK.format(len(stash) - 1)
        out.append(sup)
        last = cite.end
    out.append(markdown[last:])
    result.markdown = "".join(out)
    return result


_MD_SPECIAL = re.compile(r"([\\`*_\[\]{}#|!])")


def _inline_escape(text: str) -> str:
    """Author text (a locator) made inert between inline HTML tags: no HTML, no Markdown."""
    return _MD_SPECIAL.sub(r"\\\1", html.escape(text))


def _text(value: Any) -> str:
    return " ".join(str(value).split())


def reference_title(data: Mapping[str, Any]) -> str:
    """A short plain-text description of a source, for the tooltip of its citations: authors (year). Title."""
    authors = _text(data.get("authors") or "")
    if authors.count(",") >= 2:
        authors = authors.split(",")[0].strip() + " et al."
    year = f" ({data['year']})" if data.get("year") else ""
    head = f"{authors}{year}. " if authors else (f"{year.strip()} " if year else "")
    return f"{head}{_text(data.get('title', '')).rstrip('.')}"


def reference_html(data: Mapping[str, Any]) -> str:
    """One bibliography record as HTML, built from :data:`PUBLIC_FIELDS` only (every value escaped)."""
    public = {name: data[name] for name in PUBLIC_FIELDS if data.get(name) not in (None, "", {})}
    esc = html.escape
    parts = []
    if public.get("authors"):
        parts.append(esc(_text(public["authors"])))
    if public.get("year"):
        parts.append(f"({esc(_text(public['year']))}).")
    parts.append(f"<cite>{esc(_text(public.get('title', '')).rstrip('.'))}</cite>.")
    publisher = _text(public.get("publisher_or_journal", ""))
    if publisher and publisher != _text(public.get("authors", "")):
        parts.append(esc(publisher.rstrip(".")) + ".")
    pages = _text(public.get("volume_pages", ""))
    if pages and not pages.startswith("n/a"):
        parts.append(esc(pages.rstrip(".")) + ".")
    ids = public.get("identifiers") or {}
    isbn = ids.get("isbn_print") or ids.get("isbn")
    if isbn:
        parts.append(f"ISBN {esc(str(isbn))}.")
    if ids.get("doi"):
        doi = str(ids["doi"])
        parts.append(f'<a href="https://doi.org/{esc(doi)}">doi:{esc(doi)}</a>')
    elif str(public.get("url", "")).startswith(("https://", "http://")):
        parts.append(f'<a href="{esc(str(public["url"]))}">{esc(str(public["url"]))}</a>')
    return " ".join(parts)


def public_reference(data: Mapping[str, Any]) -> dict[str, Any]:
    """The public fields of a bibliography record (what ``glossary.json`` and the JSON-LD may show)."""
    return {name: data[name] for name in PUBLIC_FIELDS if data.get(name) not in (None, "", {})}


def creative_work(data: Mapping[str, Any]) -> dict[str, Any]:
    """A bibliography record as a schema.org ``CreativeWork`` (public fields only)."""
    public = public_reference(data)
    work: dict[str, Any] = {"@type": "CreativeWork", "name": _text(public.get("title", ""))}
    if public.get("authors"):
        work["author"] = _text(public["authors"])
    if public.get("year"):
        work["datePublished"] = str(public["year"])
    if public.get("publisher_or_journal"):
        work["publisher"] = _text(public["publisher_or_journal"])
    ids = public.get("identifiers") or {}
    identifiers = [{"@type": "PropertyValue", "propertyID": name, "value": str(value)}
                   for name, value in ids.items()]
    if identifiers:
        work["identifier"] = identifiers
    if ids.get("doi"):
        work["url"] = f"https://doi.org/{ids['doi']}"
    elif public.get("url"):
        work["url"] = str(public["url"])
    return work

