"""``mkdocs serve``: partial rebuilds after an entry edit, and the last good build kept online.

MkDocs 1.6 rebuilds the whole site after any change: about 14 s for 1,000 entries. Here,
when only files of ``glossary/`` changed since the last good build, the rebuild is a
*partial* one: MkDocs' own dirty build, in place, where every generated page whose
Markdown (and entry data) is exactly that of the last good build is left as it is
(``site._mark_unchanged``). An edit to one entry's text so rebuilds that entry's page,
the pages whose links, tooltips, backlinks or maps show it, the A-Z and topic pages
when a term, summary or tag changed, and the hand-written pages (which call the
macros); the search index is the last one with those pages' sections replaced.

Anything else (``mkdocs.yml``, ``content/``, ``macros/``, ``overrides/``, a file the
snapshot does not cover, or a partial rebuild that failed half-way) gets a full
rebuild, into a fresh folder, as before.

A build that fails (a problem in an entry, a template that does not compile) leaves
the last good site in place; the problems are printed as ``path:line: field:
message``, and saving a fix rebuilds as usual, without a restart. MkDocs 1.6.1's
``LiveReloadServer`` holds every request until the build it started succeeds, so
after a failure the last good build is marked as the current one, and the dirty flag
reaches MkDocs through the name ``build`` that its serve command calls: both touch
MkDocs' internals, so both live in ``mkdocs_compat.py`` (tests/test_serve.py fails if
they change).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig

from .mkdocs_compat import keep_last_good_build, serve_builds, sign_live_reload
from .state import Session

log = logging.getLogger("mkdocs.glossary")

#: The project's source folders that ``mkdocs serve`` watches and compares (besides the docs folder,
#: mkdocs.yml and its ``watch`` list); MkDocs itself watches the docs folder and the theme.
WATCHED = ("glossary", "macros", "overrides")
#: Folders of the project that never hold sources (bytecode caches, the built site).
_SKIPPED_DIRS = frozenset({"__pycache__", ".git", ".venv", "node_modules"})

Snapshot = dict[str, tuple[int, int]]


def snapshot(paths: list[Path], root: Path) -> Snapshot:
    """``{path relative to root: (mtime_ns, size)}`` of every file under ``paths`` (files or folders)."""
    found: Snapshot = {}
    stack = [str(p) for p in paths]
    while stack:
        path = stack.pop()
        try:
            if os.path.isfile(path):
                info = os.stat(path)
                found[os.path.relpath(path, root)] = (info.st_mtime_ns, info.st_size)
                continue
            with os.scandir(path) as listing:
                for item in listing:
                    if item.is_dir(follow_symlinks=True):
                        if item.name not in _SKIPPED_DIRS:
                            stack.append(item.path)
                    elif item.is_file(follow_symlinks=True):
                        info = item.stat()
                        found[os.path.relpath(item.path, root)] = (info.st_mtime_ns, info.st_size)
        except OSError:
            continue  # removed while we looked: the next snapshot sees it gone
    return found


def changed_files(before: Snapshot, after: Snapshot) -> set[str]:
    """Files added, removed or changed between two snapshots."""
    return {path for path in before.keys() | after.keys() if before.get(path) != after.get(path)}


def only_entries(changed: set[str]) -> bool:
    """Whether a partial rebuild covers these changes: files directly in ``glossary/``, nothing else."""
    return bool(changed) and all(Path(path).parent == Path("glossary") for path in changed)


def _site_module() -> Any:
    """``macros.site`` as loaded now (the hook reloads the package when its code changes)."""
    import importlib

    return importlib.import_module("macros.site")


class Rebuilder:
    """The serve loop's builder: a partial rebuild when only entries changed, else a full one."""

    def __init__(self, server: Any, build: Callable[[], None], config: MkDocsConfig, session: Session) -> None:
        self.server = server
        self.session = session
        self.build = build
        self.site = Path(server.root)
        self.root = Path(config.config_file_path).parent if config.config_file_path else Path.cwd()
        watched = [*(self.root / folder for folder in WATCHED), Path(config.docs_dir)]
        watched += [Path(p) for p in config.watch]
        if config.config_file_path:
            watched.append(Path(config.config_file_path))
        self.watched = watched
        # The first build (made by MkDocs before on_serve) succeeded, or serve would have stopped.
        self.last_good: Snapshot | None = snapshot(self.watched, self.root)
        _site_module().commit_build(session)
        self.partial_rebuilds = 0  # how many rebuilds were partial (the tests read it from the log)

    def __call__(self) -> None:
        now = snapshot(self.watched, self.root)
        changed = changed_files(self.last_good, now) if self.last_good is not None else set()
        index = self.site / "search" / "search_index.json"
        if self.last_good is not None and only_entries(changed) and self.session.baseline is not None \
                and index.is_file():
            ok = self._partial(index, changed)
        else:
            ok = self._full()
        if ok:
            self.last_good = now

    def _failed(self, error: BaseException, *, part_written: bool = False) -> None:
        from mkdocs.exceptions import BuildError, MkDocsException

        if isinstance(error, MkDocsException) and not isinstance(error, SystemExit | BuildError):
            log.error(error.format_message())  # mkdocs.yml cannot be read: MkDocs says where
        elif not isinstance(error, SystemExit | BuildError):
            traceback.print_exc()  # a bug in code, not an author's mistake: show where
        keep_last_good_build(self.server)  # the old build stays current; browsers keep it
        if part_written:
            log.error("The site was not fully rebuilt, because of the problems above: some pages may already "
                      "show the change. Fix them and save: the whole site is rebuilt then.")
            return
        log.error("The site was not rebuilt, because of the problems above; still serving the last good "
                  "build. Fix them and save: the site rebuilds by itself.")

    def _full(self) -> bool:
        """Build into a fresh folder; if that fails, put the last good one back."""
        keep = self.site.with_name(self.site.name + ".last-good")
        shutil.rmtree(keep, ignore_errors=True)
        if self.site.is_dir():
            os.replace(self.site, keep)
        self.site.mkdir()
        try:
            with serve_builds(dirty=False):
                self.build()
        except (Exception, SystemExit) as error:  # SystemExit: MkDocs' Abort, mkdocs-macros' exit()
            _site_module().discard_build(self.session)
            shutil.rmtree(self.site, ignore_errors=True)
            if keep.is_dir():
                os.replace(keep, self.site)
            self._failed(error)
            return False
        _site_module().commit_build(self.session)
        shutil.rmtree(keep, ignore_errors=True)
        return True

    def _partial(self, index: Path, changed: set[str]) -> bool:
        """Rebuild in place the pages the edit changed; keep the rest of the site and of the search index."""
        previous = json.loads(index.read_text(encoding="utf-8"))
        try:
            with serve_builds(dirty=True):
                self.build()
        except (Exception, SystemExit) as error:
            written = _site_module().discard_build(self.session)
            if written:  # it failed after it began on the pages: the next rebuild is a full one
                self.last_good = None
            self._failed(error, part_written=written)
            return False
        site_module = _site_module()
        dropped = site_module.dropped_pages(self.session)
        for dest_uri, _url in dropped:  # an entry deleted or unpublished, a topic no longer used
            target = self.site / dest_uri
            target.unlink(missing_ok=True)
            with contextlib.suppress(OSError):
                target.parent.rmdir()  # its folder, when nothing else is left in it
        fresh = json.loads(index.read_text(encoding="utf-8"))
        rebuilt = {doc["location"].split("#")[0] for doc in fresh["docs"]}
        gone = rebuilt | {url for _dest, url in dropped}
        docs = [doc for doc in previous["docs"] if doc["location"].split("#")[0] not in gone] + fresh["docs"]
        index.write_text(json.dumps({**fresh, "docs": docs}, separators=(",", ":"), default=str), encoding="utf-8")
        site_module.commit_build(self.session)
        self.partial_rebuilds += 1
        names = ", ".join(sorted(changed)[:3]) + (f" and {len(changed) - 3} more" if len(changed) > 3 else "")
        log.info(f"Partial rebuild after a change to {names}: {len(rebuilt)} pages rebuilt, the others kept.")
        return True


def on_serve(server: Any, config: MkDocsConfig, builder: Any, *, session: Session) -> Any:
    """Watch the glossary, the macros and the templates; rebuild partially when only entries changed."""
    root = Path(config.config_file_path).parent if config.config_file_path else Path.cwd()
    for folder in WATCHED:
        if (root / folder).is_dir():
            server.watch(str(root / folder))
    server.builder = Rebuilder(server, server.builder, config, session)
    sign_live_reload(server, session.nonce)
    return server


__all__ = ["Rebuilder", "changed_files", "on_serve", "only_entries", "snapshot"]
