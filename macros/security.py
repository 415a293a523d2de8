"""Content-Security-Policy and referrer policy for every built page.

``hooks.py`` forwards ``on_post_page`` (every Markdown page) and
``on_post_template`` (theme pages such as ``404.html``) here, at the lowest
priority, so the policy is computed from the final HTML after every other
plugin has written into it. Each page gets, as the first elements of its
``<head>`` (a CSP ``<meta>`` only governs what comes after it):

``<meta http-equiv="Content-Security-Policy" content="...">``
    ``default-src 'self'``: nothing is loaded from, sent to or framed from another
    origin. Scripts come from the site's own files, or are inline scripts
    allowed one by one by the SHA-256 hash of their exact text, computed here
    at build time from the page itself; there is no ``'unsafe-inline'`` and no
    ``'unsafe-eval'`` for scripts. Blocks that the browser never executes
    (``application/json`` such as Material's ``__config``,
    ``application/ld+json`` structured data) need no hash.
``<meta name="referrer" content="no-referrer">``
    Following a link to another site does not tell it which page the reader
    came from.

Styles: ``style-src 'self'``, no ``'unsafe-inline'``. Material for MkDocs
9.8 ships no ``<style>`` element (``theme.font: false``) and no ``style``
attribute in its templates; its JavaScript positions tooltips and the
sidebar through the CSSOM (``element.style.setProperty``), which CSP does not
govern. The browser tests watch for every ``securitypolicyviolation`` while a
reader searches, switches the palette and opens tooltips, so a future theme
or content change that needs an inline style fails there. Inline styles that
the build itself writes (a ``<style>`` element, or a ``style`` attribute such
as the ``text-align`` of a Markdown table column) are allowed by hash too,
with ``'unsafe-hashes'`` for attributes, which admits exactly those
declarations and nothing an attacker could add.

Live preview (``mkdocs serve``): MkDocs' live-reload client is an inline
script that the preview server writes into each response, with a new
timestamp every time, so no build-time hash can allow it. While serving
(``on_startup(command="serve")``), script-src is therefore
``'self' 'unsafe-inline'`` (a hash in the list would switch
``'unsafe-inline'`` off); everything else is as strict, so the preview still
shows any request to another host or any ``eval``. ``mkdocs build`` output,
which is what readers get and what CI checks, is always strict.

The module has no MkDocs import; ``secure_html`` is a pure function of the
HTML text.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import re
from dataclasses import dataclass, field
from html import unescape
from html.parser import HTMLParser
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .state import Session

log = logging.getLogger("mkdocs.hooks.security")

# Script types a browser executes (WHATWG "JavaScript MIME type essence match",
# plus "module"); anything else is a data block that CSP does not govern.
_JAVASCRIPT_TYPES = frozenset({
    "", "module", "application/ecmascript", "application/javascript", "application/x-ecmascript",
    "application/x-javascript", "text/ecmascript", "text/javascript", "text/javascript1.0",
    "text/javascript1.1", "text/javascript1.2", "text/javascript1.3", "text/javascript1.4",
    "text/javascript1.5", "text/jscript", "text/livescript", "text/x-ecmascript", "text/x-javascript",
})

# Every directive that could otherwise fall back to a wider default is named,
# so the policy reads the same in every browser.
_FIXED_DIRECTIVES = (
    ("default-src", "'self'"),
    ("img-src", "'self' data:"),      # Material's icons are inline SVG data: URIs in its CSS
    ("font-src", "'self'"),
    ("connect-src", "'self'"),        # the search worker fetches search/search_index.json
    ("worker-src", "'self'"),         # the search worker script itself
    ("manifest-src", "'self'"),
    ("media-src", "'self'"),
    ("frame-src", "'self'"),
    ("object-src", "'none'"),
    ("base-uri", "'self'"),
    ("form-action", "'self'"),
)

CSP_META_NAME = "Content-Security-Policy"


class _PageScanner(HTMLParser):
    """Collects what the policy depends on: inline scripts and styles, and where ``<head>`` starts."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.scripts: list[str] = []
        self.styles: list[str] = []
        self.style_attributes: list[str] = []
        self.head_insert_at: tuple[int, int, int] | None = None   # (line, column, length of the tag)
        self.charset_insert_at: tuple[int, int, int] | None = None
        self._capture: str | None = None                            # "script" or "style"
        self._buffer: list[str] = []
        self._in_head = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start(tag, attrs, self.get_starttag_text() or "")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start(tag, attrs, self.get_starttag_text() or "")

    def _start(self, tag: str, attrs: list[tuple[str, str | None]], text: str) -> None:
        values = {name: value or "" for name, value in attrs}
        if "style" in values and values["style"]:
            self.style_attributes.append(values["style"])
        line, column = self.getpos()
        if tag == "head" and self.head_insert_at is None:
            self.head_insert_at = (line, column, len(text))
            self._in_head = True
        elif tag == "meta" and self._in_head and "charset" in values and self.charset_insert_at is None:
            self.charset_insert_at = (line, column, len(text))
        elif tag == "body":
            self._in_head = False
        if tag == "script" and "src" not in values:
            if values.get("type", "").strip().lower() in _JAVASCRIPT_TYPES:
                self._capture, self._buffer = "script", []
        elif tag == "style":
            self._capture, self._buffer = "style", []

    def handle_endtag(self, tag: str) -> None:
        if tag == "head":
            self._in_head = False
        if self._capture is not None and tag == self._capture:
            (self.scripts if tag == "script" else self.styles).append("".join(self._buffer))
            self._capture = None

    def handle_data(self, data: str) -> None:
        if self._capture is not None:
            self._buffer.append(data)


