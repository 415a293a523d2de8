"""What reaches the page: entry text rendered with the site's own Markdown and held against an allow-list.

Rules written as regular expressions over the Markdown source disagree with the
Markdown parser somewhere (backslash escapes beside code spans, code spans across
paragraphs, entities inside link targets, reference-style links...), and that is
where injected HTML gets through. So the check does not guess: it renders each
field with Python-Markdown configured exactly as ``mkdocs.yml`` configures the
site (MkDocs' built-in extensions ``toc``, ``tables`` and ``fenced_code`` plus
``markdown_extensions``), then

- asks the parser which parts of the text it took as raw HTML (everything
  Python-Markdown passes through untouched goes through its ``htmlStash``), and
- walks the HTML it wrote, accepting only paragraphs, emphasis, code, lists,
  our own term and citation links and links whose address, once entities are
  decoded and whitespace and control characters removed, is ``http(s)`` or
  relative.

Raw HTML is refused outright, so the HTML walked here is Python-Markdown's own
serialisation of its element tree: well-formed and escaped, read by
``html.parser`` exactly as a browser reads it. That is why no separate
sanitizer library is needed: it would re-parse and re-serialise the same HTML
and could only clean it, not tell the author which line to change.

The module imports no MkDocs; ``field_markdown`` is shared with the renderer,
so the check judges the Markdown the build writes into the page.
"""

from __future__ import annotations

import html as _html
import re
from dataclasses import dataclass, field
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, NamedTuple, Protocol

import yaml

from .model import WIKILINK, link_parts, starts_sentence

#: MkDocs always adds these to ``markdown_extensions`` (``mkdocs.config.defaults``).
MKDOCS_BUILTINS = ("toc", "tables", "fenced_code")

#: Elements entry text may produce, with the attributes each may carry.
ALLOWED: dict[str, frozenset[str]] = {
    "p": frozenset(), "em": frozenset(), "strong": frozenset(), "code": frozenset(),
    "ul": frozenset(), "ol": frozenset({"start"}), "li": frozenset(),
    "a": frozenset({"href", "title", "class"}),
    "sup": frozenset(),  # the citation marker: <sup><a class="glossary-cite" href="#ref-KEY">N</a></sup>
}
#: Classes a link may carry: our own term links and citation links.
LINK_CLASSES = frozenset({"glossary-term", "glossary-cite"})
SAFE_SCHEMES = frozenset({"http", "https"})

_MD_SPECIAL = re.compile(r"([\\`*_\[\]{}<>#|!])")
_ENTITY = re.compile(r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);\Z")
_FIRST_TAG = re.compile(r"<!--|<[?!][^>]*>?|</?([A-Za-z][^\s/>]*)[^>]*>?")
#: Removed from an address before its scheme is read, as browsers do (and more): C0/C1 controls,
#: whitespace, soft hyphens, zero-width and bidi characters.
_URL_NOISE = re.compile(r"[\x00-\x20\x7f-\x9f\u00a0\u00ad\u1680\u180e\u2000-\u200f\u2028-\u202f"
                        r"\u205f-\u2064\u206a-\u206f\u3000\ufeff]")
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")
# Text with none of these characters, whose every line starts with a letter, quotation mark or bracket,
# can only become paragraphs (and our own [[links]]): no rule needs the parser for it.
_PLAIN_TEXT = re.compile(r"[^<>&\\`*_\[\]!{}|#~\t\r\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*\Z")
# The same, with '*' and '_' allowed (inside a line, never at its start, they can only make <em> and <strong>)
# and [[links]] read in the same pass.
_EMPHASIS_ONLY = re.compile(r"(?:[^<>&\\`\[\]!{}|#~\t\r\x00-\x08\x0b\x0c\x0e-\x1f\x7f]++"
                            r"|\[\[[^\[\]|\n]*+(?:\|[^\[\]\n]*+)?\]\])*+\Z")
