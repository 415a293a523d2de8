"""Content-Security-Policy and referrer policy for every built page.

``hooks.py`` forwards ``on_post_page`` (every Markdown page) and
``on_post_template`` (theme pages such as ``404.html``) here, at the lowest
priority, after every other plugin has written into the page. Each page gets, as
the first elements of its ``<head>`` (a CSP ``<meta>`` only governs what comes
after it):

``<meta http-equiv="Content-Security-Policy" content="...">``
    ``default-src 'self'``: nothing is loaded from, sent to or framed from another
    origin. Scripts come from the site's own files, or are inline scripts that the
    theme's and our own templates write, each allowed by the SHA-256 hash of its
    exact text; there is no ``'unsafe-inline'`` and no ``'unsafe-eval'``.
    Blocks that the browser never executes (``application/json`` such as
    Material's ``__config``, ``application/ld+json`` structured data) need no hash.
``<meta name="referrer" content="no-referrer">``
    Following a link to another site does not tell it which page the reader
    came from.

The list of what may run is fixed by the templates, never by the page: every
inline ``<script>`` of the templates (``overrides/`` first, then Material's) is
read once into a pattern, its text as written and each ``{{ expression }}`` a
value that cannot leave a JavaScript string (``template_scripts``). A script in
a page is hashed only if it is one of those; any other inline script (one that
content put there) fails the build, naming the page, instead of being allowed by
its own hash. The same holds for styles: ``<style>`` elements and ``style``
attributes the templates write, and the column alignments of Markdown tables
(``'unsafe-hashes'`` admits exactly those declarations); Material 9.8 writes
none on our pages (``theme.font: false``) and positions tooltips through the
CSSOM, which CSP does not govern.

Live preview (``mkdocs serve``): MkDocs' live-reload client is an inline script
that the preview server writes into each response, with a new timestamp every
time, so no hash can allow it. ``on_startup(command="serve")`` draws a random
nonce for the serving process; the pages built while serving allow
``'nonce-<it>'``, and ``serve.on_serve`` makes the server write the nonce on
the one script it injects. Nothing else gets it (content is built before any
response, and never sees it), so the preview is as strict as the build: a
hostile pull request previewed with ``make serve`` runs no script of its own.

The module has no MkDocs import; ``secure_html`` is a pure function of the
HTML text and the allowed patterns.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import os
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from html import unescape
from html.parser import HTMLParser
from typing import TYPE_CHECKING, Any

from .state import build_state

if TYPE_CHECKING:
    from .state import Session

log = logging.getLogger("mkdocs.hooks.security")
#: ``style`` attributes the build itself writes: Python-Markdown's table column alignment.
BUILD_STYLES = frozenset({"text-align: left;", "text-align: right;", "text-align: center;"})

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
                            *, preview: bool = False, nonce: str = "") -> str:
    """The policy for a page with these (allowed) inline scripts, ``<style>`` texts and ``style`` attribute values.

    ``preview``: the live preview of ``mkdocs serve``, whose live-reload script carries ``nonce``.
    """
    sources = ["'self'"]
    if preview and nonce:
        sources.append(f"'nonce-{nonce}'")
    script_src = " ".join([*sources, *_unique([source_hash(s) for s in scripts])])
    style_sources = ["'self'", *_unique([source_hash(s) for s in styles])]
    if style_attributes:
        style_sources += ["'unsafe-hashes'", *_unique([source_hash(s) for s in style_attributes])]
    directives = [*_FIXED_DIRECTIVES[:1], ("script-src", script_src), ("style-src", " ".join(style_sources)),
                  *_FIXED_DIRECTIVES[1:]]
    return "; ".join(f"{name} {value}" for name, value in directives)


# -- what the templates may write -----------------------------------------------------------------

_TEMPLATE_SCRIPT = re.compile(r"<script\b((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>(.*?)</script\s*>", re.S | re.I)
_TEMPLATE_STYLE = re.compile(r"<style\b[^>]*>(.*?)</style\s*>", re.S | re.I)
_TEMPLATE_STYLE_ATTR = re.compile(r"""\sstyle\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.I)
_JINJA = re.compile(r"(\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\})", re.S)
#: What a ``{{ expression }}`` inside a template's script may stand for: a value such as ``..`` or a URL,
#: never a quotation mark, backslash, backtick, angle bracket or line break that could leave a string.
_VALUE = r"[^\"'`\\<>\n\r\u2028\u2029]*"


