"""Phase 2, check across entries: unique terms and aliases, ``related`` and ``[[links]]`` to entries that
exist (and are published when the linking entry is), known reference keys, ``precursor_of`` without cycles.

Each check appends ``Problem``s and never stops at the first.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .model import Entry, Problem, wikilinks
from .parallel import fork_map
from .readability import Reading, warm_up
from .style import (
    article_problems,
    entry_readings,
    entry_word_warnings,
    measure_articles,
    readability_problems,
)
from .validate import did_you_mean, locate, name_key, skeleton

if TYPE_CHECKING:
    from .registry import Glossary


#: Where a name is written: (entry, field, line) and, for the look-alike index, the name itself.
_Owner = tuple[Entry, str, int]
_Look = tuple[Entry, str, int, str]


def _repeat_problem(entry: Entry, field_path: str, line: int, name: str, owner: _Owner) -> Problem:
    """A name written twice (case-insensitive, after NFKC): in the same entry, or in another."""
    other, other_field, other_line = owner
    if other is entry:
        return Problem(entry.path, line, field_path,
                       f"'{name}' repeats this entry's {other_field.split('[')[0]} (line {other_line}); remove it")
    what = "the term" if other_field == "term" else "an alias"
    return Problem(entry.path, line, field_path, f"'{name}' is already {what} of {other.path}:{other_line}; "
                                                 "terms and aliases must be unique (case-insensitive)")


def _look_alike(looks: dict[str, _Look], current: _Look, key: str, problems: list[Problem]) -> bool:
    """Whether ``current`` looks like a name of another entry, reporting the name written with look-alike
    letters, wherever it is. True when that is ``current`` (it then owns nothing)."""
    shape = skeleton(current[3])
    if shape not in looks or looks[shape][0] is current[0]:
        looks.setdefault(shape, current)
        return False
    here, there = current, looks[shape]
    if shape == key:  # this one is plain: the other holds the look-alikes
        here, there = there, here
        looks[shape] = there
    problems.append(Problem(here[0].path, here[2], here[1],
                            f"'{here[3]}' looks like '{there[3]}', "
                            f"{'the term' if there[1] == 'term' else 'an alias'} of "
                            f"{there[0].path}:{there[2]}, but is written with other characters "
                            "(letters of another alphabet); readers could not tell them apart: "
                            "choose another name"))
    return here is current


def check_names(glossary: Glossary, problems: list[Problem]) -> None:
    """Terms and aliases are unique (case-insensitive, after NFKC) and none looks like another entry's;
    ``glossary.names`` maps each to its entry, for lookups."""
    owner: dict[str, _Owner] = {}
    looks: dict[str, _Look] = {}  # skeleton: the first name that looks like this
    for entry in sorted(glossary.entries.values(), key=lambda e: e.path):
        names = [("term", entry.term)] + [(f"aliases[{i}]", a) for i, a in enumerate(entry.aliases)]
        for field_path, name in names:
            key = name_key(name)
            line = entry.source.line(field_path)
            if key in owner:
                problems.append(_repeat_problem(entry, field_path, line, name, owner[key]))
                continue
            if _look_alike(looks, (entry, field_path, line, name), key, problems):
                continue
            owner[key] = (entry, field_path, line)
            glossary.names[name.casefold()] = entry.slug
            glossary.names.setdefault(key, entry.slug)
    for slug in glossary.entries:
        glossary.names.setdefault(slug, slug)


#: A link of an entry: (target slug, field, text as written, "related" or "link").
_Target = tuple[str, str, str, str]


def _targets(entry: Entry) -> list[_Target]:
    """Every ``related`` slug, then every ``[[link]]`` of the entry's text fields, in order."""
    targets: list[_Target] = [(slug, f"related[{index}]", "", "related") for index, slug in enumerate(entry.related)]
    for name, text in entry.text_fields():
        targets += [(slug, name, raw, "link") for slug, _shown, raw in wikilinks(text)]
    return targets


def _link_problem(glossary: Glossary, entry: Entry, target: _Target) -> Problem | None:
    """What is wrong with one link of ``entry``, or None."""
    entries = glossary.entries
    slug, where, raw, kind = target
    if slug != entry.slug and slug in entries and (not entry.published or entries[slug].published):
        return None  # a link to a page that exists: the usual case, nothing to locate
    if slug != entry.slug and slug in glossary.unreadable:
        return None  # the target's own file is broken and already reported
    line = locate(entry, where, raw) if kind == "link" else entry.source.line(where)
    label = f"[[{slug}]]" if kind == "link" else f"'{slug}'"
    if slug == entry.slug:
        return Problem(entry.path, line, where,
                       f"an entry cannot {'relate' if kind == 'related' else 'link'} to itself; remove it")
    if slug not in entries:
        return Problem(entry.path, line, where, f"unknown entry {label}{glossary.suggest(slug)}")
    return Problem(entry.path, line, where, f"{label} is a draft ({entries[slug].path}), so it has no page; "
                                            "publish it or remove the link")