# A citation whose text holds no marker character and that no "(", "[" or ":" follows (which could make it a
# link or a link definition): it renders as its own text.
_SIMPLE_CITATION = re.compile(r"\[@[^<>&\\`*_\[\]!{}|#~\n\x00-\x1f\x7f]*\](?![(\[:])")
_LINE_START_OK = re.compile(r"[A-Za-z(\"'\u2018\u201c]|\d+(?!\d*\.(?:[ \t]|$))")
# A line may start with a letter, a quotation mark, a bracket, or digits that do not open a list ("5-HT", not "5. ").
_ODD_LINE_START = re.compile(r"(?m)^(?![A-Za-z(\"'\u2018\u201c]|\d+(?!\d*\.(?:[ \t]|$)))")

_HTML_HINTS = {
    "b": "**bold**", "strong": "**bold**", "i": "*italic*", "em": "*italic*",
    "a": "[[slug]] for an entry or [text](https://...) for another site",
    "br": "a blank line between paragraphs", "p": "a blank line between paragraphs",
    "sub": "plain text such as 5-HT1A", "sup": "plain text such as 5-HT1A",
    "ul": "Markdown list lines starting with '- '", "li": "Markdown list lines starting with '- '",
}
_EMBEDDED = frozenset({"script", "iframe", "style", "object", "embed", "img", "video", "audio", "form", "svg",
                       "math", "link", "meta", "base", "frame", "frameset", "template", "noscript", "picture"})
_BLOCK_MESSAGES = {
    "img": "images are not allowed in entries: the site loads nothing from other places; describe it in words",
    "heading": "headings are not allowed inside a field: the page template sets the headings; "
               "use **bold** text or a new paragraph instead",
    "blockquote": "quotation blocks (lines starting with '>') are not allowed; put the quotation in the "
                  "sentence, in quotation marks",
    "pre": "code blocks (indented lines or ``` fences) are not allowed; write `code` inside a sentence, "
           "and start every line of a paragraph at the same indentation",
    "table": "tables are not allowed in entry text (a line with '|' makes one); write the facts as sentences "
             "or a list, or write 'or' instead of '|'",
    "hr": "horizontal rules ('---' or '***' alone on a line) are not allowed; use a blank line between paragraphs",
    "dl": "definition lists (a line starting with ': ') are not allowed; write the definition as a sentence",
    "div": "callouts ('!!! note') and tables of contents ('[TOC]') are not allowed in entry text; "
           "the page sets its own callouts",
    "br": "line breaks (two spaces at the end of a line) are not allowed; use a blank line between paragraphs",
}
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_PART_OF = {"thead": "table", "tbody": "table", "tr": "table", "th": "table", "td": "table",
            "dt": "dl", "dd": "dl"}


def md_escape(text: str) -> str:
    """Escape Markdown syntax in plain text (names, titles) placed into a page.

    ``<`` and ``>`` become character references (Python-Markdown shows a backslash before them).
    """
    escaped = _MD_SPECIAL.sub(r"\\\1", text)
    return escaped.replace("\\<", "&lt;").replace("\\>", "&gt;") if "<" in text or ">" in text else escaped


def title_attr(text: str) -> str:
    """Plain text made safe for a double-quoted Markdown link title, whatever it holds.

    Every character Markdown or HTML could read as syntax is written as a character reference,
    which Python-Markdown keeps and the browser decodes: a summary with quotation marks inside
    parentheses can no longer end the link early, and the tooltip shows the text as written.
    """
    return "".join(f"&#{ord(ch)};" if ch in "&\"'()<>\\[]*_`{}|!#" else ch for ch in text)


_BACKTICKS = re.compile(r"`+")
_BLANK_LINE = re.compile(r"\n[ \t]*\n")