def source_hash(text: str) -> str:
    """The CSP source expression allowing exactly ``text`` (``'sha256-<base64>'``)."""
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def content_security_policy(scripts: list[str], styles: list[str], style_attributes: list[str],
                            *, preview: bool = False) -> str:
    """The policy for a page with these inline scripts, ``<style>`` texts and ``style`` attribute values.

    ``preview``: the relaxed script-src of ``mkdocs serve`` (see the module docstring).
    """
    if preview:
        script_src = "'self' 'unsafe-inline'"
    else:
        script_src = " ".join(["'self'", *_unique([source_hash(s) for s in scripts])])
    style_sources = ["'self'", *_unique([source_hash(s) for s in styles])]
    if style_attributes:
        style_sources += ["'unsafe-hashes'", *_unique([source_hash(s) for s in style_attributes])]
    directives = [*_FIXED_DIRECTIVES[:1], ("script-src", script_src), ("style-src", " ".join(style_sources)),
                  *_FIXED_DIRECTIVES[1:]]
    return "; ".join(f"{name} {value}" for name, value in directives)


def _offset(html: str, line: int, column: int) -> int:
    """The string offset of HTMLParser's 1-based ``line`` and 0-based ``column``."""
    start = 0
    for _ in range(line - 1):
        start = html.index("\n", start) + 1
    return start + column


@dataclass
class PageFacts:
    """What the policy of one page depends on, and where the policy tags go (a string offset)."""

    scripts: list[str] = field(default_factory=list)
    styles: list[str] = field(default_factory=list)
    style_attributes: list[str] = field(default_factory=list)
    insert_at: int | None = None


def reference_scan(html: str) -> PageFacts:
    """The facts, found by Python's full HTML parser: the slow reference the fast scan is tested against."""
    scanner = _PageScanner()
    scanner.feed(html)
    scanner.close()
    anchor = scanner.charset_insert_at or scanner.head_insert_at
    at = None if anchor is None else _offset(html, anchor[0], anchor[1]) + anchor[2]
    return PageFacts(scanner.scripts, scanner.styles, scanner.style_attributes, at)


# The fast scan looks only for what the policy depends on: <script>/<style> elements (their text is
# raw, as in the browser, and ends at the first closing tag), style="" attributes, and the <head> and
# <meta charset> tags, skipping comments. Tested equal to reference_scan on every page of the site.
_RAW_OPEN = re.compile(r"<(script|style)\b((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>", re.I)
_STYLE_ATTR = re.compile(r"""\sstyle\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))""", re.I)
_HEAD = re.compile(r"<head\b(?:[^>\"']|\"[^\"]*\"|'[^']*')*>", re.I)
_META_CHARSET = re.compile(r"<meta\b(?:[^>\"']|\"[^\"]*\"|'[^']*')*\bcharset\b(?:[^>\"']|\"[^\"]*\"|'[^']*')*>", re.I)
_HEAD_END = re.compile(r"</head\s*>|<body\b", re.I)
_ATTR = re.compile(r"""([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?""")


