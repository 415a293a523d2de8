"""The writing rules: readability limits, person-first wording and unlinked jargon.

The rules' numbers and word lists are data, kept in one file, ``glossary/_style.yaml``
(every key optional; a missing key keeps the default below, which is what the
issue tracker and the README document). The check applies them:

- a published entry's summary, sections and risk text, and each article in
  ``content/articles/``, must read at or below a Flesch-Kincaid grade
  (:mod:`macros.readability`); a field over its limit is a problem, a draft's is a
  warning (drafts are measured and reported, never failed);
- stigmatising words (NIDA's "Words Matter" list) are warnings naming the
  preferred wording;
- ``report`` lists the first mention of another entry's name that is not linked;
- ``citations:`` says which fields of a published entry, and whether the ``##`` sections of
  an article, must cite at least one source (:mod:`macros.citations`);
- ``reviews:`` sets the review cycle: an entry without ``next_review`` is due that many
  years after ``reviewed`` (:mod:`macros.review`).
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from .loader import read_yaml
from .model import ARTICLES_DIR, SECTIONS, WIKILINK, Entry, Problem
from .readability import Reading, measure

STYLE_FILE = "_style.yaml"
ARTICLES = ARTICLES_DIR

#: Field groups a limit applies to: ``summary``, ``risk`` (risk.text and the urgent box), ``section``
#: (context ... metric, origin, extra sections) and ``article`` (a whole page of content/articles/).
DEFAULT_LIMITS: dict[str, float] = {"summary": 10, "risk": 10, "section": 12, "article": 12}
#: The site's goals: medians the report compares against.
DEFAULT_GOALS: dict[str, float] = {"summary": 8, "risk": 8, "entry": 10, "article": 10}
#: Fields a published entry may be required to cite in (``citations.required``).
CITABLE_FIELDS: tuple[str, ...] = ("summary", "context", "significance", "mechanism", "application", "metric",
                                   "risk.text", "origin")
_CITATION_SETTINGS = ("required", "article_sections", "article_sections_exempt")
_REVIEW_SETTINGS = ("cycle_years",)
ADVICE = "split long sentences and explain terms in plain words first"

_MACRO = re.compile(r"\{\{\s*(\w+)\((.*?)\)\s*\}\}", re.S)
_ARG = re.compile(r"(['\"])(.*?)\1")
_FRONT_MATTER = re.compile(r"\A---\s*\n.*?\n---\s*\n", re.S)
_MD_LINK = re.compile(r"\[[^\[\]]*\]\([^()]*\)")
_CODE = re.compile(r"`[^`]*`")


@dataclass(frozen=True)
class WordRule:
    """A stigmatising word or phrase and what to write instead."""

    pattern: re.Pattern[str]
    words: str
    instead: str

    @cached_property
    def first_word(self) -> str:
        """The rule's first word, case-folded: a text without it cannot match (a cheap test before the pattern)."""
        return self.words.split()[0].casefold() if self.words.split() else ""


@dataclass
class Style:
    """The writing rules of one project (``glossary/_style.yaml`` over the defaults)."""

    limits: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_LIMITS))
    goals: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_GOALS))
    person_first: list[WordRule] = field(default_factory=list)
    #: Fields of a published entry that must cite at least one source (``citations.required``).
    required_citations: tuple[str, ...] = ("mechanism", "risk.text")
    #: Whether every ``##`` section of an article must cite at least one source (``citations.article_sections``).
    article_sections_cite: bool = True
    #: Article headings that need no citation, compared ignoring case (``citations.article_sections_exempt``).
    article_sections_exempt: tuple[str, ...] = ("References", "Sources", "Further reading")
    #: An entry without ``next_review`` is due this many years after ``reviewed`` (``reviews.cycle_years``).
    review_cycle_years: int = 3
    raw: dict[str, Any] = field(default_factory=dict)  # the whole file, for rules other modules read


def _phrase(words: str) -> re.Pattern[str]:
    body = r"\s+".join(re.escape(w) for w in words.split())
    return re.compile(rf"(?<![\w-]){body}(?![\w-])", re.I)