def code_spans(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of the code spans of ``text`` as Python-Markdown pairs backticks, in linear time.

    A run of backticks not preceded by a backslash opens a span closed by the next run of exactly
    as many backticks in the same paragraph; a run without such a partner is plain text.
    """
    spans: list[tuple[int, int]] = []
    for block in _paragraphs(text):
        start, stop = block
        runs = [(m.start(), m.end()) for m in _BACKTICKS.finditer(text, start, stop)]
        later: dict[int, list[int]] = {}
        for index in range(len(runs) - 1, -1, -1):  # for each run, the indexes of later runs of each length
            later.setdefault(runs[index][1] - runs[index][0], []).append(index)
        index = 0
        while index < len(runs):
            begin, end = runs[index]
            size = end - begin
            waiting = later[size]
            while waiting and waiting[-1] <= index:
                waiting.pop()
            if (begin > 0 and text[begin - 1] == "\\") or not waiting:
                index += 1
                continue
            close = waiting.pop()
            spans.append((begin, runs[close][1]))
            index = close + 1
    return spans


def _paragraphs(text: str) -> list[tuple[int, int]]:
    blocks, last = [], 0
    for match in _BLANK_LINE.finditer(text):
        blocks.append((last, match.start()))
        last = match.end()
    blocks.append((last, len(text)))
    return blocks


def escape_braces(text: str) -> str:
    """Show ``{`` and ``}`` literally outside code spans.

    Braces as entities can never start an attribute list (``{: onclick=...}``)
    nor a template expression; code spans already show their text verbatim.
    """
    if "{" not in text and "}" not in text:
        return text
    out, last = [], 0
    for begin, end in code_spans(text) if "`" in text else ():
        out.append(text[last:begin].replace("{", "&#123;").replace("}", "&#125;"))
        out.append(text[begin:end])
        last = end
    out.append(text[last:].replace("{", "&#123;").replace("}", "&#125;"))
    return "".join(out)


def term_link(shown: str, url: str, tooltip: str) -> str:
    """The Markdown of a link to an entry: its shown text, address and tooltip (the entry's summary)."""
    return f'[{md_escape(shown)}]({url} "{title_attr(tooltip)}"){{ .glossary-term }}'


class LinkWriter(Protocol):
    """Writes one ``[[link]]``: ``shown`` is its text (None: the entry's term), ``sentence_start`` whether it
    starts a sentence (``model.starts_sentence``), which decides how the term is written."""

    def __call__(self, slug: str, shown: str | None, *, sentence_start: bool) -> str: ...


def field_markdown(text: str, link: LinkWriter) -> str:
    """An entry field as the page holds it: ``[[links]]`` replaced by what ``link`` writes, braces shown."""
    parts, last = [], 0
    for match in WIKILINK.finditer(text) if "[[" in text else ():
        parts.append(escape_braces(text[last:match.start()]))
        parts.append(link(*link_parts(match), sentence_start=starts_sentence(text, match.start())))
        last = match.end()
    parts.append(escape_braces(text[last:]))
    return "".join(parts).strip()


def is_plain(text: str) -> bool:
    """True when ``text`` (``[[links]]`` aside) renders as paragraphs of exactly its own text: no parser needed."""
    if "[[" in text:
        text = WIKILINK.sub("x", text)
    return _PLAIN_TEXT.match(text) is not None and not _ODD_LINE_START.search(text) and "  \n" not in text


def needs_judging(text: str) -> bool:
    """False when ``text`` can only render as paragraphs, emphasis, our own ``[[links]]`` and citations
    ``[@key, locator]``, all allowed: the allow-list has nothing to judge (most fields; the check stays fast)."""
    if "[@" in text:  # a citation reads as its bracketed text here (the page numbers it later, escaped)
        text = _SIMPLE_CITATION.sub("x", text)
    if _EMPHASIS_ONLY.match(text) is None:
        return True
    if "\n" not in text:  # one line: only its start matters
        return _LINE_START_OK.match(text) is None
    return _ODD_LINE_START.search(text) is not None or "  \n" in text


# -- the site's Markdown ------------------------------------------------------------------------------


class _AnyTagLoader(yaml.SafeLoader):
    """Reads mkdocs.yml without running it: ``!ENV``, ``!!python/name:`` and other tags become None."""


_AnyTagLoader.add_multi_constructor("", lambda loader, suffix, node: None)
_AnyTagLoader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)


#: Extensions under which ``is_plain``/``needs_judging`` hold (they add nothing to text without their own
#: marker characters). With any other extension every field is rendered and judged.
FAST_PATH_EXTENSIONS = frozenset({"toc", "tables", "fenced_code", "admonition", "attr_list", "def_list",
                                  "md_in_html", "footnotes", "abbr", "sane_lists", "meta"})


@dataclass(frozen=True)
class SiteMarkdown:
    """The Markdown configuration and docs folder of one project, as ``mkdocs.yml`` sets them."""

    extensions: tuple[str, ...]
    configs: tuple[tuple[str, Any], ...]
    docs_dir: str = "docs"

    @property
    def fast_path(self) -> bool:
        """Whether text without Markdown's marker characters may skip the parser (see ``needs_judging``)."""
        return all(name.removeprefix("markdown.extensions.") in FAST_PATH_EXTENSIONS for name in self.extensions)


def site_markdown(root: Path) -> SiteMarkdown:
    """The Markdown extensions, their settings and the docs folder of ``root/mkdocs.yml`` (read again when it
    changes, as under ``mkdocs serve``)."""
    try:
        stamp = (root / "mkdocs.yml").stat().st_mtime_ns
    except OSError:
        stamp = 0
    return _site_markdown(root, stamp)


@lru_cache(maxsize=8)
def _site_markdown(root: Path, stamp: int) -> SiteMarkdown:
    try:
        config = yaml.load((root / "mkdocs.yml").read_text(encoding="utf-8"), Loader=_AnyTagLoader)
    except (OSError, yaml.YAMLError, UnicodeDecodeError):
        config = None
    config = config if isinstance(config, dict) else {}
    names, configs = list(MKDOCS_BUILTINS), {}
    for item in config.get("markdown_extensions") or []:
        if isinstance(item, str):
            name, settings = item, None
        elif isinstance(item, dict) and len(item) == 1:
            name, settings = next(iter(item.items()))
        else:
            continue
        if name not in names:
            names.append(str(name))
        if isinstance(settings, dict):
            configs[str(name)] = settings
    docs = config.get("docs_dir")
    return SiteMarkdown(tuple(names), tuple((k, _freeze(v)) for k, v in configs.items()),
                        docs if isinstance(docs, str) and docs else "docs")


def _freeze(value: Any) -> Any:
    if isinstance(value, dict):
        return tuple((k, _freeze(v)) for k, v in value.items())
    if isinstance(value, list):
        return ("__list__", *(_freeze(v) for v in value))
    return value


def _thaw(value: Any) -> Any:
    if isinstance(value, tuple) and value and value[0] == "__list__":
        return [_thaw(v) for v in value[1:]]
    if isinstance(value, tuple):
        return {k: _thaw(v) for k, v in value}
    return value


class _Converter:
    """One Python-Markdown instance configured like the site, recording what it took as raw HTML."""

    def __init__(self, config: SiteMarkdown) -> None:
        import markdown

        configs = {name: _thaw(value) for name, value in config.configs}
        try:
            self.md = markdown.Markdown(extensions=list(config.extensions), extension_configs=configs)
        except Exception:  # noqa: BLE001 - an extension this check cannot load: judge with the rest
            usable = []
            for name in config.extensions:
                try:
                    markdown.Markdown(extensions=[name], extension_configs={name: configs.get(name, {})})
                except Exception:  # noqa: BLE001
                    continue
                usable.append(name)
            self.md = markdown.Markdown(extensions=usable, extension_configs={n: configs[n] for n in usable
                                                                              if n in configs})
        self.raw: list[str] = []
        self._in_fence = False
        store = self.md.htmlStash.store

        def recording_store(piece: Any) -> str:
            if not self._in_fence and not (isinstance(piece, str) and _ENTITY.match(piece)):
                self.raw.append(piece if isinstance(piece, str) else "<" + str(getattr(piece, "tag", "div")) + ">")
            return store(piece)

        self.md.htmlStash.store = recording_store  # type: ignore[method-assign]
        if "fenced_code_block" in self.md.preprocessors:
            fence = self.md.preprocessors["fenced_code_block"]
            run = fence.run

            def fenced(lines: list[str]) -> list[str]:
                self._in_fence = True
                try:
                    return list(run(lines))
                finally:
                    self._in_fence = False

            fence.run = fenced  # type: ignore[method-assign]

    def convert(self, text: str) -> tuple[str, list[str]]:
        """The HTML of ``text`` and the pieces the parser passed through as raw HTML."""
        self.raw = []
        self.md.reset()
        return self.md.convert(text), self.raw


@lru_cache(maxsize=8)
def _converter(config: SiteMarkdown) -> _Converter:
    return _Converter(config)


def render(text: str, root: Path) -> str:
    """``text`` rendered to HTML with the Markdown configuration of the project at ``root``."""
    return _converter(site_markdown(root)).convert(text)[0]


# -- judging ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """One thing in a field's HTML the allow-list refuses: what to look for in the source, and why."""

    needle: str
    message: str


def link_scheme(href: str) -> str:
    """The scheme of an address as a browser reads it (entities decoded, whitespace and controls removed),
    lowercased; ``""`` for a relative address."""
    value = _URL_NOISE.sub("", _html.unescape(href))
    match = _SCHEME.match(value)
    return match.group(1).lower() if match else ""


class _Walker(HTMLParser):
    """The elements of Python-Markdown's output, in order: ``(kind, tag, attributes)``."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append(("start", tag, {name: value or "" for name, value in attrs}))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append(("void", tag, {name: value or "" for name, value in attrs}))

    def handle_endtag(self, tag: str) -> None:
        self.found.append(("end", tag, {}))

    def handle_data(self, data: str) -> None:
        if self.found and self.found[-1][0] == "start" and self.found[-1][1] in _HEADINGS:
            self.found.append(("heading-text", self.found[-1][1], {"text": data}))

    def handle_comment(self, data: str) -> None:
        self.found.append(("comment", "", {}))

    def handle_decl(self, decl: str) -> None:
        self.found.append(("other", decl, {}))

    def handle_pi(self, data: str) -> None:
        self.found.append(("other", data, {}))

    def unknown_decl(self, data: str) -> None:
        self.found.append(("other", data, {}))


def _raw_finding(piece: str) -> tuple[str, Finding]:
    match = _FIRST_TAG.search(piece)
    tag = match.group(0) if match else piece.strip().splitlines()[0] if piece.strip() else piece
    name = (match.group(1) or "").lower() if match and match.lastindex else ""
    if tag.startswith("<!--"):
        return "<!--", Finding("<!--", "raw HTML '<!--' is not allowed; HTML comments are not allowed; "
                                       "use a YAML comment line starting with '#'")
    if name in _EMBEDDED:
        hint = "scripts, styles and embedded media are never allowed in entries; describe it in words"
    else:
        hint = f"write Markdown instead: {_HTML_HINTS.get(name, 'plain Markdown text')}"
    return name or tag, Finding(tag, f"raw HTML '{tag}' is not allowed; {hint}")


class Verdict(NamedTuple):
    """What the allow-list refused, the relative link addresses (other than term links), and the HTML."""

    findings: list[Finding]
    relative: list[str]
    html: str

    @property
    def one_paragraph(self) -> bool:
        """Whether the HTML is a single paragraph (inline text, links and emphasis only)."""
        html = self.html.strip()
        return html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1 and "<li>" not in html


@dataclass
class _Judging:
    """What the allow-list found so far in one field's HTML, walked element by element."""

    findings: list[Finding] = field(default_factory=list)
    relative: list[str] = field(default_factory=list)
    reported: set[str] = field(default_factory=set)
    groups_seen: set[str] = field(default_factory=set)
    skipping: list[str] = field(default_factory=list)  # inside an element already refused: not judged again

    def raw_html(self, raw: list[str]) -> None:
        """Raw HTML as the parser saw it: one finding per tag name."""
        for piece in raw:
            name, finding = _raw_finding(piece)
            if name not in self.reported:
                self.reported.add(name)
                self.findings.append(finding)

    def skipped(self, kind: str, tag: str, attrs: dict[str, str]) -> bool:
        """True inside a refused element (its headings still reported with their text, which locates them)."""
        if not self.skipping:
            return False
        if kind == "start" and tag == self.skipping[0]:
            self.skipping.append(tag)
        elif kind == "end" and tag == self.skipping[0]:
            self.skipping.pop()
        elif kind == "heading-text" and len(self.skipping) == 1:
            self.findings.append(Finding(attrs["text"].strip() or "#", _BLOCK_MESSAGES["heading"]))
        return True

    def element(self, kind: str, tag: str, attrs: dict[str, str]) -> None:
        """Judge one start tag (or comment) outside any refused element."""
        if kind in ("end", "heading-text", "other"):
            return  # "other" (<!DOCTYPE>, <?pi?>) comes only from raw HTML, reported already
        if kind == "comment":
            if "<!--" not in self.reported:
                self.reported.add("<!--")
                self.findings.append(Finding("<!--", "HTML comments are not allowed; use a YAML comment line "
                                                     "starting with '#'"))
            return
        if tag in self.reported:
            return  # written as raw HTML, and reported as such
        allowed = ALLOWED.get(tag)
        if allowed is None:
            self.refused(kind, tag, attrs)
            return
        self.attributes(tag, attrs, allowed)
        if tag == "a":
            self.link(attrs)

    def refused(self, kind: str, tag: str, attrs: dict[str, str]) -> None:
        """An element not on the list: one message per group (a list and its items, a table and its cells)."""
        if kind == "start":
            self.skipping.append(tag)
        if tag in _HEADINGS:
            return  # reported with its text, which locates it
        group = _PART_OF.get(tag, tag)
        if group in self.groups_seen:
            return
        self.groups_seen.add(group)
        message = _BLOCK_MESSAGES.get(group) or (
            f"'<{tag}>' is not allowed in entry text; write plain Markdown: paragraphs, *emphasis*, "
            "**bold**, `code`, lists, [[slug]] links and [text](https://...) links")
        self.findings.append(Finding(attrs.get("src") or attrs.get("alt") or "", message))

    def attributes(self, tag: str, attrs: dict[str, str], allowed: frozenset[str]) -> None:
        """Attributes not allowed on an allowed element, and classes not allowed on a link."""
        for name, value in attrs.items():
            if name not in allowed:
                self.findings.append(Finding(f"{name}=", f"the attribute '{name}' (on <{tag}>) is not allowed; "
                                                         "remove the { ... } attribute list after the text"))
            elif name == "class" and tag == "a" and not set(value.split()) <= LINK_CLASSES:
                self.findings.append(Finding(value, f"the class '{value}' is not allowed on a link; remove the "
                                                     "{ ... } attribute list after the link"))

    def link(self, attrs: dict[str, str]) -> None:
        """A link's scheme (only safe ones), or its relative address to check against the site's pages."""
        href = attrs.get("href", "")
        scheme = link_scheme(href)
        if scheme and scheme not in SAFE_SCHEMES:
            self.findings.append(Finding(href, f"'{scheme}:' links are not allowed; link to an entry with [[slug]] "
                                               "or to a web page with [text](https://...)"))
        elif not scheme and "glossary-term" not in attrs.get("class", "").split():
            self.relative.append(href)


def judge(source: str, config: SiteMarkdown) -> Verdict:
    """What the allow-list refuses in the HTML ``source`` (finished field Markdown) renders to, and the
    addresses of its relative links (other than term links), which must lead to a page of the site."""
    html, raw = _converter(config).convert(source)
    judging = _Judging()
    judging.raw_html(raw)
    walker = _Walker()
    walker.feed(html)
    walker.close()
    for kind, tag, attrs in walker.found:
        if not judging.skipped(kind, tag, attrs):
            judging.element(kind, tag, attrs)
    return Verdict(judging.findings, judging.relative, html)


def plain_text(html: str) -> str:
    """The text a reader sees in an HTML fragment, whitespace collapsed (entities decoded)."""
    parts: list[str] = []

    class _Text(HTMLParser):
        def handle_data(self, data: str) -> None:
            parts.append(data)

    parser = _Text(convert_charrefs=True)
    parser.feed(html)
    parser.close()
    return " ".join("".join(parts).split())
