"""Page weight: the indentation and blank lines of the theme's templates, taken out of a finished page.

Material's templates indent every element; on a concept page that is about 7 KB of spaces and empty
lines that no reader sees. ``compact_html`` turns each run of whitespace that starts with a line break
into a single line break, except inside ``<pre>``, ``<textarea>``, ``<script>`` and ``<style>``, whose
text is kept byte for byte. A line break still separates words, so nothing shown changes. Pure text in,
text out: no MkDocs import.
"""

from __future__ import annotations

import re

__all__ = ["compact_html"]

_KEPT = re.compile(r"(<(pre|textarea|script|style)\b.*?</\2\s*>)", re.S | re.I)
_BREAK = re.compile(r"\n\s+")


def compact_html(html: str) -> str:
    """``html`` with every line break followed by whitespace reduced to one line break, outside raw text."""
    parts = _KEPT.split(html)
    # split() returns: text, kept element, its tag name, text, kept element, its tag name, ..., text
    out = []
    for index in range(0, len(parts), 3):
        out.append(_BREAK.sub("\n", parts[index]))
        if index + 1 < len(parts):
            out.append(parts[index + 1])
    return "".join(out)