def load_style(root: Path) -> tuple[Style, list[Problem]]:
    """Read ``glossary/_style.yaml`` (optional); problems name its lines."""
    path = root / "glossary" / STYLE_FILE
    display = f"glossary/{STYLE_FILE}"
    style = Style()
    if not path.is_file():
        return style, []
    data, smap, _text, problems = read_yaml(path, display)
    if data is None:
        return style, problems
    if not isinstance(data, dict):
        return style, [*problems, Problem(display, 1, "(file)", "must be a mapping with readability: and "
                                                                "person_first:")]
    style.raw = data
    readability = data.get("readability") or {}
    for group, target in (("limits", style.limits), ("goals", style.goals)):
        values = readability.get(group) or {} if isinstance(readability, dict) else {}
        for name, value in values.items() if isinstance(values, dict) else []:
            where = f"readability.{group}.{name}"
            if name not in target:
                problems.append(Problem(display, smap.line(where), where,
                                        f"unknown {group[:-1]} '{name}': use one of {', '.join(target)}"))
            elif isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
                problems.append(Problem(display, smap.line(where), where,
                                        f"must be a grade such as 10, not {value!r}"))
            else:
                target[name] = float(value)
    rules = data.get("person_first") or []
    for index, item in enumerate(rules if isinstance(rules, list) else []):
        where = f"person_first[{index}]"
        words, instead = (item.get("words"), item.get("instead")) if isinstance(item, dict) else (None, None)
        if not isinstance(words, str) or not words.strip() or not isinstance(instead, str) or not instead.strip():
            problems.append(Problem(display, smap.line(where), where,
                                    "each item needs words: (the stigmatising word or phrase) and instead: "
                                    "(the wording to use)"))
            continue
        style.person_first.append(WordRule(_phrase(words), words.strip(), instead.strip()))
    problems += _citation_settings(style, data, smap, display)
    return style, problems


def _citation_settings(style: Style, data: dict[str, Any], smap: Any, display: str) -> list[Problem]:
    """Read ``citations:`` and ``reviews:`` into ``style``; a problem, at its line, for each wrong setting."""
    from .validate import did_you_mean

    problems = []
    for section, known in (("citations", _CITATION_SETTINGS), ("reviews", _REVIEW_SETTINGS)):
        values = data.get(section)
        if values is None:
            continue
        if not isinstance(values, dict):
            problems.append(Problem(display, smap.line(section), section,
                                    f"must be a mapping of settings: {', '.join(known)}"))
            continue
        for name in values:
            if name not in known:
                hint = did_you_mean(str(name), known) or f" (allowed: {', '.join(known)})"
                problems.append(Problem(display, smap.line(f"{section}.{name}"), f"{section}.{name}",
                                        f"unknown field '{name}'{hint}"))
    citations: dict[str, Any] = data["citations"] if isinstance(data.get("citations"), dict) else {}
    required = citations.get("required", style.required_citations)
    if not isinstance(required, list | tuple) or not all(r in CITABLE_FIELDS for r in required):
        problems.append(Problem(display, smap.line("citations.required"), "citations.required",
                                f"must be a list of fields from: {', '.join(CITABLE_FIELDS)}"))
    else:
        style.required_citations = tuple(required)
    sections = citations.get("article_sections", style.article_sections_cite)
    if not isinstance(sections, bool):
        problems.append(Problem(display, smap.line("citations.article_sections"), "citations.article_sections",
                                "must be true or false"))
    else:
        style.article_sections_cite = sections
    exempt = citations.get("article_sections_exempt", style.article_sections_exempt)
    if not isinstance(exempt, list | tuple) or not all(isinstance(h, str) and h.strip() for h in exempt):
        problems.append(Problem(display, smap.line("citations.article_sections_exempt"),
                                "citations.article_sections_exempt", "must be a list of headings"))
    else:
        style.article_sections_exempt = tuple(h.strip() for h in exempt)
    reviews: dict[str, Any] = data["reviews"] if isinstance(data.get("reviews"), dict) else {}
    years = reviews.get("cycle_years", style.review_cycle_years)
    if isinstance(years, bool) or not isinstance(years, int) or not 1 <= years <= 10:
        problems.append(Problem(display, smap.line("reviews.cycle_years"), "reviews.cycle_years",
                                f"{years!r} is not a review cycle; write a number of years from 1 to 10"))
    else:
        style.review_cycle_years = years
    return problems