def _pattern(text: str) -> re.Pattern[str]:
    parts = []
    for piece in _JINJA.split(text):
        if piece.startswith("{{"):
            parts.append(_VALUE)
        elif piece.startswith(("{%", "{#")):
            parts.append(r"\s*")
        else:
            parts.append(re.escape(piece))
    return re.compile("".join(parts))


@dataclass(frozen=True)
class Allowed:
    """The inline scripts and styles the templates write: patterns for scripts, texts for styles."""

    scripts: tuple[re.Pattern[str], ...] = ()
    styles: tuple[re.Pattern[str], ...] = ()
    style_attributes: frozenset[str] = BUILD_STYLES

    def script(self, text: str) -> bool:
        """Whether ``text`` is one of the templates' inline scripts."""
        return any(p.fullmatch(text) for p in self.scripts)

    def style(self, text: str) -> bool:
        """Whether ``text`` is one of the templates' ``<style>`` elements."""
        return any(p.fullmatch(text) for p in self.styles)


def _template_sources(dirs: list[str] | tuple[str, ...]) -> Iterator[str]:
    """The text of every readable ``.html`` template in ``dirs``, folder by folder, files in name order."""
    for folder in dirs:
        for current, _subdirs, files in os.walk(folder):
            for name in sorted(files):
                if not name.endswith(".html"):
                    continue
                try:
                    with open(os.path.join(current, name), encoding="utf-8") as handle:
                        yield handle.read()
                except (OSError, UnicodeDecodeError):
                    continue


def _collect(source: str, scripts: list[re.Pattern[str]], styles: list[re.Pattern[str]],
             attributes: set[str]) -> None:
    """Add a template's inline scripts, ``<style>`` texts and constant ``style`` attributes."""
    for match in _TEMPLATE_SCRIPT.finditer(source):
        attrs = _attributes(match.group(1))
        kind = _JINJA.sub("", attrs.get("type", "")).strip().lower()
        if "src" not in attrs and kind in _JAVASCRIPT_TYPES and match.group(2).strip():
            scripts.append(_pattern(match.group(2)))
    for match in _TEMPLATE_STYLE.finditer(source):
        styles.append(_pattern(match.group(1)))
    for match in _TEMPLATE_STYLE_ATTR.finditer(source):
        value = match.group(1) if match.group(1) is not None else match.group(2)
        if value and not _JINJA.search(value):
            attributes.add(unescape(value))


def template_scripts(dirs: list[str] | tuple[str, ...]) -> Allowed:
    """The inline scripts and styles of every ``.html`` template in ``dirs`` (the theme's folders)."""
    scripts: list[re.Pattern[str]] = []
    styles: list[re.Pattern[str]] = []
    attributes = set(BUILD_STYLES)
    for source in _template_sources(dirs):
        _collect(source, scripts, styles, attributes)
    unique_scripts = list({p.pattern: p for p in scripts}.values())
    unique_styles = list({p.pattern: p for p in styles}.values())
    return Allowed(tuple(unique_scripts), tuple(unique_styles), frozenset(attributes))


class UnknownInlineCode(Exception):
    """A page holds an inline script or style that no template writes: content put it there."""


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


def secure_html(html: str, *, preview: bool = False, allowed: Allowed | None = None, nonce: str = "") -> str:
    """``html`` with the CSP and referrer ``<meta>`` tags first in its ``<head>``.

    With ``allowed`` (what the templates write), an inline script or style that is not on it raises
    :class:`UnknownInlineCode` naming it; without, every inline script and style is hashed (for tests
    of the scanner alone). A document without ``<head>`` (a fragment, a redirect stub) is returned unchanged.
    """
    facts = fast_scan(html)
    if facts.insert_at is None:
        return html
    if allowed is not None:
        unknown = [f"inline <script> «{_snippet(s)}»" for s in facts.scripts if not allowed.script(s)]
        unknown += [f"<style> «{_snippet(s)}»" for s in facts.styles if not allowed.style(s)]
        unknown += [f'style="{_snippet(s)}"' for s in facts.style_attributes if s not in allowed.style_attributes]
        if unknown:
            raise UnknownInlineCode("; ".join(dict.fromkeys(unknown)))
    policy = content_security_policy(facts.scripts, facts.styles, facts.style_attributes,
                                     preview=preview, nonce=nonce)
    tags = (f'\n    <meta http-equiv="{CSP_META_NAME}" content="{policy}">'
            '\n    <meta name="referrer" content="no-referrer">')
    return html[:facts.insert_at] + tags + html[facts.insert_at:]