def _attributes(text: str) -> dict[str, str]:
    values: dict[str, str] = {}
    for name, double, single, bare in _ATTR.findall(text):
        values.setdefault(name.lower(), unescape(double or single or bare))
    return values


def _skipped_spans(html: str) -> list[tuple[int, int]]:
    """Comments and the raw text of script/style elements, where no tag is parsed."""
    spans: list[tuple[int, int]] = []
    at = 0
    while True:
        comment = html.find("<!--", at)
        raw = _RAW_OPEN.search(html, at)
        if comment == -1 and raw is None:
            return spans
        if raw is None or (comment != -1 and comment < raw.start()):
            comment_end = html.find("-->", comment + 4)
            end = len(html) if comment_end == -1 else comment_end + 3
            spans.append((comment, end))
        else:
            close = re.compile(rf"</{raw.group(1)}\s*>", re.I).search(html, raw.end())
            end = len(html) if close is None else close.end()
            spans.append((raw.end(), close.start() if close else end))
        at = end


def fast_scan(html: str) -> PageFacts:
    """The same facts as :func:`reference_scan`, found with a few targeted searches."""
    facts = PageFacts()
    skipped = _skipped_spans(html)

    def outside(position: int) -> bool:
        return not any(start <= position < end for start, end in skipped)

    for raw in _RAW_OPEN.finditer(html):
        if not outside(raw.start()):
            continue
        attrs = _attributes(raw.group(2))
        close = re.compile(rf"</{raw.group(1)}\s*>", re.I).search(html, raw.end())
        text = html[raw.end():close.start() if close else len(html)]
        if raw.group(1).lower() == "style":
            facts.styles.append(text)
        elif "src" not in attrs and attrs.get("type", "").strip().lower() in _JAVASCRIPT_TYPES:
            facts.scripts.append(text)
    for match in _STYLE_ATTR.finditer(html):
        if outside(match.start()):
            value = unescape(match.group(1) if match.group(1) is not None else match.group(2) or match.group(3) or "")
            if value:
                facts.style_attributes.append(value)
    head = next((m for m in _HEAD.finditer(html) if outside(m.start())), None)
    if head is not None:
        head_end = _HEAD_END.search(html, head.end())
        limit = head_end.start() if head_end else len(html)
        charset = next((m for m in _META_CHARSET.finditer(html, head.end(), limit) if outside(m.start())), None)
        facts.insert_at = charset.end() if charset else head.end()
    return facts


def secure_html(html: str, *, preview: bool = False) -> str:
    """``html`` with the CSP and referrer ``<meta>`` tags first in its ``<head>``.

    A document without ``<head>`` (a fragment, a redirect stub) is returned unchanged.
    """
    facts = fast_scan(html)
    if facts.insert_at is None:
        return html
    policy = content_security_policy(facts.scripts, facts.styles, facts.style_attributes, preview=preview)
    tags = (f'\n    <meta http-equiv="{CSP_META_NAME}" content="{policy}">'
            '\n    <meta name="referrer" content="no-referrer">')
    return html[:facts.insert_at] + tags + html[facts.insert_at:]


def on_startup(*, command: str, dirty: bool = False, session: Session) -> None:
    """MkDocs ``on_startup``: note whether this process serves the live preview (live reload needs inline
    scripts)."""
    session.preview = command == "serve"
    if session.preview:
        log.info("Content-Security-Policy: the live preview allows inline scripts (for live reload); "
                 "`mkdocs build` is strict")


def on_post_page(output: str, page: Any = None, config: Any = None, *, session: Session) -> str:
    """MkDocs ``on_post_page``: secure every Markdown page."""
    return secure_html(output, preview=session.preview)


def on_post_template(output_content: str, template_name: str = "", config: Any = None, *,
                     session: Session) -> str:
    """MkDocs ``on_post_template``: secure the theme's own HTML pages (``404.html``), not the sitemap."""
    if template_name.endswith(".html"):
        return secure_html(output_content, preview=session.preview)
    return output_content
