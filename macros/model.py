"""The domain model: entries, bibliography records and author-facing problems.

Nothing here imports MkDocs, so the core can move to another site builder.
"""

from __future__ import annotations

import datetime as _dt
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any

#: The first line of every entry file: editors then check the fields against the schema.
SCHEMA_LINE = "# yaml-language-server: $schema=../macros/schemas/entry.schema.json"
#: A link between entries in any text field: ``[[slug]]`` or ``[[slug|shown text]]``; neither part may hold
#: a bracket or a newline, and the quantifiers never backtrack, so a scan is linear however many unclosed
#: ``[[`` a text holds. The parts are stripped by ``link_parts``. The one home of the ``[[…]]`` grammar.
WIKILINK = re.compile(r"\[\[([^\[\]|\n]*+)(?:\|([^\[\]\n]*+))?\]\]")
#: The folder of the docs folder whose pages are articles (with the medical disclaimer, ``og:type`` article).
ARTICLES_DIR = "articles"
#: An entry's slug (its file name without ``.yaml``): lowercase kebab-case.
SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_GREEK = {"α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ε": "epsilon", "κ": "kappa", "μ": "mu",
          "ω": "omega", "ß": "ss"}


def as_date(value: object) -> _dt.date | None:
    """A date field of an entry (``reviewed``, ``next_review``) as a date: YAML's date (a datetime is cut to
    its day), or text written YYYY-MM-DD; None when it is missing or not a date. The one parser of them."""
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    if value is None:
        return None
    try:
        return _dt.date.fromisoformat(str(value))
    except ValueError:
        return None


def is_article(src_uri: str) -> bool:
    """Whether the page at ``src_uri`` (relative to the docs folder) is an article."""
    return src_uri.startswith(f"{ARTICLES_DIR}/")


def slugify(name: str) -> str:
    """The slug of a term or file name, the one rule of ``check`` and ``new``: accents folded, Greek letters
    spelled out, apostrophes dropped, kebab-case.

    ``"GABA-A Receptor"`` -> ``"gaba-a-receptor"``, ``"α-Synuclein"`` -> ``"alpha-synuclein"``,
    ``"Café"`` -> ``"cafe"``, ``"Parkinson's disease"`` -> ``"parkinsons-disease"``.
    """
    spelled = "".join(_GREEK.get(ch, ch) for ch in name.lower())
    ascii_text = unicodedata.normalize("NFKD", spelled).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.replace("'", "")).strip("-")


#: The fixed sections of every concept page, in page order.
SECTIONS: tuple[str, ...] = ("context", "significance", "mechanism", "application", "metric")
#: Fields whose values are Markdown text and may hold ``[[slug]]`` links.
TEXT_FIELDS: tuple[str, ...] = ("summary", *SECTIONS, "risk.text", "origin")
EVIDENCE_LEVELS: tuple[str, ...] = ("established", "emerging", "limited", "contested")

EVIDENCE_LABELS: dict[str, str] = {
    "established": "Established",
    "emerging": "Emerging",
    "limited": "Limited",
    "contested": "Contested",
}
EVIDENCE_MEANINGS: dict[str, str] = {
    "established": "textbook consensus backed by consistent research",
    "emerging": "growing research that is not yet settled",
    "limited": "little or low-quality evidence",
    "contested": "claims that the evidence disputes or does not support",
}
RISK_LABELS: dict[str, str] = {
    "low": "Low risk",
    "moderate": "Moderate risk",
    "high": "High risk",
}
#: Material admonition type used for each risk level (colour), always paired with words.
RISK_ADMONITION: dict[str, str] = {"low": "info", "moderate": "warning", "high": "danger"}


@dataclass(frozen=True)
class Article:
    """A Markdown page of the docs folder that mentions entries through the macros."""

    src_uri: str
    title: str


@dataclass(frozen=True, order=True)
class Problem:
    """One author-facing problem: printed as ``path:line: field: message``."""

    path: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.field}: {self.message}"

    def as_warning(self) -> str:
        """The line printed when this is only a warning (it never fails a check or a build)."""
        return f"{self.path}:{self.line}: {self.field}: warning: {self.message}"


@dataclass
class SourceMap:
    """Line numbers (1-based) of the fields of one YAML file, keyed by dotted path.

    ``related[2]`` is the third item of ``related``; ``risk.level`` a nested key.
    ``spans`` gives the first and last line of each field's value.
    """

    lines: dict[str, int] = field(default_factory=dict)
    spans: dict[str, tuple[int, int]] = field(default_factory=dict)

    def line(self, path: str, default: int = 1) -> int:
        """The line of ``path``, or of its closest recorded parent."""
        while path:
            if path in self.lines:
                return self.lines[path]
            cut = max(path.rfind("."), path.rfind("["))
            path = path[:cut] if cut > 0 else ""
        return default