def _limit_group(name: str) -> str:
    if name == "summary":
        return "summary"
    if name.startswith("risk."):
        return "risk"
    return "section"


def entry_fields(entry: Entry) -> list[tuple[str, str]]:
    """``(field, text)`` of every measured field of an entry: summary, sections, risk text, urgent box, origin."""
    # The box's items (risk.urgent[i] in text_fields) are measured together, as the box, below.
    fields = [(name, text) for name, text in entry.text_fields()
              if text.strip() and not name.startswith("risk.urgent[")]
    risk = entry.data.get("risk")
    urgent = risk.get("urgent") if isinstance(risk, dict) else None
    if isinstance(urgent, list) and urgent and all(isinstance(u, str) for u in urgent):
        fields.append(("risk.urgent", "\n".join(f"- {u}" for u in urgent)))
    return fields


def entry_readings(entry: Entry, term_of: Any = None) -> dict[str, Reading]:
    """The reading of each measured field of ``entry``."""
    return {name: measure(text, term_of) for name, text in entry_fields(entry)}


def whole_entry_reading(entry: Entry, term_of: Any = None) -> Reading:
    """The reading of all of an entry's prose together (the report's "whole entry"; the urgent box aside)."""
    return measure("\n\n".join(text for name, text in entry_fields(entry) if name != "risk.urgent"), term_of)


def readability_problems(entry: Entry, style: Style, readings: dict[str, Reading]) -> list[Problem]:
    """A problem for each field of ``entry`` above its grade limit."""
    out = []
    for name, reading in readings.items():
        limit = style.limits[_limit_group(name)]
        if reading.grade > limit:
            out.append(Problem(entry.path, entry.source.line(name), name,
                               f"reads at grade {reading.grade:g} (limit {limit:g}): {reading.describe()}; {ADVICE}"))
    return out


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _outside_markup(text: str) -> str:
    """``text`` with links, code and URLs blanked out (same length), so words inside them are not matched."""
    def blank(match: re.Match[str]) -> str:
        return " " * len(match.group(0))
    for pattern in (WIKILINK, _MD_LINK, _CODE):
        text = pattern.sub(blank, text)
    return text


def word_findings(text: str, style: Style) -> list[tuple[int, WordRule, str]]:
    """``(offset, rule, words as written)`` of every stigmatising word in ``text``."""
    clean = _outside_markup(text)
    folded = clean.casefold()  # most texts hold none of the words: one substring test per rule rules them out
    found = [(m.start(), rule, m.group(0)) for rule in style.person_first if rule.first_word in folded
             for m in rule.pattern.finditer(clean)]
    return sorted(found, key=lambda f: f[0])


def _word_message(rule: WordRule, written: str) -> str:
    return f"'{written}' is stigmatising wording; write {rule.instead} instead (person-first language)"


def entry_word_warnings(entry: Entry, style: Style) -> list[Problem]:
    """A warning for each stigmatising word in the entry's text, at its line."""
    from .validate import locate

    out = []
    for name, text in entry_fields(entry):
        for _offset, rule, written in word_findings(text, style):
            out.append(Problem(entry.path, locate(entry, name, written), name, _word_message(rule, written)))
    return out


def article_text(markdown: str, term_of: Any = None) -> str:
    """An article's words as a reader sees them: front matter dropped, macro calls as the words they show."""
    def macro(match: re.Match[str]) -> str:
        name, args = match.group(1), [a[1] for a in _ARG.findall(match.group(2))]
        if name == "term" and args:
            shown = args[1] if len(args) > 1 else (term_of(args[0]) if term_of else None)
            return shown or args[0].replace("-", " ")
        return ""  # risk callouts, definitions and indexes are entries' text, measured there
    text = _FRONT_MATTER.sub("", markdown)
    return _MACRO.sub(macro, text)


