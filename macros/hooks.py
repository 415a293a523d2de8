"""MkDocs hook file (``hooks: [macros/hooks.py]`` in mkdocs.yml).

Makes the ``macros`` package importable, reloads it when its code changed
(so ``mkdocs serve`` picks up edits to ``macros/``), and forwards the events.
Event priority 100 runs them before every plugin, so the macros plugin and
the search plugin see the generated pages.
"""

from __future__ import annotations

import importlib
import logging
import os
import sys
from typing import Any

from mkdocs.plugins import CombinedEvent, event_priority

_PACKAGE = os.path.dirname(os.path.abspath(__file__))
_ROOT = os.path.dirname(_PACKAGE)


def _stamp() -> tuple[str, float]:
    names = [n for n in os.listdir(_PACKAGE) if n.endswith(".py")]
    return _PACKAGE, max(os.path.getmtime(os.path.join(_PACKAGE, n)) for n in names)


# MkDocs imports this file once per process (it caches hook modules), so under `mkdocs serve` the
# events look the modules up when they run: on_config reloads the package first if macros/ changed.


def _reload_if_changed() -> None:
    """Re-import ``macros`` when a file of ``macros/`` changed since it was imported (``mkdocs serve``)."""
    loaded = sys.modules.get("macros")
    if loaded is not None and getattr(loaded, "__stamp__", None) == _stamp():
        return
    for name in [n for n in sys.modules if n == "macros" or n.startswith("macros.")]:
        del sys.modules[name]
    if _ROOT in sys.path:
        sys.path.remove(_ROOT)
    sys.path.insert(0, _ROOT)
    importlib.import_module("macros").__stamp__ = _stamp()  # type: ignore[attr-defined]


_reload_if_changed()
from macros import security, serve, site  # noqa: E402, F401 - import errors show when MkDocs starts
from macros.state import Session  # noqa: E402

#: The glue's state for this process (one ``mkdocs build``, or a whole ``mkdocs serve``): passed to the
#: events that need it; it outlives a reload of the package (see macros/state.py).
SESSION = Session()


def _forward(module: str, event: str, priority: int | None = None, *, reload: bool = False,
             session: bool = False) -> Any:
    """An event handler that calls ``macros.<module>.<event>`` of the package as it is now
    (with ``session=SESSION`` when the event keeps state across builds)."""
    def handler(*args: Any, **kwargs: Any) -> Any:
        if reload:
            _reload_if_changed()
        if session:
            kwargs["session"] = SESSION
        return getattr(importlib.import_module(f"macros.{module}"), event)(*args, **kwargs)
    handler.__name__ = handler.__qualname__ = event
    handler.__doc__ = f"Forward ``{event}`` to ``macros.{module}``."
    handler.glossary_handler = True  # type: ignore[attr-defined] # ahead.OWN_HANDLER: the glossary's own
    return event_priority(priority)(handler) if priority is not None else handler


on_config = _forward("site", "on_config", 100, reload=True, session=True)
on_files = _forward("site", "on_files", 100, session=True)
# Last of all, so the CSP hashes the final HTML (after every plugin wrote into it).
on_post_page = _forward("site", "on_post_page", -100, session=True)  # compact.py, then security.py
on_post_template = _forward("site", "on_post_template", -100, session=True)
# A large `mkdocs build` (ahead.py): the streamed pages of the navigation completed and the worker that secures
# each page started before MkDocs writes any; that worker awaited first thing after (priority 100), so every
# other plugin's on_post_build reads the pages as they are served.
on_env = _forward("site", "on_env", session=True)
on_post_build = _forward("site", "on_post_build", 100, session=True)
on_build_error = _forward("site", "on_build_error", session=True)

# `mkdocs serve`: a CSP that lets live reload run
_security_startup = _forward("security", "on_startup", session=True)


def on_startup(*, command: str, dirty: bool = False) -> None:
    """Once per `mkdocs build` or `serve`: the CSP mode, and a note when building for local preview only."""
    _security_startup(command=command, dirty=dirty)
    notice = importlib.import_module("macros.deploy").local_notice()
    if notice:
        logging.getLogger("mkdocs.hooks.deploy").info(notice)  # info, not a warning: strict builds go on


# Before every plugin, a streamed page's HTML (ahead.py); after the search plugin (priority 0) indexed the
# page, the concept pages' map and lists put in place, and the head's structured data.
on_page_context = CombinedEvent(_forward("site", "fill_page", 100, session=True),
                                _forward("site", "on_page_context", -50))
# After mkdocs-macros (priority 0) has rendered the page, so citations in macro output are numbered too.
on_page_markdown = _forward("site", "on_page_markdown", -50, session=True)
on_nav = _forward("site", "on_nav", -100, session=True)  # last: the files and navigation are final (ahead.py)
on_page_content = _forward("site", "on_page_content")  # a concept page's citations, kept out of Markdown
on_serve = _forward("serve", "on_serve", session=True)
