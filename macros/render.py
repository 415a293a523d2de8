"""Turn entries into Markdown: concept pages, term links, callouts, indexes.

Templates live in ``overrides/glossary/`` and receive entry text as *data*:
their output is handed to MkDocs as finished Markdown and is never rendered as a
template again, so ``{{ ... }}`` written in an entry is shown, not executed.
"""

from __future__ import annotations

import html
import posixpath
from collections import defaultdict
from pathlib import Path
from typing import Any

import jinja2

from .citations import CITE_MARK_RE, number_citations, reference_html, reference_title, strip_citations
from .graph import Node, components, layers, pathway_map, relationship_map
from .markup import (
    field_markdown,
    is_plain,
    md_escape,
    plain_text,
    render,
    site_markdown,
    term_link,
    title_attr,
)
from .model import (
    EVIDENCE_LABELS,
    EVIDENCE_MEANINGS,
    RISK_ADMONITION,
    RISK_LABELS,
    SECTIONS,
    WIKILINK,
    Entry,
    is_article,
    link_parts,
    starts_sentence,
)
from .registry import Glossary
from .review import build_date, date_text, next_review, reviewed_by

GLOSSARY_DIR = "glossary"
TAGS_DIR = "tags"
#: At most this many boxes on each side of a relationship map.
MAP_LIMIT = 8
#: The "Get help now" page (``content/get-help.md``): help boxes, high-risk callouts and the footer link to it.
HELP_PAGE = "get-help.md"
#: Where the HTML that is not prose goes on a concept page: Python-Markdown passes these comments through
#: untouched, and ``Renderer.inject`` replaces them after Markdown (see ``Renderer.concept``).
FRAGMENT_MARKERS: dict[str, str] = {name: f"<!-- glossary:{name} -->" for name in
                                    ("meta", "related", "mentioned", "reference-list", "further-list", "review")}
#: The fragments put in place before the search plugin reads the page (``Renderer.inject(early=True)``): the
#: citations (``citations.CITE_MARK``), which sit inside prose. The rest go in after search, so it skips them.
EARLY_FRAGMENT = "cite:"
#: Where a page's References list goes: the concept template's ``{{ references }}`` and an article's
#: ``{{ references() }}`` write it; a page that cites without it gets the list at its end.
REFERENCES_HERE = "<!-- glossary:references -->"


class UnknownEntry(LookupError):
    """A macro named a slug that is not a published entry."""


def _attr(text: str) -> str:
    """Plain text made safe for a double-quoted Markdown link title (see ``markup.title_attr``)."""
    return title_attr(text)


def page_url(src_uri: str) -> str:
    """The MkDocs source path of an entry's page."""
    return f"{GLOSSARY_DIR}/{src_uri}.md"


def site_path(src_uri: str, *, use_directory_urls: bool = True) -> str:
    """The URL path, relative to the site root, that MkDocs gives the page built from ``src_uri``.

    ``glossary/gaba.md`` -> ``glossary/gaba/`` (or ``glossary/gaba.html``); ``index.md`` -> ``""``.
    """
    stem = src_uri[:-3] if src_uri.endswith(".md") else src_uri
    if posixpath.basename(stem) in ("index", "README"):
        folder = posixpath.dirname(stem)
        if not use_directory_urls:
            return f"{folder}/index.html" if folder else "index.html"
        return f"{folder}/" if folder else ""
    return f"{stem}/" if use_directory_urls else f"{stem}.html"


def _relpath(path: str, start: str) -> str:
    """``posixpath.relpath(path, start)``, computed on the strings alone (relpath asks for the working folder).

    Falls back to ``posixpath.relpath`` for anything but two paths of the same kind (both relative
    or both absolute) without ``..``, where the two can differ.
    """
    if not path or not start or path.startswith("/") != start.startswith("/"):
        return posixpath.relpath(path, start)
    to = [part for part in path.split("/") if part and part != "."]
    here = [part for part in start.split("/") if part and part != "."]
    if ".." in to or ".." in here:
        return posixpath.relpath(path, start)
    common = 0
    for a, b in zip(to, here, strict=False):
        if a != b:
            break
        common += 1
    parts = [".."] * (len(here) - common) + to[common:]
    return "/".join(parts) if parts else "."


