"""Load the whole glossary, check it across entries, and index it.

``load_glossary(root)`` is the single way in: the MkDocs hook, the macros, the
command line and the tests all call it. It validates everything and returns
every problem at once, never stopping at the first.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import multiprocessing
import os
import re
import stat
import sys
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from .citations import citation_problems, page_problems, scan
from .loader import MAX_BYTES, FileProblem, read_file_bytes, read_yaml
from .markup import judge, site_markdown
from .model import Entry, Problem, Reference
from .readability import Reading
from .review import review_problems
from .style import (
    Style,
    article_problems,
    entry_readings,
    entry_word_warnings,
    load_style,
    measure_articles,
    readability_problems,
)
from .validate import (
    REFERENCES_SCHEMA,
    did_you_mean,
    locate,
    name_key,
    name_problems,
    schema_problems,
    skeleton,
    text_problems,
    urgent_problems,
    wikilinks,
)

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
SCHEMA_LINE = "# yaml-language-server: $schema=../macros/schemas/entry.schema.json"
BIBLIOGRAPHY = "_references.yaml"
_MACRO_CALL = re.compile(r"\b(term|definition|risk)\(\s*(['\"])(.*?)\2")
_H1 = re.compile(r"^#\s+(.+?)\s*#*\s*$", re.M)
_FRONT_TITLE = re.compile(r"\A---\s*\n(?:.*\n)*?title:\s*['\"]?(.+?)['\"]?\s*\n(?:.*\n)*?---", re.M)

__all__ = ["Article", "Glossary", "load_glossary", "slugify"]
P = ParamSpec("P")
T = TypeVar("T")


def slugify(name: str) -> str:
    """The kebab-case slug of a term: ``"GABA-A Receptor"`` -> ``"gaba-a-receptor"``."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower().replace("'", "").replace("\u2019", "")).strip("-")


@dataclass(frozen=True)
class Article:
    """A Markdown page of ``content/`` that mentions entries through the macros."""

    src_uri: str
    title: str


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
    #: Keys cited inline by each hand-written page of ``content/`` (by ``src_uri``), in order.
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


def _load_references(root: Path, glossary: Glossary, problems: list[Problem]) -> None:
    path = root / "glossary" / BIBLIOGRAPHY
    display = f"glossary/{BIBLIOGRAPHY}"
    if not path.exists():
        problems.append(Problem(display, 1, "(file)", "the bibliography file is missing; every entry cites its keys"))
        return
    data, smap, _text, found = read_yaml(path, display)
    problems.extend(found)
    if data is None:
        return
    found = schema_problems(data, smap, display, REFERENCES_SCHEMA)
    problems.extend(found)
    items = data.get("references") if isinstance(data, dict) else None
    if isinstance(items, list):  # judged even beside schema problems: each field on its own
        problems.extend(reference_problems([i if isinstance(i, dict) else {} for i in items], smap, display, root))
    # A record with a problem (reported above) is still indexed by its key, so the entries citing it
    # are not reported as well.
    for index, item in enumerate(items if isinstance(items, list) else []):
        key = item.get("key") if isinstance(item, dict) else None
        if not isinstance(key, str) or not key:
            continue
        line = smap.line(f"references[{index}].key")
        if key in glossary.references:
            problems.append(Problem(display, line, f"references[{index}].key",
                                    f"duplicate reference key '{key}': already used on line "
                                    f"{glossary.references[key].line}"))
            continue
        glossary.references[key] = Reference(key=key, data=item, path=display, line=line)


#: Fields of a bibliography record that are printed on pages (the others are notes for authors).
PUBLIC_REFERENCE_FIELDS = ("title", "authors", "year", "publisher_or_journal", "volume_pages", "url", "identifiers")


def reference_problems(items: list[dict[str, Any]], smap: Any, display: str, root: Path,
                       render: Callable[[dict[str, Any]], str] | None = None) -> list[Problem]:
    """Every public field of every record, rendered as the References list renders it, against the allow-list.

    ``render`` is the function that writes one record as Markdown (``render.reference_markdown``).
    """
    if render is None:
        from .render import reference_markdown

        render = reference_markdown
    config = site_markdown(root)
    problems: list[Problem] = []
    for index, item in enumerate(items):
        names = [name for name in PUBLIC_REFERENCE_FIELDS if item.get(name) not in (None, "", {})
                 and isinstance(item.get(name), str | int | dict)]
        whole = judge(render({"title": "Title", **{name: item[name] for name in names}}), config)
        if not whole.findings and not whole.relative and whole.one_paragraph:
            continue  # the usual case: the whole record is one line of allowed text
        for name in names:  # find the field(s) at fault
            verdict = judge(render({"title": "Title", name: item[name]}), config)
            where = f"references[{index}].{name}"
            messages = [finding.message for finding in verdict.findings]
            messages += [f"'{href}' is not a full web address; write it with https://" for href in verdict.relative]
            if not messages and not verdict.one_paragraph:
                messages = ["must be one line of text (it is one item of the References list); remove the blank "
                            "lines and the list or heading markers"]
            problems.extend(Problem(display, smap.line(where), where, message) for message in messages)
    return problems


