"""The glossary, and ``load_glossary``: the phases that make it, in order.

``load_glossary(root)`` is the single way in: the MkDocs hook, the macros, the command line and the
tests all call it. It runs the phases forward, each in its own module, and returns every problem at
once, never stopping at the first:

1. read (``read.py``): every file, each on its own: parsed, checked against the schema and text rules;
2. check (``check.py``): across entries: unique names, links, reference keys, pathways; then the writing
   rules (readability, person-first words: ``style.py``) of entries and articles;
3. index (``index.py``): tags, backlinks, and the pages of the docs folder that mention entries;
4. render (``render.py``, ``graph.py``, ...) and the MkDocs glue (``site.py``, ``serve.py``) use the result.
"""

from __future__ import annotations

import functools
import gc
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import ParamSpec, TypeVar

from . import SLUG_MACROS
from .check import check_links, check_names, check_precursors, check_style
from .citations import citation_problems
from .index import docs_folder, index_links, index_pages
from .model import Article, Entry, Problem, Reference, slugify, wikilinks
from .read import BIBLIOGRAPHY, outside_links, read_entries, read_references
from .readability import Reading
from .review import review_problems
from .style import Style, load_style
from .validate import did_you_mean

__all__ = ["Article", "Glossary", "load_glossary", "slugify"]
P = ParamSpec("P")
T = TypeVar("T")


@dataclass
class Glossary:
    """Every entry and reference, with the indexes the pages need."""

    root: Path
    entries: dict[str, Entry] = field(default_factory=dict)
    references: dict[str, Reference] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    backlinks: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    mentions: dict[str, list[Article]] = field(default_factory=lambda: defaultdict(list))
    tags: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    #: Slugs whose files exist but could not be read; their own problem is already reported.
    unreadable: set[str] = field(default_factory=set)
    #: The writing rules (glossary/_style.yaml) and what they found that does not fail the check.
    style: Style = field(default_factory=Style)
    warnings: list[Problem] = field(default_factory=list)
    #: Readability of every entry (slug -> field -> reading) and article (path -> reading).
    readings: dict[str, dict[str, Reading]] = field(default_factory=dict)
    article_readings: dict[str, Reading] = field(default_factory=dict)
    #: Keys cited inline by each hand-written page of the docs folder (by ``src_uri``), in order.
    page_citations: dict[str, list[str]] = field(default_factory=dict)

    def term_of(self, slug: str) -> str | None:
        """The term of the entry ``slug``, or None."""
        entry = self.entries.get(slug)
        return entry.term if entry is not None else None

    def published(self) -> list[Entry]:
        """Published entries, sorted by term as a reader expects (case-insensitive)."""
        return sorted((e for e in self.entries.values() if e.published), key=lambda e: e.term.casefold())

    def outgoing(self, entry: Entry) -> list[str]:
        """Slugs the entry links to (related first, then ``[[links]]``), without repeats."""
        seen: dict[str, None] = dict.fromkeys(entry.related)
        for _name, text in entry.text_fields():
            for slug, _shown, _raw in wikilinks(text):
                seen.setdefault(slug)
        return list(seen)

    def suggest(self, word: str) -> str:
        """A "did you mean" for an unknown slug, looking at slugs, terms and aliases."""
        hit = self.names.get(word.casefold()) or self.names.get(slugify(word))
        if hit:
            return f" (did you mean '{hit}'?)"
        return did_you_mean(word, self.entries)


def _gc_paused(function: Callable[P, T]) -> Callable[P, T]:
    """Run ``function`` with the cyclic garbage collector paused.

    Loading makes hundreds of thousands of objects that all live on; the collector would walk
    them again and again for nothing (about 5% of the time at 4,000 entries). It runs as
    usual once loading ends.
    """
    @functools.wraps(function)
    def run(*args: P.args, **kwargs: P.kwargs) -> T:
        collecting = gc.isenabled()
        gc.disable()
        try:
            return function(*args, **kwargs)
        finally:
            if collecting:
                gc.enable()
    return run


@_gc_paused
def load_glossary(root: Path | str, jobs: int = 1, *, docs: Path | str | None = None,
                  macros: tuple[str, ...] = SLUG_MACROS) -> tuple[Glossary, list[Problem]]:
    """Read, check and index ``<root>/glossary``, and index the pages of the docs folder.

    Returns the glossary and the sorted list of every problem found. ``jobs`` > 1 reads the
    files of a large glossary, and measures its entries' text, in that many processes (the command line
    and ``mkdocs build`` do; ``mkdocs serve``, whose threads do not mix with fork, does not); the result is
    the same.
    ``docs`` is the docs folder (default: ``docs_dir`` of ``<root>/mkdocs.yml``) and ``macros``
    the names of the macros that take a slug.
    """
    root = Path(root)
    docs = Path(docs) if docs is not None else docs_folder(root)
    glossary = Glossary(root=root)
    problems: list[Problem] = []
    glossary.style, found = load_style(root)
    problems.extend(found)
    outside = outside_links(root, docs, problems)
    if root / "glossary" / BIBLIOGRAPHY not in outside:
        read_references(root, glossary, problems)
    read_entries(root, glossary, problems, jobs, outside)
    check_names(glossary, problems)
    outgoing = check_links(glossary, problems)
    check_precursors(glossary, problems)
    problems.extend(citation_problems(glossary, glossary.style))
    problems.extend(review_problems(glossary))
    index_links(glossary, outgoing)
    shown = _shown(docs, root)
    index_pages(docs, shown, glossary, problems, macros, outside)
    check_style(root, glossary, problems, docs_dir=shown, jobs=jobs)
    return glossary, sorted(set(problems))


def _shown(docs: Path, root: Path) -> str:
    """How problems name the docs folder: relative to the project when it is inside it."""
    try:
        return docs.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return docs.as_posix()