def _reference_problems(glossary: Glossary, entry: Entry) -> list[Problem]:
    return [Problem(entry.path, entry.source.line(f"references[{index}]"), f"references[{index}]",
                    f"unknown reference key '{key}'{did_you_mean(key, glossary.references)}; "
                    "add it to glossary/_references.yaml or fix the key")
            for index, key in enumerate(entry.references) if key not in glossary.references]


def check_links(glossary: Glossary, problems: list[Problem]) -> dict[str, list[str]]:
    """Check every ``related`` slug, ``[[link]]`` and reference key; returns ``Glossary.outgoing`` of each entry."""
    outgoing: dict[str, list[str]] = {}
    for entry in glossary.entries.values():
        targets = _targets(entry)
        outgoing[entry.slug] = list(dict.fromkeys(target[0] for target in targets))  # as Glossary.outgoing()
        for target in targets:
            problem = _link_problem(glossary, entry, target)
            if problem is not None:
                problems.append(problem)
        problems.extend(_reference_problems(glossary, entry))
    return outgoing


def _precursor_problem(glossary: Glossary, entry: Entry, index: int, slug: str) -> Problem | None:
    """What is wrong with one ``precursor_of`` step, or None."""
    entries = glossary.entries
    where = f"precursor_of[{index}]"
    line = entry.source.line(where)
    if slug == entry.slug:
        return Problem(entry.path, line, where, "an entry cannot be a precursor of itself; remove it")
    if slug not in entries:
        return Problem(entry.path, line, where, f"unknown entry '{slug}'{glossary.suggest(slug)}")
    if entry.published and not entries[slug].published:
        return Problem(entry.path, line, where, f"'{slug}' is a draft ({entries[slug].path}), so it has no page; "
                                                "publish it or remove it from the pathway")
    return None


def check_precursors(glossary: Glossary, problems: list[Problem]) -> None:
    """``precursor_of``: known, published slugs, never the entry itself, and no cycles."""
    edges: dict[str, list[tuple[int, str]]] = {}
    for entry in glossary.entries.values():
        edges[entry.slug] = []
        for index, slug in enumerate(entry.precursor_of):
            problem = _precursor_problem(glossary, entry, index, slug)
            if problem is None:
                edges[entry.slug].append((index, slug))
            else:
                problems.append(problem)
    _check_cycles(glossary, edges, problems)


def _check_cycles(glossary: Glossary, edges: dict[str, list[tuple[int, str]]], problems: list[Problem]) -> None:
    """Depth-first search; an edge back to a step still on the path closes a cycle, reported where it is written."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(slug: str) -> None:
        state[slug] = 1
        path.append(slug)
        for index, target in edges[slug]:
            if state.get(target) == 1:
                loop = path[path.index(target):] + [target]
                entry = glossary.entries[slug]
                where = f"precursor_of[{index}]"
                problems.append(Problem(entry.path, entry.source.line(where), where,
                                        f"'{target}' closes a cycle ({' → '.join(loop)}); a synthesis pathway "
                                        "cannot lead back to an earlier step: remove one of these links"))
            elif target not in state:
                visit(target)
        path.pop()
        state[slug] = 2

    for slug in sorted(edges):
        if slug not in state:
            visit(slug)


def check_style(root: Path, glossary: Glossary, problems: list[Problem], docs_dir: str = "content",
                jobs: int = 1) -> None:
    """Readability limits and person-first wording (glossary/_style.yaml) for entries and articles.

    A published entry or an article over its grade limit is a problem; a draft's is a warning (drafts are
    measured and reported, never failed); stigmatising words are warnings naming the wording to use.
    Entries are measured in ``jobs`` processes when there are many (``parallel.fork_map``).
    """
    style = glossary.style  # read by load_glossary first: the citation and review rules need it too

    def measure_each(entries: list[Entry]) -> list[tuple[dict[str, Reading], list[Problem]]]:
        return [(entry_readings(e, glossary.term_of), entry_word_warnings(e, style)) for e in entries]

    entries = list(glossary.entries.values())
    warm_up()  # the pronouncing dictionary, read once here rather than once in each worker
    for entry, (readings, words) in zip(entries, fork_map(measure_each, entries, jobs), strict=True):
        glossary.readings[entry.slug] = readings
        over = readability_problems(entry, style, readings)
        (problems if entry.published else glossary.warnings).extend(over)
        glossary.warnings.extend(words)
    found, warnings = article_problems(root, style, glossary.term_of, docs_dir=docs_dir)
    problems.extend(found)
    glossary.warnings.extend(warnings)
    for article in measure_articles(root, glossary.term_of, docs_dir=docs_dir):
        glossary.article_readings[article.path] = article.reading
    glossary.warnings.sort()