#: Below this many entry files the glossary is always read in one process: forking would cost more than it saves.
PARALLEL_MIN = 500


def _read_entry(folder: Path, name: str) -> tuple[Entry | None, list[Problem]]:
    """Read and check one entry file on its own: the entry (None when it cannot be used) and its problems."""
    path = folder / name
    display = f"glossary/{name}"
    data, smap, text, found = read_yaml(path, display)
    if data is None:
        return None, found
    if not isinstance(data, dict):
        return None, [Problem(display, 1, "(file)", "an entry must be a mapping of fields (term: ..., summary: ...), "
                                                    f"not {type(data).__name__}")]
    entry = Entry(slug=path.stem, path=display, data=data, source=smap, text=text)
    problems = list(found)
    if not text.startswith("# yaml-language-server: $schema="):
        problems.append(Problem(display, 1, "(file)",
                                "the first line must be the schema line, so editors check the fields: " + SCHEMA_LINE))
    problems.extend(schema_problems(data, smap, display))
    problems.extend(name_problems(entry))
    problems.extend(text_problems(entry, folder.parent))
    problems.extend(urgent_problems(entry))
    entry.text_fields()  # worked out here, so a worker process sends it back with the entry
    return entry, problems


def _read_chunk(folder: Path, names: list[str]) -> list[tuple[Entry | None, list[Problem]]]:
    return [_read_entry(folder, name) for name in names]


def _can_fork() -> bool:
    # Only where fork is the usual, safe way (Linux): elsewhere the glossary is read in one process.
    return sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()


def _send_chunk(send: Any, folder: Path, names: list[str]) -> None:
    """In a worker process: read a share of the files and send the results back."""
    try:
        send.send(_read_chunk(folder, names))
    except BaseException:  # noqa: BLE001 - the parent reads this share itself when nothing arrives
        pass
    finally:
        send.close()


def _read_entries(folder: Path, names: list[str], jobs: int) -> list[tuple[Entry | None, list[Problem]]]:
    """``_read_entry`` of every name, in order; split across ``jobs`` processes for a large glossary.

    The files are dealt out in turn (the first to this process, the next to a worker...), so every
    process gets a similar share; results are put back in name order, so the outcome never
    depends on ``jobs``. Workers are forked (nothing but their results is pickled), and a worker
    that fails has its share read here instead.
    """
    if jobs <= 1 or len(names) < PARALLEL_MIN or not _can_fork():
        return _read_chunk(folder, names)
    chunks = [names[i::jobs] for i in range(jobs)]
    context = multiprocessing.get_context("fork")
    workers = []
    for chunk in chunks[1:]:
        receive, send = context.Pipe(duplex=False)
        process = context.Process(target=_send_chunk, args=(send, folder, chunk), daemon=True)
        process.start()
        send.close()
        workers.append((process, receive, chunk))
    parts = [_read_chunk(folder, chunks[0])]
    for process, receive, chunk in workers:
        try:
            part = receive.recv()
        except (EOFError, OSError):
            part = _read_chunk(folder, chunk)
        receive.close()
        process.join()
        parts.append(part)
    results: list[tuple[Entry | None, list[Problem]]] = [(None, [])] * len(names)
    for index, part in enumerate(parts):
        results[index::jobs] = part
    return results


def _is_dir(item: os.DirEntry[str]) -> bool:
    try:
        return item.is_dir()
    except OSError:  # a symbolic link in a loop: read as a file, and reported as such
        return False