def _snippet(text: str) -> str:
    words = " ".join(text.split())
    return words if len(words) <= 80 else words[:77] + "..."


@lru_cache(maxsize=8)
def _allowed_in(dirs: tuple[str, ...]) -> Allowed:
    return template_scripts(dirs)


def allowed_for(config: Any) -> Allowed:
    """What the templates of this build's theme write (read once per set of theme folders)."""
    return _allowed_in(tuple(str(d) for d in getattr(getattr(config, "theme", None), "dirs", []) or []))


def _secure(html: str, where: str, config: Any, session: Session) -> str:
    """``secure_html`` for a page of the build; code no template writes raises ``UnknownInlineCode``
    with the whole message (the glue, hooks.py, makes it MkDocs' ``PluginError``)."""
    try:
        return secure_html(html, preview=session.preview, nonce=session.nonce,
                           allowed=allowed_for(config) if config is not None else None)
    except UnknownInlineCode as error:
        raise UnknownInlineCode(
            f"{where}: the page holds code that no template writes, which the "
            f"Content-Security-Policy will not allow: {error}. Entries cannot hold raw HTML; in an "
            "article, load a script from a file of the site (<script src=...>) and put styles in "
            "content/assets/glossary.css") from None


def on_startup(*, command: str, dirty: bool = False, session: Session) -> None:
    """MkDocs ``on_startup``: note whether this process serves the live preview, and draw its nonce."""
    session.preview = command == "serve"
    session.nonce = secrets.token_urlsafe(18) if session.preview else ""
    if session.preview:
        log.info("Content-Security-Policy: the live preview allows the live-reload script by a nonce drawn "
                 "for this process; no other inline script runs")


def page_name(page: Any, config: Any) -> str:
    """How an error names the page: its docs path, and the entry file it was made from."""
    src_uri = str(getattr(getattr(page, "file", None), "src_uri", "") or "")
    try:
        st = build_state(config)
    except (RuntimeError, AttributeError, TypeError):  # outside a build (tests): the docs path
        return src_uri or "a page"
    name, page_path = st.source_name(src_uri), f"{st.docs_name}/{src_uri}"
    return page_path if name == page_path else f"{page_path} (the page of {name})"


def on_post_page(output: str, page: Any = None, config: Any = None, *, session: Session) -> str:
    """MkDocs ``on_post_page``: secure every Markdown page; code no template writes fails the build."""
    return _secure(output, page_name(page, config), config, session)


def secure_file(path: str, where: str, config: Any, session: Session) -> str | None:
    """A page MkDocs wrote, compacted (``compact.py``) and secured in place, as ``on_post_page`` would have done
    before it was written: None when done (or when there is no such file: MkDocs writes no empty page), else
    the error, and the file is left as it was. Written whole to a new file, then renamed, so the page is
    never half-written."""
    from .compact import compact_html
    try:
        with open(path, encoding="utf-8", newline="") as handle:
            html = handle.read()
    except FileNotFoundError:
        return None
    try:
        secured = _secure(compact_html(html), where, config, session)
    except UnknownInlineCode as error:
        return str(error)
    partial = f"{path}.securing"
    with open(partial, "w", encoding="utf-8", newline="") as handle:
        handle.write(secured)
    os.replace(partial, path)
    return None


def on_post_template(output_content: str, template_name: str = "", config: Any = None, *,
                     session: Session) -> str:
    """MkDocs ``on_post_template``: secure the theme's own HTML pages (``404.html``), not the sitemap."""
    if template_name.endswith(".html"):
        return _secure(output_content, template_name, config, session)
    return output_content