@dataclass
class ArticleReading:
    """The readability of one article."""

    path: str
    reading: Reading


def article_paths(root: Path, docs_dir: str = "content") -> list[Path]:
    """The articles: every Markdown page under ``<docs>/articles/``."""
    folder = root / docs_dir / ARTICLES
    return sorted(p for p in folder.rglob("*.md") if p.is_file()) if folder.is_dir() else []


def measure_articles(root: Path, term_of: Any = None, docs_dir: str = "content") -> list[ArticleReading]:
    """The reading of every article."""
    out = []
    for path in article_paths(root, docs_dir):
        text = article_text(path.read_text(encoding="utf-8", errors="replace"), term_of)
        out.append(ArticleReading(path.relative_to(root).as_posix(), measure(text, term_of)))
    return out


def article_problems(root: Path, style: Style, term_of: Any = None,
                     docs_dir: str = "content") -> tuple[list[Problem], list[Problem]]:
    """Problems (an article over its grade limit) and warnings (stigmatising words) of the articles."""
    problems, warnings = [], []
    limit = style.limits["article"]
    for path in article_paths(root, docs_dir):
        display = path.relative_to(root).as_posix()
        markdown = path.read_text(encoding="utf-8", errors="replace")
        reading = measure(article_text(markdown, term_of), term_of)
        if reading.grade > limit:
            problems.append(Problem(display, 1, "(article)", f"reads at grade {reading.grade:g} (limit {limit:g}): "
                                                             f"{reading.describe()}; {ADVICE}"))
        for offset, rule, written in word_findings(markdown, style):
            warnings.append(Problem(display, _line_of(markdown, offset), "(text)", _word_message(rule, written)))
    return problems, warnings


def median(values: Iterable[float]) -> float | None:
    """The median of ``values``, or None when there are none."""
    items = list(values)
    return round(statistics.median(items), 1) if items else None


__all__ = ["ADVICE", "DEFAULT_GOALS", "DEFAULT_LIMITS", "SECTIONS", "Mention", "Style", "WordRule", "article_problems",
           "article_text", "entry_readings", "entry_word_warnings", "load_style", "measure_articles", "median",
           "readability_problems", "unlinked_mentions", "whole_entry_reading", "word_findings"]


@dataclass(frozen=True)
class Mention:
    """The first unlinked mention of another entry's name in an entry or an article."""

    path: str
    line: int
    where: str       # the field (entries) or "(text)" (articles)
    written: str     # the name as written
    slug: str        # the entry it names


def _name_regex(name: str) -> str:
    """One name as the mention pattern finds it: a name of several words also in the singular or the plural
    ("MAO inhibitor" is the entry MAO Inhibitors, not "MAO", the alias of Monoamine Oxidase)."""
    escaped = re.escape(name)
    if " " not in name.strip() or not name[-1:].isalpha():
        return escaped
    if name.endswith("s") and not name.endswith("ss"):
        return escaped[:-1] + "s?"
    return escaped + "s?"


def _names_pattern(names: dict[str, str]) -> re.Pattern[str] | None:
    """Every name at once; at each place the longest name that matches wins, so a name is never found inside a
    longer one that covers the words ("MAO" in "MAO inhibitors")."""
    if not names:
        return None
    alternatives = "|".join(_name_regex(n) for n in sorted(names, key=len, reverse=True))
    return re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])", re.I)


def _named(written: str, names: dict[str, str]) -> str:
    """The slug of the entry a name found by ``_names_pattern`` names: as written, else its singular or plural."""
    key = written.casefold()
    return names.get(key) or names.get(key + "s") or names[key[:-1]]