def _outside_links(root: Path, problems: list[Problem]) -> set[Path]:
    """Symbolic links under ``glossary/`` and ``content/`` that lead out of the project, each a problem.

    MkDocs copies every file of the docs folder into the site, following links: a link to
    ``/proc/self/environ`` or ``~/.ssh`` would be published. Returns the links, which are never read.
    Non-regular files (FIFOs, devices) under ``content/`` are refused too: copying one blocks the build.
    """
    found: set[Path] = set()
    top = root.resolve()
    for folder_name in ("glossary", "content"):
        stack = [root / folder_name] if (root / folder_name).is_dir() else []
        while stack:  # scandir: whether an item is a link comes with the listing, no call per file
            with os.scandir(stack.pop()) as listing:
                items = sorted(listing, key=lambda item: item.name)
            for item in items:
                path = Path(item.path)
                if item.is_symlink():
                    target = Path(os.path.realpath(path))
                    if target != top and top not in target.parents:
                        found.add(path)
                        problems.append(Problem(path.relative_to(root).as_posix(), 1, "(file)",
                                                f"is a symbolic link to '{os.readlink(path)}', outside the "
                                                "project; the site may only use and publish files of the project: "
                                                "copy the file in instead, or remove the link"))
                        continue
                if item.is_dir(follow_symlinks=False):
                    stack.append(path)
                elif folder_name == "content":
                    try:
                        mode = path.stat().st_mode
                    except OSError:
                        continue  # a dangling link or a loop: MkDocs reports it, and _scan_articles for pages
                    if not stat.S_ISREG(mode) and not stat.S_ISDIR(mode):
                        found.add(path)
                        problems.append(Problem(path.relative_to(root).as_posix(), 1, "(file)",
                                                "is not a regular file (a FIFO, socket or device); the site "
                                                "publishes files: remove it"))
    return found


def _load_entries(root: Path, glossary: Glossary, problems: list[Problem], jobs: int = 1,
                  outside: set[Path] | frozenset[Path] = frozenset()) -> None:
    folder = root / "glossary"
    # scandir: the file type comes with the listing (no stat per file), and names sort faster than paths.
    with os.scandir(folder) if folder.is_dir() else contextlib.nullcontext(iter(())) as listing:
        files = sorted((item.name, _is_dir(item)) for item in listing)
    names = []
    for name, is_dir in files:
        display = f"glossary/{name}"
        stem, _dot, suffix = name.rpartition(".")
        if folder / name in outside:
            continue  # reported by _outside_links, never read
        if is_dir and suffix == "yaml" and not name.startswith((".", "_")):
            problems.append(Problem(display, 1, "(file)", "is a folder, not a file; an entry is one file "
                                                          "glossary/<slug>.yaml: remove or rename the folder"))
            continue
        if name.startswith("_") or name.startswith(".") or is_dir:
            continue
        if suffix == "yml" and stem:
            problems.append(Problem(display, 1, "(file)", f"entries end in .yaml: rename it to '{stem}.yaml'"))
            continue
        if suffix != "yaml" or not stem:
            continue
        if not SLUG.match(stem):
            problems.append(Problem(display, 1, "(file)",
                                    f"the file name must be the entry's slug in lowercase kebab-case: "
                                    f"rename it to '{slugify(stem) or 'entry-name'}.yaml'"))
            continue
        names.append(name)
    for name, (entry, found) in zip(names, _read_entries(folder, names, jobs), strict=True):
        problems.extend(found)
        if entry is None:
            glossary.unreadable.add(name[: -len(".yaml")])
        else:
            glossary.entries[entry.slug] = entry


def _index_names(glossary: Glossary, problems: list[Problem]) -> None:
    owner: dict[str, tuple[Entry, str, int]] = {}
    looks: dict[str, tuple[Entry, str, int, str]] = {}  # skeleton: the first name that looks like this
    for entry in sorted(glossary.entries.values(), key=lambda e: e.path):
        names = [("term", entry.term)] + [(f"aliases[{i}]", a) for i, a in enumerate(entry.aliases)]
        for field_path, name in names:
            key = name_key(name)
            line = entry.source.line(field_path)
            if key in owner:
                other, other_field, other_line = owner[key]
                if other is entry:
                    problems.append(Problem(entry.path, line, field_path,
                                            f"'{name}' repeats this entry's {other_field.split('[')[0]} "
                                            f"(line {other_line}); remove it"))
                else:
                    what = "the term" if other_field == "term" else "an alias"
                    problems.append(Problem(entry.path, line, field_path,
                                            f"'{name}' is already {what} of {other.path}:{other_line}; "
                                            "terms and aliases must be unique (case-insensitive)"))
                continue
            shape = skeleton(name)
            if shape in looks and looks[shape][0] is not entry:
                # The name written with look-alike letters is the one reported, wherever it is.
                here = (entry, field_path, line, name)
                there = looks[shape]
                if shape == key:  # this one is plain: the other holds the look-alikes
                    here, there = there, here
                    looks[shape] = there
                problems.append(Problem(here[0].path, here[2], here[1],
                                        f"'{here[3]}' looks like '{there[3]}', "
                                        f"{'the term' if there[1] == 'term' else 'an alias'} of "
                                        f"{there[0].path}:{there[2]}, but is written with other characters "
                                        "(letters of another alphabet); readers could not tell them apart: "
                                        "choose another name"))
                if here[0] is entry:
                    continue
            looks.setdefault(shape, (entry, field_path, line, name))
            owner[key] = (entry, field_path, line)
            glossary.names[name.casefold()] = entry.slug
            glossary.names.setdefault(key, entry.slug)
    for slug in glossary.entries:
        glossary.names.setdefault(slug, slug)