@dataclass
class Entry:
    """One glossary entry as loaded from ``glossary/<slug>.yaml``."""

    slug: str
    path: str
    data: dict[str, Any]
    source: SourceMap
    text: str = ""

    def _list(self, name: str) -> list[str]:
        value = self.data.get(name)
        return [str(v) for v in value] if isinstance(value, list) else []

    @property
    def term(self) -> str:
        return str(self.data.get("term", self.slug))

    @property
    def aliases(self) -> list[str]:
        return self._list("aliases")

    @property
    def proper_noun(self) -> bool:
        """``proper_noun: true``: the term is a name (St John's Wort) and is shown as written everywhere."""
        return self.data.get("proper_noun") is True

    def term_in_sentence(self, *, sentence_start: bool) -> str:
        """The term as a ``[[slug]]`` link shows it in running text (:func:`term_in_sentence`)."""
        return term_in_sentence(self.term, sentence_start=sentence_start, proper_noun=self.proper_noun)

    @property
    def summary(self) -> str:
        return str(self.data.get("summary", ""))

    @property
    def related(self) -> list[str]:
        return self._list("related")

    @property
    def precursor_of(self) -> list[str]:
        """Slugs of the entries this substance is directly made into (synthesis pathways)."""
        value = self.data.get("precursor_of") or []
        return [str(s) for s in value] if isinstance(value, list) else []  # the schema reports other types

    @property
    def tags(self) -> list[str]:
        return self._list("tags")

    @property
    def references(self) -> list[str]:
        return self._list("references")

    @property
    def evidence(self) -> str:
        return str(self.data.get("evidence", ""))

    @property
    def status(self) -> str:
        return str(self.data.get("status", "published"))

    @cached_property
    def published(self) -> bool:
        # Asked for every link of every entry; ``data`` never changes once loaded, so it is worked out once.
        return self.status == "published"

    @property
    def risk_level(self) -> str:
        risk = self.data.get("risk") or {}
        return str(risk.get("level") or "") if isinstance(risk, dict) else ""  # empty (None) is ""

    @property
    def risk_text(self) -> str:
        risk = self.data.get("risk") or {}
        return str(risk.get("text") or "") if isinstance(risk, dict) else ""  # empty (None) is ""

    @property
    def risk_urgent(self) -> list[str]:
        """``risk.urgent``: the sentences of the 'When to get help' box (emergency signs first), or ``[]``."""
        risk = self.data.get("risk") or {}
        value = risk.get("urgent") if isinstance(risk, dict) else None
        return [item if isinstance(item, str) else "" for item in value] if isinstance(value, list) else []

    @property
    def reviewed(self) -> _dt.date | None:
        """``reviewed`` as a date, or None when it is missing or not a date."""
        return as_date(self.data.get("reviewed"))

    @property
    def extra_sections(self) -> list[tuple[str, str]]:
        """``(heading, text)`` of the optional ``extra_sections`` (headings kept by an import)."""
        value = self.data.get("extra_sections")
        items = value if isinstance(value, list) else []
        return [(str(i.get("heading", "")), i["text"] if isinstance(i.get("text"), str) else "")
                if isinstance(i, dict) else ("", "") for i in items]

    def text_fields(self) -> list[tuple[str, str]]:
        """``(field, text)`` of every text field that may hold ``[[links]]``, extra sections included.

        Worked out once (``data`` never changes once loaded) and shared: read it, never change it.
        """
        fields: list[tuple[str, str]] | None = self.__dict__.get("_text_fields")
        if fields is None:
            fields = [(name, self.field_text(name)) for name in TEXT_FIELDS]
            fields += [(f"risk.urgent[{i}]", text) for i, text in enumerate(self.risk_urgent)]
            fields += [(f"extra_sections[{i}].text", text) for i, (_h, text) in enumerate(self.extra_sections)]
            self.__dict__["_text_fields"] = fields
        return fields

    def field_text(self, name: str) -> str:
        """The text of a text field (``risk.text``, ``risk.urgent[i]``, ``extra_sections[i].text`` too), or ``""``."""
        if name == "risk.text":
            return self.risk_text
        if name.startswith("risk.urgent["):
            index = int(name[len("risk.urgent["):name.index("]")])
            urgent = self.risk_urgent
            return urgent[index] if index < len(urgent) else ""
        if name.startswith("extra_sections["):
            index = int(name[len("extra_sections["):name.index("]")])
            sections = self.extra_sections
            return sections[index][1] if index < len(sections) else ""
        value = self.data.get(name)
        return value if isinstance(value, str) else ""


@dataclass
class Reference:
    """One bibliography record from ``glossary/_references.yaml``."""

    key: str
    data: dict[str, Any]
    path: str
    line: int


def link_parts(match: re.Match[str]) -> tuple[str, str | None]:
    """``(slug, shown text or None)`` of a ``WIKILINK`` match, without surrounding spaces."""
    shown = match.group(2)
    return match.group(1).strip(), (shown.strip() or None) if shown is not None else None