# A Capitalised Word (a capital, then a lowercase letter: "Barnes", "Simpson-Angus"; not "GABA", "5-HTP") just
# before or just after a mention, separated from it by spaces and at most one line break.
_NAME_WORD = r"[A-Z][a-z][\w'’-]*"
_NAME_BEFORE = re.compile(rf"(?<![\w'’-])({_NAME_WORD})(?:[ \t]+|[ \t]*\n[ \t]*)\Z")
_NAME_AFTER = re.compile(rf"(?:[ \t]+|[ \t]*\n[ \t]*){_NAME_WORD}")
_SENTENCE_END = tuple(".!?:;\"“”‘’(*-#>|")


def _inside_longer_name(text: str, match: re.Match[str]) -> bool:
    """Whether a mention is part of a longer capitalised name: every word of it is a Capitalised Word, and so is
    the word next to it ("Rating Scale" in "the Barnes Akathisia Rating Scale", or in "Rating Scale Manual").
    A word before it that opens a sentence does not count ("The Rating Scale ..."): it is capitalised because of
    the sentence. Acronyms never make a name ("GABA"), and a mention alone still counts."""
    if not all(re.fullmatch(_NAME_WORD, word) for word in match.group(0).split()):
        return False
    if _NAME_AFTER.match(text, match.end()):
        return True
    before = _NAME_BEFORE.search(text, max(0, match.start() - 80), match.start())
    if before is None:
        return False
    ahead = text[:before.start()].rstrip()
    return bool(ahead) and not ahead.endswith(_SENTENCE_END)


def _link_targets_article(markdown: str) -> set[str]:
    linked = set()
    for match in _MACRO.finditer(markdown):
        args = [a[1] for a in _ARG.findall(match.group(2))]
        if args:
            linked.add(args[0])
    linked.update(re.findall(r"\]\((?:\.\./)*glossary/([a-z0-9-]+)", markdown))
    return linked


def unlinked_mentions(glossary: Any, root: Path, docs_dir: str = "content") -> list[Mention]:
    """For every published entry and article: the first mention of each other entry's term or alias
    that the entry or article never links (whole words, case-insensitive, aliases included)."""
    from .model import wikilinks
    from .validate import locate

    published = glossary.published()
    names: dict[str, str] = {}
    for entry in published:
        for name in [entry.term, *entry.aliases]:
            names.setdefault(name.casefold(), entry.slug)
    pattern = _names_pattern(names)
    if pattern is None:
        return []
    out: list[Mention] = []
    for entry in published:
        linked = {slug for _name, text in entry.text_fields() for slug, _s, _r in wikilinks(text)}
        seen: set[str] = set()
        for name, text in entry_fields(entry):
            clean = _outside_markup(text)
            for match in pattern.finditer(clean):
                slug = _named(match.group(0), names)
                if slug == entry.slug or slug in linked or slug in seen or _inside_longer_name(clean, match):
                    continue
                seen.add(slug)
                out.append(Mention(entry.path, locate(entry, name, match.group(0)), name, match.group(0), slug))
    return out + _article_mentions(root, docs_dir, pattern, names)


def _article_mentions(root: Path, docs_dir: str, pattern: re.Pattern[str], names: dict[str, str]) -> list[Mention]:
    """``unlinked_mentions`` of the articles: the first unlinked mention of each entry in each article."""
    out: list[Mention] = []
    for path in article_paths(root, docs_dir):
        markdown = path.read_text(encoding="utf-8", errors="replace")
        linked = _link_targets_article(markdown)
        body = _FRONT_MATTER.sub(lambda m: " " * len(m.group(0)), markdown)
        body = _MACRO.sub(lambda m: " " * len(m.group(0)), body)
        body = re.sub(r"^#.*$", lambda m: " " * len(m.group(0)), body, flags=re.M)  # headings are not prose
        seen: set[str] = set()
        clean = _outside_markup(body)
        for match in pattern.finditer(clean):
            slug = _named(match.group(0), names)
            if slug in linked or slug in seen or _inside_longer_name(clean, match):
                continue
            seen.add(slug)
            out.append(Mention(path.relative_to(root).as_posix(), _line_of(body, match.start()), "(text)",
                               match.group(0), slug))
    return out