def _check_links(glossary: Glossary, problems: list[Problem]) -> dict[str, list[str]]:
    """Check every ``related`` slug, ``[[link]]`` and reference key; returns ``Glossary.outgoing`` of each entry."""
    entries = glossary.entries
    outgoing: dict[str, list[str]] = {}
    for entry in entries.values():
        targets: list[tuple[str, str, str, str]] = []
        for index, slug in enumerate(entry.related):
            targets.append((slug, f"related[{index}]", "", "related"))
        for name, text in entry.text_fields():
            for slug, _shown, raw in wikilinks(text):
                targets.append((slug, name, raw, "link"))
        outgoing[entry.slug] = list(dict.fromkeys(target[0] for target in targets))  # as Glossary.outgoing()
        published = entry.published
        for slug, where, raw, kind in targets:
            if slug != entry.slug and slug in entries and (not published or entries[slug].published):
                continue  # a link to a page that exists: the usual case, nothing to locate
            line = locate(entry, where, raw) if kind == "link" else entry.source.line(where)
            label = f"[[{slug}]]" if kind == "link" else f"'{slug}'"
            if slug == entry.slug:
                problems.append(Problem(entry.path, line, where,
                                        f"an entry cannot {'relate' if kind == 'related' else 'link'} to itself; "
                                        "remove it"))
            elif slug in glossary.unreadable:
                continue  # the target's own file is broken and already reported
            elif slug not in entries:
                problems.append(Problem(entry.path, line, where,
                                        f"unknown entry {label}{glossary.suggest(slug)}"))
            elif entry.published and not entries[slug].published:
                problems.append(Problem(entry.path, line, where,
                                        f"{label} is a draft ({entries[slug].path}), so it has no page; "
                                        "publish it or remove the link"))
        for index, key in enumerate(entry.references):
            if key not in glossary.references:
                problems.append(Problem(entry.path, entry.source.line(f"references[{index}]"), f"references[{index}]",
                                        f"unknown reference key '{key}'{did_you_mean(key, glossary.references)}; "
                                        "add it to glossary/_references.yaml or fix the key"))
    return outgoing


def _check_precursors(glossary: Glossary, problems: list[Problem]) -> None:
    """``precursor_of``: known, published slugs, never the entry itself, and no cycles."""
    entries = glossary.entries
    edges: dict[str, list[tuple[int, str]]] = {}
    for entry in entries.values():
        edges[entry.slug] = []
        for index, slug in enumerate(entry.precursor_of):
            where = f"precursor_of[{index}]"
            line = entry.source.line(where)
            if slug == entry.slug:
                problems.append(Problem(entry.path, line, where,
                                        "an entry cannot be a precursor of itself; remove it"))
            elif slug not in entries:
                problems.append(Problem(entry.path, line, where, f"unknown entry '{slug}'{glossary.suggest(slug)}"))
            elif entry.published and not entries[slug].published:
                problems.append(Problem(entry.path, line, where,
                                        f"'{slug}' is a draft ({entries[slug].path}), so it has no page; "
                                        "publish it or remove it from the pathway"))
            else:
                edges[entry.slug].append((index, slug))
    # Depth-first search; an edge back to a step still on the path closes a cycle, reported where it is written.
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(slug: str) -> None:
        state[slug] = 1
        path.append(slug)
        for index, target in edges[slug]:
            if state.get(target) == 1:
                loop = path[path.index(target):] + [target]
                entry = entries[slug]
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


def _index_links(glossary: Glossary, outgoing: dict[str, list[str]] | None = None) -> None:
    """Tags and backlinks; ``outgoing`` (from ``_check_links``) saves reading every entry's links again."""
    for entry in glossary.published():
        for tag in entry.tags:
            glossary.tags[tag].append(entry.slug)
        links = outgoing.get(entry.slug) if outgoing is not None else None
        for slug in links if links is not None else glossary.outgoing(entry):
            target = glossary.entries.get(slug)
            if target is not None and target.published and slug != entry.slug:
                glossary.backlinks[slug].append(entry.slug)


