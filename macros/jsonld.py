"""schema.org structured data (JSON-LD) for concept pages and the A-Z page.

A concept page describes a ``DefinedTerm`` (the entry) and is itself a ``MedicalWebPage``
with ``lastReviewed``; the A-Z page is the ``DefinedTermSet`` every term belongs to.

The data is serialised by :func:`script_json`, which escapes ``<``, ``>`` and ``&`` as
``\\u003c`` etc., so no entry text can close the ``<script type="application/ld+json">``
element it is placed in. Nothing here imports MkDocs.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .model import Entry

__all__ = ["SCHEMA_ORG", "SiteInfo", "concept_data", "script_json", "term_id", "term_set_data", "term_set_id"]

SCHEMA_ORG = "https://schema.org"
_SCRIPT_SAFE = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


@dataclass(frozen=True)
class SiteInfo:
    """What the structured data says about the site as a whole."""

    name: str
    description: str = ""
    url: str = ""          # the site's root URL; "" when no site_url is configured
    language: str = "en"


def script_json(data: Any) -> str:
    """``data`` as compact JSON that is safe inside an HTML ``<script>`` element.

    ``<``, ``>`` and ``&`` (and the JavaScript line separators) become ``\\u`` escapes, which
    JSON parsers read back as the same characters.
    """
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for char, escaped in _SCRIPT_SAFE.items():
        text = text.replace(char, escaped)
    return text


def term_id(page_url: str) -> str:
    """The ``@id`` of the ``DefinedTerm`` described on the page at ``page_url``."""
    return f"{page_url}#term"


def term_set_id(set_url: str) -> str:
    """The ``@id`` of the ``DefinedTermSet`` (the glossary) whose A-Z page is at ``set_url``."""
    return f"{set_url}#glossary"


def _website(site: SiteInfo) -> dict[str, Any]:
    data: dict[str, Any] = {"@type": "WebSite", "name": site.name}
    if site.url:
        data["url"] = site.url
    return data


def concept_data(entry: Entry, description: str, page_url: str, set_url: str, site: SiteInfo,
                 citations: Sequence[dict[str, Any]] = (), reviewer: str = "") -> dict[str, Any]:
    """The JSON-LD of one concept page: the entry as a ``DefinedTerm`` and the page as a ``MedicalWebPage``.

    ``description`` is the entry's summary as plain text; ``page_url`` and ``set_url`` are the
    URLs of the concept page and of the A-Z page (absolute when the site has a ``site_url``).
    ``citations`` are the works the page cites, as schema.org ``CreativeWork`` (public fields
    only); ``reviewer`` is the entry's ``reviewed_by`` (a name or a role), given as ``reviewedBy``.
    """
    term: dict[str, Any] = {
        "@type": "DefinedTerm",
        "@id": term_id(page_url),
        "name": entry.term,
        "description": description,
        "termCode": entry.slug,
        "url": page_url,
        "inDefinedTermSet": {"@type": "DefinedTermSet", "@id": term_set_id(set_url), "name": site.name,
                             "url": set_url},
    }
    if entry.aliases:
        term["alternateName"] = entry.aliases
    page: dict[str, Any] = {
        "@type": "MedicalWebPage",
        "@id": page_url,
        "url": page_url,
        "name": entry.term,
        # no "description": it is the DefinedTerm's (the page's mainEntity), and the meta tags carry it too
        "inLanguage": site.language,
        "about": {"@id": term_id(page_url)},
        "mainEntity": {"@id": term_id(page_url)},
        "isPartOf": _website(site),
    }
    if entry.reviewed:
        page["lastReviewed"] = entry.reviewed.isoformat()
    if reviewer:
        page["reviewedBy"] = reviewer
    if citations:
        page["citation"] = list(citations)
    return {"@context": SCHEMA_ORG, "@graph": [term, page]}


def term_set_data(terms: Sequence[tuple[Entry, str, str]], set_url: str, site: SiteInfo) -> dict[str, Any]:
    """The JSON-LD of the A-Z page: the glossary as a ``DefinedTermSet`` listing every term.

    ``terms`` holds ``(entry, description, page_url)`` for each published entry.
    """
    data: dict[str, Any] = {
        "@context": SCHEMA_ORG,
        "@type": "DefinedTermSet",
        "@id": term_set_id(set_url),
        "name": site.name,
        "url": set_url,
        "inLanguage": site.language,
        "isPartOf": _website(site),
        "hasDefinedTerm": [{"@type": "DefinedTerm", "@id": term_id(url), "name": entry.term,
                            "description": description, "termCode": entry.slug, "url": url}
                           for entry, description, url in terms],
    }
    if site.description:
        data["description"] = site.description
    return data
