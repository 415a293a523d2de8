"""Phase 3, index: tags, backlinks and the pages of the docs folder that mention each entry.

The docs folder and the names of the macros that take a slug come from the caller: the MkDocs glue
passes ``config.docs_dir`` and the macros ``define_env`` registers; the command line reads
``docs_dir`` from ``mkdocs.yml`` (``docs_folder``).
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from . import SLUG_MACROS
from .loader import MAX_BYTES, FileProblem, read_file_bytes
from .model import Article, Problem, is_article

if TYPE_CHECKING:
    from .registry import Glossary

_H1 = re.compile(r"^#\s+(.+?)\s*#*\s*$", re.M)
_FRONT_TITLE = re.compile(r"\A---\s*\n(?:.*\n)*?title:\s*['\"]?(.+?)['\"]?\s*\n(?:.*\n)*?---", re.M)


@lru_cache(maxsize=8)
def macro_call(macros: tuple[str, ...] = SLUG_MACROS) -> re.Pattern[str]:
    """A call of one of ``macros`` with a quoted slug: ``term('gaba')``; groups: name, quote, slug."""
    names = "|".join(re.escape(name) for name in macros)
    return re.compile(rf"\b({names})\(\s*(['\"])(.*?)\2")


class _Lenient(yaml.SafeLoader):
    """Reads mkdocs.yml for one key: its ``!ENV`` and ``!!python/name:`` tags become None."""


_Lenient.add_multi_constructor("!", lambda _loader, _suffix, _node: None)
_Lenient.add_multi_constructor("tag:yaml.org,2002:python/", lambda _loader, _suffix, _node: None)


def docs_folder(root: Path) -> Path:
    """The docs folder of the project at ``root``: ``docs_dir`` of its mkdocs.yml (MkDocs' default: docs)."""
    config: Any = None
    with_config = root / "mkdocs.yml"
    if with_config.is_file():
        try:
            config = yaml.load(with_config.read_text(encoding="utf-8"), Loader=_Lenient)  # a SafeLoader
        except (yaml.YAMLError, UnicodeDecodeError):
            config = None
    name = config.get("docs_dir") if isinstance(config, dict) else None
    return root / (name if isinstance(name, str) and name else "docs")


def index_links(glossary: Glossary, outgoing: dict[str, list[str]] | None = None) -> None:
    """Tags and backlinks; ``outgoing`` (from ``check.check_links``) saves reading every entry's links again."""
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


def _page_text(path: Path, shown: str, problems: list[Problem]) -> str | None:
    """A page's Markdown (at most ten times an entry's size), or None with the problem of a file that cannot be read."""
    try:
        return read_file_bytes(path, limit=10 * MAX_BYTES).decode("utf-8", errors="replace")
    except FileProblem as error:
        problems.append(Problem(shown, 1, "(file)", str(error)))
        return None


def _index_page(markdown: str, src_uri: str, shown: str, call: re.Pattern[str], glossary: Glossary,
                problems: list[Problem]) -> None:
    """The entries one page mentions (``glossary.mentions``), and its calls of unknown or draft entries."""
    title = page_title(markdown, Path(src_uri).stem.replace("-", " ").capitalize())
    mentioned: set[str] = set()
    for match in call.finditer(markdown):
        slug = match.group(3)
        line = markdown.count("\n", 0, match.start()) + 1
        entry = glossary.entries.get(slug)
        if entry is None and slug in glossary.unreadable:
            continue
        if entry is None:
            problems.append(Problem(shown, line, match.group(1), f"unknown entry '{slug}'{glossary.suggest(slug)}"))
        elif not entry.published:
            problems.append(Problem(shown, line, match.group(1),
                                    f"'{slug}' is a draft ({entry.path}), so it has no page; publish it first"))
        elif slug not in mentioned:
            mentioned.add(slug)
            glossary.mentions[slug].append(Article(src_uri=src_uri, title=title))


def _cite_page(markdown: str, src_uri: str, shown: str, glossary: Glossary, problems: list[Problem]) -> None:
    """The keys a hand-written page cites (``glossary.page_citations``), and its citation problems
    (every ``##`` section of an article must cite, as ``glossary/_style.yaml`` says)."""
    from .citations import page_problems, scan

    if "[" in markdown and "@" in markdown:
        problems.extend(page_problems(markdown, shown, glossary, glossary.style, article=is_article(src_uri)))
        glossary.page_citations[src_uri] = [key for cite in scan(markdown, fences=True)[0] for key, _loc in cite.items]
    elif is_article(src_uri):
        problems.extend(page_problems(markdown, shown, glossary, glossary.style, article=True))


def index_pages(docs: Path, docs_name: str, glossary: Glossary, problems: list[Problem],
                macros: tuple[str, ...] = SLUG_MACROS, outside: set[Path] | frozenset[Path] = frozenset()) -> None:
    """Record which pages of the docs folder mention which entries, and catch unknown slugs early.

    ``docs`` is the docs folder (MkDocs' ``docs_dir``), shown as ``docs_name`` in problems; ``macros``
    are the names of the macros that take a slug (``define_env`` registers them); the links in ``outside``
    (``read.outside_links``) are never read.
    """
    call = macro_call(macros)
    for path in sorted(docs.rglob("*.md")) if docs.is_dir() else []:
        if path in outside or path.is_dir():
            continue
        src_uri = path.relative_to(docs).as_posix()
        markdown = _page_text(path, f"{docs_name}/{src_uri}", problems)
        if markdown is not None:
            _index_page(markdown, src_uri, f"{docs_name}/{src_uri}", call, glossary, problems)
            _cite_page(markdown, src_uri, f"{docs_name}/{src_uri}", glossary, problems)