def page_title(markdown: str, fallback: str) -> str:
    """A Markdown page's title: front-matter ``title``, else its first ``# heading``."""
    front = _FRONT_TITLE.match(markdown)
    if front:
        return front.group(1)
    heading = _H1.search(markdown)
    return heading.group(1) if heading else fallback


def _scan_articles(root: Path, glossary: Glossary, problems: list[Problem],
                   outside: set[Path] | frozenset[Path] = frozenset()) -> None:
    """Record which pages of ``content/`` mention which entries, and catch unknown slugs early."""
    docs = root / "content"
    for path in sorted(docs.rglob("*.md")) if docs.is_dir() else []:
        src_uri = path.relative_to(docs).as_posix()
        if path in outside or path.is_dir():
            continue
        try:
            markdown = read_file_bytes(path, limit=10 * MAX_BYTES).decode("utf-8", errors="replace")
        except FileProblem as error:
            problems.append(Problem(f"content/{src_uri}", 1, "(file)", str(error)))
            continue
        title = page_title(markdown, path.stem.replace("-", " ").capitalize())
        mentioned: set[str] = set()
        if "[" in markdown and "@" in markdown:
            display = f"content/{src_uri}"
            problems.extend(page_problems(markdown, display, glossary, glossary.style,
                                          article=src_uri.startswith("articles/")))
            glossary.page_citations[src_uri] = [key for cite in scan(markdown, fences=True)[0]
                                                for key, _loc in cite.items]
        elif src_uri.startswith("articles/"):
            problems.extend(page_problems(markdown, f"content/{src_uri}", glossary, glossary.style, article=True))
        for match in _MACRO_CALL.finditer(markdown):
            slug = match.group(3)
            line = markdown.count("\n", 0, match.start()) + 1
            entry = glossary.entries.get(slug)
            if entry is None and slug in glossary.unreadable:
                continue
            if entry is None:
                problems.append(Problem(f"content/{src_uri}", line, match.group(1),
                                        f"unknown entry '{slug}'{glossary.suggest(slug)}"))
            elif not entry.published:
                problems.append(Problem(f"content/{src_uri}", line, match.group(1),
                                        f"'{slug}' is a draft ({entry.path}), so it has no page; publish it first"))
            elif slug not in mentioned:
                mentioned.add(slug)
                glossary.mentions[slug].append(Article(src_uri=src_uri, title=title))


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


def _check_style(root: Path, glossary: Glossary, problems: list[Problem]) -> None:
    """Readability limits and person-first wording (glossary/_style.yaml) for entries and articles.

    A published entry or an article over its grade limit is a problem; a draft's is a warning (drafts are
    measured and reported, never failed); stigmatising words are warnings naming the wording to use.
    """
    style = glossary.style  # read by load_glossary first: the citation and review rules need it too
    for entry in glossary.entries.values():
        readings = entry_readings(entry, glossary.term_of)
        glossary.readings[entry.slug] = readings
        over = readability_problems(entry, style, readings)
        (problems if entry.published else glossary.warnings).extend(over)
        glossary.warnings.extend(entry_word_warnings(entry, style))
    found, warnings = article_problems(root, style, glossary.term_of)
    problems.extend(found)
    glossary.warnings.extend(warnings)
    for article in measure_articles(root, glossary.term_of):
        glossary.article_readings[article.path] = article.reading
    glossary.warnings.sort()


@_gc_paused
def load_glossary(root: Path | str, jobs: int = 1) -> tuple[Glossary, list[Problem]]:
    """Load, validate and index ``<root>/glossary`` (and scan ``<root>/content``).

    Returns the glossary and the sorted list of every problem found. ``jobs`` > 1 reads the
    files of a large glossary in that many processes (the command line does; the site build,
    which may run beside ``mkdocs serve``'s threads, does not); the result is the same.
    """
    root = Path(root)
    glossary = Glossary(root=root)
    problems: list[Problem] = []
    glossary.style, found = load_style(root)
    problems.extend(found)
    outside = _outside_links(root, problems)
    if root / "glossary" / BIBLIOGRAPHY not in outside:
        _load_references(root, glossary, problems)
    _load_entries(root, glossary, problems, jobs, outside)
    _index_names(glossary, problems)
    outgoing = _check_links(glossary, problems)
    _check_precursors(glossary, problems)
    problems.extend(citation_problems(glossary, glossary.style))
    problems.extend(review_problems(glossary))
    _index_links(glossary, outgoing)
    _scan_articles(root, glossary, problems, outside)
    _check_style(root, glossary, problems)
    return glossary, sorted(set(problems))

