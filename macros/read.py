"""Phase 1, read: every file of ``glossary/``, each on its own (parsed, then checked against the schema and
the text rules); a large glossary is read in several processes.

Nothing here looks at two entries at once: that is the check phase (``check.py``).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .loader import read_yaml
from .model import SCHEMA_LINE, SLUG, Entry, Problem, Reference, slugify
from .validate import REFERENCES_SCHEMA, schema_problems, text_problems

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
    found = schema_problems(data, smap, display, REFERENCES_SCHEMA)
    problems.extend(found)
    if found:
        return
    for index, item in enumerate(data["references"]):
        key = item["key"]
        line = smap.line(f"references[{index}].key")
        if key in glossary.references:
            problems.append(Problem(display, line, f"references[{index}].key",
                                    f"duplicate reference key '{key}': already used on line "
                                    f"{glossary.references[key].line}"))
            continue
        glossary.references[key] = Reference(key=key, data=item, path=display, line=line)


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
    problems.extend(text_problems(entry))
    entry.text_fields()  # worked out here, so a worker process sends it back with the entry
    return entry, problems


def read_chunk(folder: Path, names: list[str]) -> list[tuple[Entry | None, list[Problem]]]:
    return [_read_entry(folder, name) for name in names]


def _can_fork() -> bool:
    # Only where fork is the usual, safe way (Linux): elsewhere the glossary is read in one process.
    return sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()


def _send_chunk(send: Any, folder: Path, names: list[str]) -> None:
    """In a worker process: read a share of the files and send the results back."""
    try:
        send.send(read_chunk(folder, names))
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
        return read_chunk(folder, names)
    chunks = [names[i::jobs] for i in range(jobs)]
    context = multiprocessing.get_context("fork")
    workers = []
    for chunk in chunks[1:]:
        receive, send = context.Pipe(duplex=False)
        process = context.Process(target=_send_chunk, args=(send, folder, chunk), daemon=True)
        process.start()
        send.close()
        workers.append((process, receive, chunk))
    parts = [read_chunk(folder, chunks[0])]
    for process, receive, chunk in workers:
        try:
            part = receive.recv()
        except (EOFError, OSError):
            part = read_chunk(folder, chunk)
        receive.close()
        process.join()
        parts.append(part)
    results: list[tuple[Entry | None, list[Problem]]] = [(None, [])] * len(names)
    for index, part in enumerate(parts):
        results[index::jobs] = part
    return results


def read_entries(root: Path, glossary: Glossary, problems: list[Problem], jobs: int = 1) -> None:
    """Read every entry file of ``glossary/`` (each checked on its own) into ``glossary.entries``."""
    folder = root / "glossary"
    # scandir: the file type comes with the listing (no stat per file), and names sort faster than paths.
    with os.scandir(folder) if folder.is_dir() else contextlib.nullcontext(iter(())) as listing:
        files = sorted((item.name, item.is_dir()) for item in listing)
    names = []
    for name, is_dir in files:
        display = f"glossary/{name}"
        stem, _dot, suffix = name.rpartition(".")
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
