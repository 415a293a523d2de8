"""MkDocs hook file (``hooks: [macros/hooks.py]`` in mkdocs.yml).

Makes the ``macros`` package importable, reloads it when its code changed
(so ``mkdocs serve`` picks up edits to ``macros/``), and forwards the events.
Event priority 100 runs them before every plugin, so the macros plugin and
the search plugin see the generated pages.
"""

from __future__ import annotations

import os
import sys

from mkdocs.plugins import event_priority

_PACKAGE = os.path.dirname(os.path.abspath(__file__))
_ROOT = os.path.dirname(_PACKAGE)


def _stamp() -> tuple[str, float]:
    names = [n for n in os.listdir(_PACKAGE) if n.endswith(".py")]
    return _PACKAGE, max(os.path.getmtime(os.path.join(_PACKAGE, n)) for n in names)


_loaded = sys.modules.get("macros")
if _loaded is not None and getattr(_loaded, "__stamp__", None) != _stamp():
    for _name in [n for n in sys.modules if n == "macros" or n.startswith("macros.")]:
        del sys.modules[_name]
if _ROOT in sys.path:
    sys.path.remove(_ROOT)
sys.path.insert(0, _ROOT)

import macros  # noqa: E402
from macros import site  # noqa: E402

macros.__stamp__ = _stamp()  # type: ignore[attr-defined]

on_config = event_priority(100)(site.on_config)
on_files = event_priority(100)(site.on_files)