def relative_url(page: str, target: str, *, use_directory_urls: bool = True) -> str:
    """The final relative URL from the built page of source ``page`` to that of source ``target``.

    For links MkDocs does not rewrite (inside raw HTML such as the SVG maps), so it matches
    what MkDocs itself would write: ``glossary/gaba.md`` -> ``glossary/dopamine.md`` is ``../dopamine/``.
    """
    here = site_path(page, use_directory_urls=use_directory_urls)
    there = site_path(target, use_directory_urls=use_directory_urls)
    base = here if here.endswith("/") or not here else posixpath.dirname(here)
    rel = _relpath("/" + there, "/" + base)
    return rel + "/" if (there.endswith("/") or not there) and not rel.endswith("/") else rel


def absolute_url(site_url: str, src_uri: str, *, use_directory_urls: bool = True) -> str:
    """The absolute URL of the page built from ``src_uri`` under ``site_url``."""
    return site_url.rstrip("/") + "/" + site_path(src_uri, use_directory_urls=use_directory_urls)


def tag_label(tag: str) -> str:
    """A tag's display name: ``body-systems`` -> ``Body systems``."""
    return tag.replace("-", " ").capitalize()


class Renderer:
    """Renders Markdown fragments for one glossary, relative to the page being built."""

    def __init__(self, glossary: Glossary, templates: Path, *, use_directory_urls: bool = True,
                 preview_drafts: bool = False) -> None:
        self.glossary = glossary
        #: For a draft's preview page (``mkdocs serve`` only): drafts may then link drafts.
        self.preview_drafts = preview_drafts
        self._plain: dict[str, str] = {}  # plain() of each text: tooltips are asked for again and again
        self.use_directory_urls = use_directory_urls  # links in raw HTML (the SVG maps) are not rewritten by MkDocs
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(templates)),
            autoescape=False,  # the output is Markdown; text arrives pre-escaped as data
            undefined=jinja2.StrictUndefined,
            keep_trailing_newline=True,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters["md_escape"] = md_escape
        #: The date the site is built for: pages past their ``next_review`` say they are due for review.
        self.today = build_date()

    # -- lookups ----------------------------------------------------------
    #: The source path of the "Get help now" page when the site has one (set by the build), else None.
    help_page: str | None = None
    #: The source path of the page explaining the evidence levels (``#evidence-levels``), else None.
    about_page: str | None = "about.md"

    def entry(self, slug: str) -> Entry:
        """The published entry ``slug``; the caller adds the page to the error."""
        entry = self.glossary.entries.get(slug)
        if entry is not None and not entry.published and self.preview_drafts:
            return entry
        if entry is None or not entry.published:
            why = "is a draft" if entry is not None else f"is not an entry{self.glossary.suggest(slug)}"
            raise UnknownEntry(f"glossary entry '{slug}' {why}")
        return entry

    @staticmethod
    def rel(page: str, target: str) -> str:
        """A relative link from source page ``page`` to source file ``target``."""
        return _relpath(target, posixpath.dirname(page) or ".")

    def plain(self, text: str) -> str:
        """Markdown reduced to plain text, for tooltips and meta descriptions."""
        done = self._plain.get(text)
        if done is None:
            done = self._plain[text] = self._plain_text(text)
        return done

    def _plain_text(self, text: str) -> str:
        """The text a reader sees once ``text`` is rendered: "5*3" stays "5*3", ``**bold**`` is "bold";
        citations are left out."""
        text = strip_citations(text)

        def shown(slug: str, text: str | None, *, sentence_start: bool) -> str:
            target = self.glossary.entries.get(slug)
            return text or (target.term_in_sentence(sentence_start=sentence_start) if target else slug)
        if is_plain(text) and site_markdown(self.glossary.root).fast_path:  # its text is the text as written
            return " ".join(WIKILINK.sub(lambda match: shown(*link_parts(match),
                                                             sentence_start=starts_sentence(text, match.start())),
                                         text).split())
        return plain_text(render(field_markdown(text, lambda *link, **start: md_escape(shown(*link, **start))),
                                 self.glossary.root))

    def tooltip(self, entry: Entry) -> str:
        """The entry's summary as plain text."""
        return self.plain(entry.summary)

    # -- inline pieces ----------------------------------------------------
    def link(self, slug: str, text: str | None, page: str, *, sentence_start: bool | None = None) -> str:
        """A Markdown link to an entry whose title (tooltip) is the entry's summary.

        Without ``text`` it shows the entry's term: as written (the ``term()`` macro), or for a ``[[slug]]`` in
        running text as a sentence shows it (``sentence_start`` given: ``model.term_in_sentence``).
        """
        entry = self.entry(slug)
        if text is None:
            text = entry.term if sentence_start is None else entry.term_in_sentence(sentence_start=sentence_start)
        return term_link(text, self.rel(page, page_url(slug)), self.tooltip(entry))

    def markdown(self, text: str, page: str) -> str:
        """Entry Markdown made ready for a page: ``[[links]]`` resolved, braces shown literally."""
        return field_markdown(text, lambda slug, shown, *, sentence_start: self.link(
            slug, shown, page, sentence_start=sentence_start))

    # -- fragments ----------------------------------------------------------
    def risk(self, slug: str, page: str) -> str:
        """The risk callout of an entry, with its severity in words."""
        entry = self.entry(slug)
        return self.env.get_template("risk.md").render(
            level=entry.risk_level,
            label=RISK_LABELS[entry.risk_level],
            admonition=RISK_ADMONITION[entry.risk_level],
            term=entry.term,
            text=self.markdown(entry.risk_text, page),
            link=self.rel(page, page_url(slug)) if page != page_url(slug) else "",
            help_url=self.rel(page, self.help_page) if self.help_page and entry.risk_level == "high" else "",
        )

    def help_box(self, entry: Entry, page: str) -> dict[str, Any] | None:
        """The 'When to get help' box under the summary, or None.

        Shown for every entry with ``risk.urgent`` (required for high risk) and, with a pointer to the
        Risk section only, for moderate-risk entries without one.
        """
        urgent = [self.markdown(item, page) for item in entry.risk_urgent if item.strip()]
        if not urgent and entry.risk_level not in ("high", "moderate"):
            return None
        now = f"[Get help now]({self.rel(page, self.help_page)}){{ .glossary-help__now }}" if self.help_page else ""
        if urgent:
            links = f"{now} · [Read about the risk](#risk)" if now else "[Read about the risk](#risk)"
        else:
            links = f"This entry describes a {entry.risk_level} risk: [read who is at risk and what to do](#risk)."
            links += f" If someone is very unwell: {now}." if now else ""
        return {"admonition": RISK_ADMONITION.get(entry.risk_level, "warning"), "level": entry.risk_level,
                "items": urgent, "links": links}

    def definition(self, slug: str, page: str) -> str:
        """An entry's term and summary as a definition block linking to its page."""
        entry = self.entry(slug)
        return self.env.get_template("definition.md").render(
            term=md_escape(entry.term), url=self.rel(page, page_url(slug)),
            summary=self.markdown(entry.summary, page),
            evidence=EVIDENCE_LABELS[entry.evidence])

    def reference(self, key: str) -> str:
        """One bibliography record as HTML, from its public fields only (never supports, caution, verification)."""
        data: dict[str, Any] = self.glossary.references[key].data
        return reference_html(data)

    def cite_title(self, key: str) -> str:
        """The tooltip of a citation: authors (year). Title."""
        return reference_title(self.glossary.references[key].data)

    def reference_lists(self, cited: list[str], places: dict[str, list[tuple[str, str]]],
                        further: list[str]) -> tuple[str, str]:
        """The HTML of a References list (each work with its back-links) and of the Further reading list."""
        def backrefs(key: str) -> str:
            links = ", ".join(f'<a href="#{anchor}">{html.escape(label)}</a>' for anchor, label in places[key])
            return f'<span class="glossary-backrefs">Cited in: {links}.</span>'
        items = "\n".join(f'<li id="ref-{key}">{self.reference(key)} {backrefs(key)}</li>' for key in cited)
        more = "\n".join(f'<li id="ref-{key}">{self.reference(key)}</li>' for key in further)
        return (f'<ol class="glossary-references">\n{items}\n</ol>' if cited else "",
                f'<ul class="glossary-further-reading">\n{more}\n</ul>' if further else "")

    def finish_citations(self, markdown: str, lead: str, listed: list[str] | None = None,
                         fragments: dict[str, str] | None = None) -> str:
        """A finished page with its citations numbered and its References list in place.

        The list goes where the page has :data:`REFERENCES_HERE` (else at its end, if the page cites
        anything): the cited works in order of first citation, each linking back to where it is
        cited, then the ``listed`` keys that are not cited, under Further reading.

        With ``fragments`` (a concept page), the citations' HTML and the two lists go there instead, under
        ``cite:N``, ``reference-list`` and ``further-list``, and the Markdown holds their markers: Python-Markdown
        never parses them, and search never reads the lists (``inject``).
        """
        references = self.glossary.references
        stash: list[str] | None = [] if fragments is not None else None
        numbered = number_citations(markdown, references, lead, self.cite_title, stash=stash)
        for index, sup in enumerate(stash or []):
            fragments[f"{EARLY_FRAGMENT}{index}"] = sup  # type: ignore[index]
        cited = numbered.order
        further = [k for k in dict.fromkeys(listed or []) if k in references and k not in cited]
        if not cited and not further:
            return numbered.markdown.replace(REFERENCES_HERE, "")
        cited_html, further_html = self.reference_lists(cited, numbered.places, further)
        if fragments is not None:
            fragments["reference-list"], fragments["further-list"] = cited_html, further_html
            cited_html = FRAGMENT_MARKERS["reference-list"] if cited_html else ""
            further_html = FRAGMENT_MARKERS["further-list"] if further_html else ""
        block = self.env.get_template("references.md").render(cited=cited_html, further=further_html,
                                                              unsearched=fragments is not None).strip()
        if REFERENCES_HERE in numbered.markdown:
            return numbered.markdown.replace(REFERENCES_HERE, block, 1).replace(REFERENCES_HERE, "")
        return numbered.markdown.rstrip() + "\n\n" + block + "\n"

    def review_parts(self, entry: Entry) -> tuple[str, str]:
        """The 'due for review' notice (Markdown, ``""`` unless overdue on :attr:`today`) and the review dates
        footer (HTML)."""
        reviewed, due = entry.reviewed, next_review(entry, self.glossary.style.review_cycle_years)
        if reviewed is None or due is None:
            return "", ""
        template = self.env.get_template("review.md")
        values = {"reviewed": date_text(reviewed), "reviewed_iso": reviewed.isoformat(), "due": date_text(due),
                  "due_iso": due.isoformat(), "by": reviewed_by(entry)}
        notice = template.render(part="notice", **values).strip() if self.today > due else ""
        return notice, template.render(part="footer", **values).strip()

    def url(self, page: str, target: str) -> str:
        """The final URL of source file ``target`` from source page ``page``, as MkDocs would write it."""
        return relative_url(page, target, use_directory_urls=self.use_directory_urls)

    def meta_html(self, entry: Entry, page: str) -> str:
        """The evidence line under the summary: evidence level (linked to what the levels mean), the date of
        the last review, the topics."""
        esc = html.escape
        label = esc(EVIDENCE_LABELS[entry.evidence])
        css = f"glossary-evidence glossary-evidence--{esc(entry.evidence)}"
        meaning = esc(EVIDENCE_MEANINGS[entry.evidence])
        evidence = (f'<a class="{css}" href="{esc(self.url(page, self.about_page))}#evidence-levels" '
                    f'title="{meaning}">{label}</a>' if self.about_page else
                    f'<span class="{css}" title="{meaning}">{label}</span>')
        reviewed = entry.reviewed
        parts = [f"<strong>Evidence:</strong> {evidence}",
                 f"<strong>Last reviewed:</strong> {date_text(reviewed)}" if reviewed else
                 "<strong>Last reviewed:</strong> "]
        if entry.tags:
            topics = ", ".join(f'<a href="{esc(self.url(page, f"{TAGS_DIR}/{t}.md"))}">{esc(tag_label(t))}</a>'
                               for t in entry.tags)
            parts.append(f"<strong>Topics:</strong> {topics}")
        return f'<p class="glossary-meta">{" · ".join(parts)}</p>'

    def concept(self, slug: str) -> tuple[str, dict[str, str]]:
        """An entry's page: its Markdown body (from ``concept.md``), and the HTML that is not prose, by marker name
        (``FRAGMENT_MARKERS``, and ``cite:N`` for the citations).

        The fragments are rendered here as finished HTML and put in place after Markdown (``inject``), so
        Python-Markdown never parses them; all but the citations go in after the search plugin read the page,
        and the map and lists carry ``data-search-exclude`` too. Links in them are final URLs, as MkDocs would
        write them.
        """
        page = page_url(slug)
        entry = self.entry(slug)
        review_notice, review_footer = self.review_parts(entry)
        fragments = self._not_prose(entry, page)
        fragments["meta"], fragments["review"] = self.meta_html(entry, page), review_footer
        body = self.env.get_template("concept.md").render(
            slug=slug,
            draft=not entry.published,
            term=md_escape(entry.term),
            aliases=[md_escape(a) for a in entry.aliases],
            summary=self.markdown(entry.summary, page),
            sections=[(name.capitalize(), self.markdown(entry.field_text(name), page)) for name in SECTIONS],
            risk=self.risk(slug, page),
            origin=self.markdown(entry.field_text("origin"), page),
            extra_sections=[(md_escape(heading), self.markdown(text, page))
                            for heading, text in entry.extra_sections if heading and text],
            references=REFERENCES_HERE,
            review_notice=review_notice,
            help=self.help_box(entry, page),
            markers=FRAGMENT_MARKERS,
        )
        return self.finish_citations(body, "Summary", entry.references, fragments), fragments

    def _not_prose(self, entry: Entry, page: str) -> dict[str, str]:
        """The map with the Related list, and the Mentioned in list, as HTML."""
        slug = entry.slug
        glossary = self.glossary
        related = [glossary.entries[s] for s in entry.related
                   if s in glossary.entries and (glossary.entries[s].published or self.preview_drafts)]
        items = "".join(f'<li><a href="{html.escape(self.url(page, page_url(r.slug)))}" '
                        f'class="glossary-term" title="{html.escape(self.tooltip(r))}">{html.escape(r.term)}</a></li>'
                        for r in related)
        related_html = (f'<ul class="glossary-related" data-search-exclude>{items}</ul>' if items else
                        '<p class="glossary-related" data-search-exclude>This entry lists no related concepts yet.</p>')
        kinds = {"entry": "glossary entry", "article": "article", "page": "page"}
        mentioned = [(glossary.entries[s].term, page_url(s), "entry") for s in glossary.backlinks.get(slug, [])]
        mentioned += [(a.title, a.src_uri, "article" if is_article(a.src_uri) else "page")
                      for a in glossary.mentions.get(slug, [])]
        items = "".join(f'<li><a href="{html.escape(self.url(page, target))}">'
                        f"{html.escape(title)}</a> ({kinds[kind]})</li>" for title, target, kind in mentioned)
        mentioned_html = (f'<ul class="glossary-mentioned" data-search-exclude>{items}</ul>' if items else
                          '<p class="glossary-mentioned" data-search-exclude>'
                          'No other page mentions this entry yet.</p>')
        figure = self.relationship_map(entry)
        return {"related": f"{figure}\n{related_html}" if figure else related_html, "mentioned": mentioned_html}

    @staticmethod
    def inject(content: str, fragments: dict[str, str], *, early: bool | None = None) -> str:
        """``content`` (a page's HTML after Markdown) with each fragment in place of its marker: only the
        citations with ``early=True``, all but them with ``early=False``, all by default."""
        if early is not False and fragments:
            content = CITE_MARK_RE.sub(lambda m: fragments.get(f"{EARLY_FRAGMENT}{m.group(1)}", ""), content)
        if early is not True:
            for name, fragment in fragments.items():
                if name in FRAGMENT_MARKERS:
                    content = content.replace(FRAGMENT_MARKERS[name], fragment, 1)
        return content

    # -- drawings -----------------------------------------------------------
    def _node(self, entry: Entry, page: str, relation: str, *, tooltip: bool = True) -> Node:
        """A box of a drawing: the entry's name, the final URL of its page, its summary as the tooltip.

        The concept map leaves the tooltip out (``tooltip=False``): the Related list just below shows each
        summary, and a page with a map stays light (about 3 KB less).
        """
        href = self.url(page, page_url(entry.slug))
        return Node(key=entry.slug, label=entry.term, href=href,
                    description=self.tooltip(entry) if tooltip else "", relation=relation)

    @staticmethod
    def _figure(svg: str, caption: str, *, search_caption: bool = False) -> str:
        """A drawing as a raw HTML block Python-Markdown leaves alone.

        The drawing is kept out of the search index (its names are on the page as text); so is the
        caption unless ``search_caption``.
        """
        if search_caption:
            return (f'<figure class="glossary-map-figure">\n{svg.replace("<svg ", "<svg data-search-exclude ", 1)}\n'
                    f"<figcaption>{html.escape(caption)}</figcaption>\n</figure>")
        return (f'<figure class="glossary-map-figure" data-search-exclude>\n{svg}\n'
                f"<figcaption>{html.escape(caption)}</figcaption>\n</figure>")

    def relationship_map(self, entry: Entry) -> str:
        """The entry, its related entries and the entries that mention it, as a linked inline SVG."""
        page = page_url(entry.slug)
        entries = self.glossary.entries
        related = [entries[s] for s in entry.related if s in entries and entries[s].published]
        backlinks = self.glossary.backlinks.get(entry.slug, [])
        shown = {r.slug for r in related}
        mentions = [entries[s] for s in backlinks if s not in shown]
        # A hub entry can have dozens of neighbours: the map shows the first few of each side, so a page
        # stays small however large the glossary grows; the lists below the map name every one.
        hidden = max(0, len(related) - MAP_LIMIT) + max(0, len(mentions) - MAP_LIMIT)
        related, mentions = related[:MAP_LIMIT], mentions[:MAP_LIMIT]
        svg = relationship_map(
            self._node(entry, page, "this page", tooltip=False),
            [self._node(r, page, f"related entry, which also mentions {entry.term}" if r.slug in backlinks
                        else "related entry", tooltip=False) for r in related],
            [self._node(m, page, f"mentions {entry.term}", tooltip=False) for m in mentions],
            prefix=f"glossary-map-{entry.slug}")
        if not svg:
            return ""
        parts = ["entries that mention it above"] if mentions else []
        parts += ["related entries below"] if related else []
        more = (f" {hidden} more {'is' if hidden == 1 else 'are'} listed under Related concepts and Mentioned in."
                if hidden else "")
        return self._figure(svg, f"How {entry.term} connects: {', '.join(parts)}. Each box is a link.{more}")

    def pathway_edges(self) -> dict[str, list[str]]:
        """``precursor_of`` of every published entry, limited to published entries."""
        entries = self.glossary.entries
        return {e.slug: [s for s in e.precursor_of if s in entries and entries[s].published]
                for e in self.glossary.published() if e.precursor_of}

    def pathways(self, page: str) -> str:
        """Every synthesis pathway described by ``precursor_of``: a heading and a drawing each.

        Pathways come in A-Z order of their first substance; each heading names where the
        pathway starts and ends, each caption lists its steps in order.
        """
        edges = self.pathway_edges()
        entries = self.glossary.entries
        if not any(edges.values()):
            return "No entry describes a synthesis pathway yet (the optional `precursor_of` field)."
        rank = {e.slug: i for i, e in enumerate(self.glossary.published())}
        drawn = []
        for part in components(edges):
            products = {t for s in part for t in edges.get(s, [])}
            starts = sorted((s for s in part if s not in products), key=rank.__getitem__)
            ends = sorted((s for s in part if not edges.get(s)), key=rank.__getitem__)
            drawn.append((rank[starts[0]], part, starts, ends))
        out = []
        for _rank, part, starts, ends in sorted(drawn):
            name = f"{' and '.join(entries[s].term for s in starts)} to {' and '.join(entries[s].term for s in ends)}"
            nodes = {}
            for slug in part:
                made_from = [entries[o].term for o in part if slug in edges.get(o, [])]
                made_into = [entries[t].term for t in edges.get(slug, [])]
                relation = "; ".join(filter(None, [f"made from {', '.join(made_from)}" if made_from else "",
                                                   f"precursor of {', '.join(made_into)}" if made_into else ""]))
                nodes[slug] = self._node(entries[slug], page, relation)
            steps = layers(sorted(part, key=rank.__getitem__), edges)
            chain = " → ".join(" / ".join(entries[s].term for s in step) for step in steps)
            svg = pathway_map(nodes, edges, prefix=f"glossary-pathway-{starts[0]}",
                              title=f"Synthesis pathway from {name}")
            out.append(f"## {md_escape(name)}\n\n{self._figure(svg, chain, search_caption=True)}\n")
        return "\n".join(out)

    def glossary_index(self, page: str) -> str:
        """Every published entry, A-Z, grouped by first letter; aliases point to their entry."""
        rows: list[tuple[str, str, str, str | None]] = []
        for entry in self.glossary.published():
            url = self.rel(page, page_url(entry.slug))
            rows.append((entry.term, url, self.tooltip(entry), None))
            rows.extend((alias, url, self.tooltip(entry), entry.term) for alias in entry.aliases)
        groups: dict[str, list[tuple[str, str, str, str | None]]] = defaultdict(list)
        for row in sorted(rows, key=lambda r: r[0].casefold()):
            first = row[0][:1].upper()
            groups[first if first.isalpha() else "0–9"].append(row)
        letters = sorted(groups, key=lambda k: (k == "0–9", k))
        return self.env.get_template("index.md").render(
            groups=[(letter, "digits" if letter == "0–9" else letter.lower(),
                     [(md_escape(n), u, _attr(t), md_escape(s) if s else None) for n, u, t, s in groups[letter]])
                    for letter in letters],
            count=len(self.glossary.published()))

    def tag_index(self, page: str) -> str:
        """Every tag with its number of entries, linking to the tag pages."""
        tags = sorted(self.glossary.tags.items())
        return self.env.get_template("tag-index.md").render(
            tags=[(tag_label(t), self.rel(page, f"{TAGS_DIR}/{t}.md"), len(slugs)) for t, slugs in tags])

    def tag_page(self, tag: str, page: str) -> str:
        """The entries of one tag."""
        entries = [self.glossary.entries[s] for s in self.glossary.tags.get(tag, [])]
        return self.env.get_template("tag.md").render(
            label=tag_label(tag),
            entries=[(md_escape(e.term), self.rel(page, page_url(e.slug)),
                      self.markdown(strip_citations(e.summary), page))
                     for e in sorted(entries, key=lambda e: e.term.casefold())])

