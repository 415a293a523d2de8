"""The machine-readable export: ``glossary.json`` at the site root, with its JSON Schema beside it.

Every published entry with its text as Markdown (``[[links]]`` turned into ordinary Markdown
links to the entry pages, inline citations taken out of the text and given as data in
``citations``), its risk, evidence, relations, tags and references resolved to their public
bibliographic data (never the authors' notes: supports, caution, verification). The file is
reproducible: the same glossary gives the same bytes (no build time inside; ``reviewed`` is the
newest review date of the entries).

Nothing here imports MkDocs.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from .citations import PUBLIC_FIELDS, entry_text_fields, extract_citations
from .loader import to_json_compatible
from .model import EVIDENCE_LABELS, RISK_LABELS, SECTIONS, WIKILINK, Entry, link_parts, starts_sentence
from .registry import Glossary
from .review import next_review, reviewed_by
from .validate import SCHEMA_DIR

__all__ = ["EXPORT_NAME", "EXPORT_SCHEMA", "EXPORT_VERSION", "SCHEMA_NAME", "build_export", "export_json",
           "export_markdown", "schema_text"]

#: The version of the export format; raise the major number when a field changes meaning or goes away.
EXPORT_VERSION = "1.1"
EXPORT_NAME = "glossary.json"
SCHEMA_NAME = "glossary.schema.json"
EXPORT_SCHEMA = SCHEMA_DIR / "glossary-export.schema.json"
#: Bibliographic fields of ``_references.yaml`` (``supports``, ``caution`` and ``verification`` are notes for authors).
REFERENCE_FIELDS = PUBLIC_FIELDS
_MD_LINK_TEXT = re.compile(r"([\\\[\]])")


def export_markdown(text: str, glossary: Glossary, url: Callable[[str], str]) -> str:
    """Entry Markdown for other tools: ``[[slug]]`` and ``[[slug|text]]`` become ``[text](url)``, citations go."""
    return export_text(text, glossary, url)[0]


def export_text(text: str, glossary: Glossary, url: Callable[[str], str]) -> tuple[str, list[dict[str, Any]]]:
    """:func:`export_markdown` of ``text``, and its citations as data (``key``, ``locator``, ``offset`` in it)."""
    def link(match: re.Match[str]) -> str:
        slug, shown = link_parts(match)
        target = glossary.entries.get(slug)
        if shown is None and target is not None:  # as the page shows it (the \0 marks are citations)
            before = match.string[:match.start()].replace("\x00", "")
            shown = target.term_in_sentence(sentence_start=starts_sentence(before, len(before)))
        shown_text = _MD_LINK_TEXT.sub(r"\\\1", shown or slug)
        return f"[{shown_text}]({url(slug)})"
    # Each citation becomes a mark first, so its offset is counted in the final text.
    bare, cites = extract_citations(text)
    if not cites:
        return WIKILINK.sub(link, text).strip(), []
    pieces, last = [], 0
    for cite in cites:
        pieces += [bare[last:cite["offset"]], "\x00"]
        last = cite["offset"]
    pieces.append(bare[last:])
    parts = WIKILINK.sub(link, "".join(pieces)).strip().split("\x00")
    offset = 0
    for cite, part in zip(cites, parts, strict=False):  # one part before each mark, then the rest
        offset += len(part)
        cite["offset"] = offset
    return "".join(parts), cites


def _reference(glossary: Glossary, key: str) -> dict[str, Any]:
    data = to_json_compatible(glossary.references[key].data)
    return {name: data[name] for name in REFERENCE_FIELDS if data.get(name) not in (None, "", {})}


def _citations(entry: Entry, cited: Callable[[str], list[dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
    """The citations of each text field that has any, by field (``mechanism``, ``risk.text``...); ``cited(text)``
    gives those of one text (``export_text``)."""
    out = {}
    for name, text in entry_text_fields(entry):
        cites = cited(text)
        if cites:
            out[name] = cites
    return out


def _entry(entry: Entry, glossary: Glossary, url: Callable[[str], str], describe: Callable[[Entry], str]) -> dict:
    done: dict[str, tuple[str, list[dict[str, Any]]]] = {}  # each field's text and citations, worked out once

    def exported(text: str) -> tuple[str, list[dict[str, Any]]]:
        if text not in done:
            done[text] = export_text(text, glossary, url)
        return done[text]

    def md(text: str) -> str:
        return exported(text)[0]
    reviewed = entry.reviewed
    due = next_review(entry, glossary.style.review_cycle_years)
    record: dict[str, Any] = {
        "slug": entry.slug,
        "term": entry.term,
        "aliases": entry.aliases,
        "url": url(entry.slug),
        "summary": md(entry.summary),
        "description": describe(entry),
        "sections": {name: md(entry.field_text(name)) for name in SECTIONS},
        "origin": md(entry.field_text("origin")) or None,
        "extra_sections": [{"heading": heading, "text": md(text)} for heading, text in entry.extra_sections],
        "risk": {"level": entry.risk_level, "label": RISK_LABELS.get(entry.risk_level, ""),
                 "text": md(entry.risk_text)},
        "evidence": entry.evidence,
        "evidence_label": EVIDENCE_LABELS.get(entry.evidence, ""),
        "related": [s for s in entry.related if _published(glossary, s)],
        "precursor_of": [s for s in entry.precursor_of if _published(glossary, s)],
        "tags": entry.tags,
        "references": [_reference(glossary, k) for k in entry.references if k in glossary.references],
        "citations": _citations(entry, lambda text: exported(text)[1]),
        "reviewed": reviewed.isoformat() if reviewed else None,
        "next_review": due.isoformat() if due else None,
    }
    if reviewed_by(entry):
        record["reviewed_by"] = reviewed_by(entry)
    return record


def _published(glossary: Glossary, slug: str) -> bool:
    entry = glossary.entries.get(slug)
    return entry is not None and entry.published


def build_export(glossary: Glossary, *, name: str, site_url: str, url: Callable[[str], str],
                 describe: Callable[[Entry], str]) -> dict[str, Any]:
    """The content of ``glossary.json``: every published entry, A-Z.

    ``url(slug)`` gives the URL of an entry's page (absolute when the site has a ``site_url``,
    else relative to the site root, where ``glossary.json`` lives); ``describe(entry)`` gives
    the summary as plain text.
    """
    entries = glossary.published()
    reviewed = [e.reviewed for e in entries if e.reviewed]
    schema = f"{site_url.rstrip('/')}/{SCHEMA_NAME}" if site_url else SCHEMA_NAME
    return {
        "$schema": schema,
        "version": EXPORT_VERSION,
        "name": name,
        "url": site_url,
        "reviewed": max(reviewed).isoformat() if reviewed else None,
        "count": len(entries),
        "entries": [_entry(e, glossary, url, describe) for e in entries],
    }


def export_json(data: dict[str, Any]) -> str:
    """The export as UTF-8 JSON text, indented, keys in a fixed order, ending in a newline."""
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def schema_text() -> str:
    """The JSON Schema of the export, as published beside it."""
    return EXPORT_SCHEMA.read_text(encoding="utf-8")