# -- how a [[slug]] link shows its entry's term -------------------------------------------------------------------
#: What may stand between a sentence's start and a link without counting as a word: spaces, an opening quote,
#: bracket or emphasis mark (``**[[gaba]]**``, ``("[[gaba]]``).
_OPENERS = " \t*_\"'\u201c\u2018(["
#: What may follow a sentence's end before the next sentence: a closing quote, bracket or emphasis mark.
_CLOSERS = ")]\"'\u201d\u2019*_"
#: A list item's marker at a line's start (``- ``, ``* ``, ``+ ``, ``1. ``, ``1) ``), and its indentation.
_LIST_ITEM = re.compile(r"[ \t]*(?:(?:[-*+]|\d{1,9}[.)])[ \t]+)?")
#: Citations just before a link (``… sleep. [@key] [[gaba]]``) are passed over, as readers never see them.
_TRAILING_CITATION = re.compile(r"\[@[^\[\]\n]*\][\s]*$")
#: Abbreviations ending in a full stop that do not end the sentence.
_ABBREVIATIONS = frozenset({"e.g.", "i.e.", "eg.", "ie.", "vs.", "cf.", "approx.", "incl.", "esp."})
#: A run of letters of a term; the words of a name are split at spaces, hyphens, dashes, slashes, brackets.
_LETTERS = re.compile(r"[^\W\d_]+")


def starts_sentence(text: str, at: int) -> bool:
    """Whether a link at ``text[at:]`` begins a sentence: it starts the text, a paragraph or a list item, or
    follows '.', '!', '?' or ':' (then spaces; an abbreviation such as "e.g." does not end a sentence).
    Opening quotes, brackets and emphasis marks between count as nothing, and so do citations before it."""
    line_start = text.rfind("\n", 0, at) + 1
    prefix = text[line_start:at]
    marker = _LIST_ITEM.match(prefix)
    if marker is not None and not prefix[marker.end():].strip(_OPENERS):  # nothing else on the line before it
        if line_start == 0 or marker.group().strip():
            return True  # the start of the text, or of a list item
        if not text[text.rfind("\n", 0, line_start - 1) + 1:line_start - 1].strip():
            return True  # after a blank line: a paragraph starts
        at = line_start - 1  # a line that continues a paragraph: it depends on how the line before ends
    before = text[:at]
    while True:
        trimmed = _TRAILING_CITATION.sub("", before.rstrip().rstrip(_OPENERS))
        if trimmed == before:
            break
        before = trimmed
    before = before.rstrip(_CLOSERS)
    if not before or before[-1] == "|":  # the start of the text or of a table cell
        return True
    if before[-1] not in ".!?:":
        return False
    return before.split()[-1].lower() not in _ABBREVIATIONS


def term_in_sentence(term: str, *, sentence_start: bool, proper_noun: bool = False) -> str:
    """A term as running text shows it: entries' terms are written in title case ("Serotonin Syndrome"), and
    a ``[[slug]]`` link shows its term in sentence case, so a page reads "by slow tapering" and "can cause
    serotonin syndrome". Each ordinary capitalised word (a capital, then lowercase letters) is written in
    lowercase, except the first word at the start of a sentence (``sentence_start``). Acronyms and words with
    another capital or a digit are kept ("GABA-A receptor", "L-DOPA", "5-HTP", "vitamin B6", "SSRIs"),
    single letters too ("Z-drugs"); a name (``proper_noun``, e.g. "St John's Wort") is never changed."""
    if proper_noun:
        return term
    first = True

    def word(match: re.Match[str]) -> str:
        nonlocal first
        run, keep, first = match.group(), first and sentence_start, False
        if keep or len(run) < 2 or not (run[0].isupper() and run[1:].islower()):
            return run
        return run[0].lower() + run[1:]
    return _LETTERS.sub(word, term)


@lru_cache(maxsize=1 << 16)
def scan_links(text: str) -> tuple[list[tuple[str, str | None, str]], str]:
    """The ``[[links]]`` of ``text`` and what is left of it without them (``WIKILINK.sub("", text)``), in one scan.

    Remembered per text: the text checks, the link checks and the indexes all read the same fields.
    """
    links, rest, last = [], [], 0
    for match in WIKILINK.finditer(text):
        links.append((*link_parts(match), str(match.group(0))))
        rest.append(text[last:match.start()])
        last = match.end()
    rest.append(text[last:])
    return links, "".join(rest)


def wikilinks(text: str) -> list[tuple[str, str | None, str]]:
    """``(slug, shown_text_or_None, original)`` for every ``[[...]]`` link in ``text``.

    The list is shared between callers (see ``scan_links``): read it, never change it.
    """
    if "[[" not in text:
        return []
    return scan_links(text)[0]
