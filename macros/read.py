"""Phase 1, read: every file of ``glossary/``, each on its own (parsed, then checked against the schema and
the text rules); a large glossary is read in several processes.

Nothing here looks at two entries at once: that is the check phase (``check.py``).
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path
from typing import TYPE_CHECKING

from .loader import read_yaml
from .model import SCHEMA_LINE, SLUG, Entry, Problem, Reference, slugify
from .parallel import fork_map
from .validate import REFERENCES_SCHEMA, name_problems, schema_problems, text_problems, urgent_problems

if TYPE_CHECKING:
    from .registry import Glossary

#: The bibliography file of ``glossary/``.
BIBLIOGRAPHY = "_references.yaml"


def read_references(root: Path, glossary: Glossary, problems: list[Problem]) -> None:
    """Read ``glossary/_references.yaml`` into ``glossary.references``; a duplicate key is a problem."""
    path = root / "glossary" / BIBLIOGRAPHY
    display = f"glossary/{BIBLIOGRAPHY}"
    if not path.exists():
        problems.append(Problem(display, 1, "(file)", "the bibliography file is missing; every entry cites its keys"))
        return
    data, smap, _text, found = read_yaml(path, display)
    problems.extend(found)
    if data is None:
        return
    problems.extend(schema_problems(data, smap, display, REFERENCES_SCHEMA))
    # The public fields are never read as Markdown: citations.reference_html escapes each one and pages
    # show it as text, so what they may hold is the schema's to say (an http(s) url, bare identifiers).
    items = data.get("references") if isinstance(data, dict) else None
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


#: Below this many entry files the glossary is always read in one process: forking would cost more than it saves.


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


def read_chunk(folder: Path, names: list[str]) -> list[tuple[Entry | None, list[Problem]]]:
    return [_read_entry(folder, name) for name in names]


def _read_entries(folder: Path, names: list[str], jobs: int) -> list[tuple[Entry | None, list[Problem]]]:
    """``_read_entry`` of every name, in order; split across ``jobs`` processes for a large glossary
    (``parallel.fork_map``: the outcome never depends on ``jobs``)."""
    return fork_map(lambda chunk: read_chunk(folder, chunk), names, jobs)


def _is_dir(item: os.DirEntry[str]) -> bool:
    try:
        return item.is_dir()
    except OSError:  # a symbolic link in a loop: read as a file, and reported as such
        return False


def _link_out_problem(root: Path, top: Path, path: Path) -> Problem | None:
    """The problem of a symbolic link that leads out of the project (``top``), else None."""
    target = Path(os.path.realpath(path))
    if target == top or top in target.parents:
        return None
    return Problem(path.relative_to(root).as_posix(), 1, "(file)",
                   f"is a symbolic link to '{os.readlink(path)}', outside the project; the site may only use and "
                   "publish files of the project: copy the file in instead, or remove the link")


def _not_regular_problem(root: Path, path: Path) -> Problem | None:
    """The problem of a FIFO, socket or device (copying one blocks the build), else None."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return None  # a dangling link or a loop: MkDocs reports it, and index_pages for pages
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    return Problem(path.relative_to(root).as_posix(), 1, "(file)",
                   "is not a regular file (a FIFO, socket or device); the site publishes files: remove it")


def outside_links(root: Path, docs: Path, problems: list[Problem]) -> set[Path]:
    """Symbolic links under ``glossary/`` and the docs folder that lead out of the project, each a problem.

    MkDocs copies every file of the docs folder into the site, following links: a link to
    ``/proc/self/environ`` or ``~/.ssh`` would be published. Returns the links, which are never read.
    Non-regular files (FIFOs, devices) in the docs folder are refused too: copying one blocks the build.
    """
    found: set[Path] = set()
    top = root.resolve()
    for folder in (root / "glossary", docs):
        stack = [folder] if folder.is_dir() else []
        while stack:  # scandir: whether an item is a link comes with the listing, no call per file
            with os.scandir(stack.pop()) as listing:
                items = sorted(listing, key=lambda item: item.name)
            for item in items:
                path = Path(item.path)
                problem = _link_out_problem(root, top, path) if item.is_symlink() else None
                if problem is None and item.is_dir(follow_symlinks=False):
                    stack.append(path)
                elif problem is None and folder == docs:
                    problem = _not_regular_problem(root, path)
                if problem is not None:
                    found.add(path)
                    problems.append(problem)
    return found


def _entry_file(name: str, problems: list[Problem], *, is_dir: bool) -> bool:
    """True when ``glossary/<name>`` is an entry file to read; a misnamed one is a problem."""
    display = f"glossary/{name}"
    stem, _dot, suffix = name.rpartition(".")
    if is_dir and suffix == "yaml" and not name.startswith((".", "_")):
        problems.append(Problem(display, 1, "(file)", "is a folder, not a file; an entry is one file "
                                                      "glossary/<slug>.yaml: remove or rename the folder"))
        return False
    if name.startswith("_") or name.startswith(".") or is_dir:
        return False
    if suffix == "yml" and stem:
        problems.append(Problem(display, 1, "(file)", f"entries end in .yaml: rename it to '{stem}.yaml'"))
        return False
    if suffix != "yaml" or not stem:
        return False
    if not SLUG.match(stem):
        problems.append(Problem(display, 1, "(file)",
                                f"the file name must be the entry's slug in lowercase kebab-case: "
                                f"rename it to '{slugify(stem) or 'entry-name'}.yaml'"))
        return False
    return True


def read_entries(root: Path, glossary: Glossary, problems: list[Problem], jobs: int = 1,
                 outside: set[Path] | frozenset[Path] = frozenset()) -> None:
    """Read every entry file of ``glossary/`` (each checked on its own) into ``glossary.entries``;
    the links in ``outside`` (``outside_links``) are never read."""
    folder = root / "glossary"
    # scandir: the file type comes with the listing (no stat per file), and names sort faster than paths.
    with os.scandir(folder) if folder.is_dir() else contextlib.nullcontext(iter(())) as listing:
        files = sorted((item.name, _is_dir(item)) for item in listing)
    names = [name for name, is_dir in files
             if folder / name not in outside and _entry_file(name, problems, is_dir=is_dir)]
    for name, (entry, found) in zip(names, _read_entries(folder, names, jobs), strict=True):
        problems.extend(found)
        if entry is None:
            glossary.unreadable.add(name[: -len(".yaml")])
        else:
            glossary.entries[entry.slug] = entry
