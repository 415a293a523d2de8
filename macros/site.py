"""The MkDocs glue for builds: with ``hooks.py``, ``serve.py`` and ``mkdocs_compat.py``, the only modules
that import MkDocs (tests/test_layers.py checks it).

``hooks.py`` forwards MkDocs events here with the process's ``Session``; ``on_config`` loads the
glossary (from ``config.docs_dir``) and keeps the build's ``BuildState`` on the build's config, where
``define_env`` (in ``__init__``) finds it to answer the macros. The core (read, check, index, render)
stays free of MkDocs.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import markupsafe
import yaml
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page

from . import SLUG_MACROS
from .mkdocs_compat import is_marked_unchanged, mark_changed, mark_unchanged, version_problem
from .model import Entry, Problem, is_article
from .parallel import fork_map, usable_cpus
from .registry import Glossary, load_glossary
from .render import (
    GLOSSARY_DIR,
    HELP_PAGE,
    TAGS_DIR,
    Renderer,
    absolute_url,
    page_url,
    relative_url,
    site_path,
    tag_label,
)
from .state import BUILD_KEY, BuildState, PageKeys, Session, build_state

TEMPLATES = "overrides/glossary"
log = logging.getLogger("mkdocs.glossary")


def _build_state(root: Path, docs_name: str, glossary: Glossary, config: MkDocsConfig) -> BuildState:
    """The build's renderers (one for drafts' previews when there are drafts), linked to the help page."""
    templates = root / TEMPLATES
    dirs = config.use_directory_urls
    renderer = Renderer(glossary, templates, use_directory_urls=dirs)
    drafts = Renderer(glossary, templates, use_directory_urls=dirs, preview_drafts=True) \
        if len(glossary.published()) < len(glossary.entries) else None
    has_about, has_help = ((Path(config.docs_dir) / name).is_file() for name in ("about.md", HELP_PAGE))
    for each in (renderer, drafts):
        if each is not None:
            if not has_about:
                each.about_page = None  # the evidence level is then shown without a link
            if has_help:
                each.help_page = HELP_PAGE  # help boxes, high-risk callouts and the footer (overrides/) link to it
    config.extra["glossary_help_page"] = site_path(HELP_PAGE, use_directory_urls=dirs) if renderer.help_page else ""
    return BuildState(root=root, docs_name=docs_name, glossary=glossary, renderer=renderer, draft_renderer=drafts)


def on_config(config: MkDocsConfig, *, session: Session) -> MkDocsConfig:
    """Load and validate the glossary; every problem stops the build, listed at once.

    The build's state goes on its ``config`` (``state.build_state``), for the macros and the later events.
    """
    session.pending = None  # set again by on_files: whether this build got as far as its pages
    incompatible = version_problem()
    if incompatible:
        log.warning(incompatible)
    root = Path(config.config_file_path).parent if config.config_file_path else Path.cwd()
    # The docs folder MkDocs builds, scanned for the calls of the macros define_env registers
    # Every usable CPU for a large glossary (one process under `mkdocs serve`, which runs threads: parallel.py)
    glossary, problems = load_glossary(root, usable_cpus(), docs=config.docs_dir, macros=SLUG_MACROS)
    problems += template_problems(root)
    for warning in glossary.warnings:  # printed, not logged: a warning must not fail a strict build
        print(warning.as_warning(), file=sys.stderr)
    if problems:
        for problem in problems:
            print(problem, file=sys.stderr)
        count = len(problems)
        raise PluginError(f"the glossary has {count} problem{'s' if count != 1 else ''} (listed above); "
                          "fix them and build again")
    docs_name = Path(config.docs_dir).name
    config[BUILD_KEY] = _build_state(root, docs_name, glossary, config)
    return config


#: LibYAML's emitter writes the front matter several times faster than the pure-Python one.
_DUMPER: type = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def _page(config: MkDocsConfig, src_uri: str, meta: Mapping[str, object], body: str,
          inclusion: InclusionLevel = InclusionLevel.UNDEFINED) -> File:
    front = yaml.dump(meta, Dumper=_DUMPER, allow_unicode=True, sort_keys=False, width=10_000)
    return File.generated(config, src_uri, content=f"---\n{front}---\n\n{body}\n", inclusion=inclusion)


def _concept(renderer: Renderer, entry: Entry) -> tuple[str, dict[str, str]]:
    """The Markdown of an entry's concept page and its HTML fragments; a failure names the entry's file."""
    try:
        return renderer.concept(entry.slug)
    except Exception as error:  # noqa: BLE001 - a template error must name the entry, not end in a traceback
        raise PluginError(f"{entry.path}: its concept page could not be rendered from "
                          f"{TEMPLATES}/concept.md: {type(error).__name__}: {error}") from error


def _concept_pages(renderer: Renderer, entries: list[Entry]) -> list[tuple[str, dict[str, str]]]:
    """``_concept`` of each entry, in order; a large glossary is rendered on every usable CPU (``parallel.py``)."""
    return fork_map(lambda chunk: [_concept(renderer, entry) for entry in chunk], entries, usable_cpus())


def _digest(*parts: str) -> str:
    return hashlib.blake2b("\0".join(parts).encode("utf-8"), digest_size=16).hexdigest()


def _data_digest(data: object) -> str:
    return _digest(json.dumps(data, sort_keys=True, default=str))


def concept_keys(st: BuildState, renderer: Renderer, entries: list[Entry], config_text: str = "") -> dict[str, str]:
    """What each entry's concept page is made from, as a digest, by slug.

    A concept page shows its own entry; the terms, summaries and states of the entries it links to, is
    related to or is mentioned by (term links, tooltips, the map and the lists); the titles of the pages
    that mention it; the bibliography records it lists or cites; and the review dates of the build day.
    Around those: the templates of ``overrides/glossary``, the renderer's settings, the site's configuration
    (``config_text``: its Markdown extensions render the tooltips) and the code itself.
    """
    from .citations import cited_keys

    glossary = st.glossary
    templates = st.root / TEMPLATES
    code = getattr(sys.modules.get("macros"), "__stamp__", "")  # hooks.py stamps the package it (re)imports
    common = _digest(str(code), config_text, renderer.today.isoformat(), str(renderer.help_page),
                     str(renderer.about_page), str(renderer.use_directory_urls), str(glossary.style.review_cycle_years),
                     *sorted(f"{p.name}\0{p.read_text(encoding='utf-8')}" for p in templates.glob("*")
                             if p.is_file()))
    data = {slug: _data_digest(entry.data) for slug, entry in glossary.entries.items()}
    keys = {}
    for entry in entries:
        backlinks = glossary.backlinks.get(entry.slug, [])
        neighbours = sorted(set(glossary.outgoing(entry)) | set(backlinks))
        mentions = [f"{page.title}\0{page.src_uri}" for page in glossary.mentions.get(entry.slug, [])]
        sources = [_data_digest(glossary.references[k].data) if k in glossary.references else k
                   for k in dict.fromkeys([*entry.references, *cited_keys(entry)])]
        keys[entry.slug] = _digest(common, data[entry.slug], *backlinks, "\0",
                                   *(f"{n}:{data.get(n, '-')}" for n in neighbours), "\0", *mentions, "\0",
                                   *sources)
    return keys


def _serve_concept_pages(st: BuildState, session: Session, entries: list[Entry],
                         config: MkDocsConfig) -> list[tuple[str, dict[str, str]]]:
    """Under ``mkdocs serve``: the concept pages of the last build whose sources are unchanged, the others
    rendered anew; the session then remembers this build's."""
    path = Path(config.config_file_path) if config.config_file_path else None
    keys = concept_keys(st, st.renderer, entries, path.read_text(encoding="utf-8") if path and path.is_file() else "")
    known = getattr(session, "concepts", None) or {}
    todo = [entry for entry in entries if known.get(entry.slug, ("", None))[0] != keys[entry.slug]]
    fresh = dict(zip((entry.slug for entry in todo), _concept_pages(st.renderer, todo), strict=True))
    pages = [fresh[entry.slug] if entry.slug in fresh else known[entry.slug][1] for entry in entries]
    session.concepts = {entry.slug: (keys[entry.slug], page) for entry, page in zip(entries, pages, strict=True)}
    return pages


def generated_files(config: MkDocsConfig, session: Session | None = None) -> list[File]:
    """The pages the glossary adds: one per published entry, the A-Z index, the topic pages.

    Under ``mkdocs serve`` (``session.preview``), concept pages whose sources did not change since the last
    build are taken from it rather than rendered again (``concept_keys``).
    """
    st = build_state(config)
    renderer = st.renderer
    st.fragments.clear()
    pages = []
    published = st.glossary.published()
    rendered = _serve_concept_pages(st, session, published, config) if session is not None and session.preview \
        else _concept_pages(renderer, published)
    for entry, (body, fragments) in zip(published, rendered, strict=True):
        # The body is rendered once, and marked so mkdocs-macros does not parse it again as a
        # template: the output of Renderer.concept() is finished Markdown, never a template.
        st.fragments[page_url(entry.slug)] = fragments
        meta = {"title": entry.term, "description": renderer.tooltip(entry),
                "glossary_entry": entry.slug, "search": {"boost": 2}, "render_macros": False}
        pages.append(_page(config, page_url(entry.slug), meta, body))
    for entry in st.glossary.entries.values():
        if entry.published:
            continue
        # A draft's page is a preview: MkDocs shows DRAFT files in `mkdocs serve` and never builds them.
        body, st.fragments[page_url(entry.slug)] = _concept(st.draft_renderer or renderer, entry)
        meta = {"title": f"{entry.term} (draft)", "description": renderer.tooltip(entry),
                "glossary_entry": entry.slug, "render_macros": False}
        pages.append(_page(config, page_url(entry.slug), meta, body, InclusionLevel.DRAFT))
    # The index pages are rendered here too, as finished Markdown (so a partial rebuild can tell
    # whether they changed); an author's own page at the same path calls the same macros instead.
    index, topics = f"{GLOSSARY_DIR}/index.md", f"{TAGS_DIR}/index.md"
    pages.append(_page(config, index, {"title": "Glossary A–Z", "render_macros": False},
                       f"# Glossary A–Z\n\n{renderer.glossary_index(index)}"))
    pages.append(_page(config, topics, {"title": "Topics", "render_macros": False},
                       f"# Topics\n\nEvery topic of the glossary, with its entries.\n\n{renderer.tag_index(topics)}"))
    for tag in sorted(st.glossary.tags):
        label = tag_label(tag)
        src_uri = f"{TAGS_DIR}/{tag}.md"
        pages.append(_page(config, src_uri, {"title": f"Topic: {label}", "render_macros": False},
                           f"# Topic: {label}\n\n{renderer.tag_page(tag, src_uri)}"))
    return pages


def _source_key(st: BuildState, file: File) -> str | None:
    """All a generated page's HTML is made from, or None for a hand-written page (which may call macros).

    A generated page is finished Markdown (``render_macros: False``); a concept page's head also
    carries its entry's data (JSON-LD), so that is part of its key too.
    """
    if file.generated_by is None:
        return None
    key = file.content_string
    fragments = st.fragments.get(file.src_uri)
    if fragments:
        key += "\0" + "\0".join(fragments.values())
    entry = st.glossary.entries.get(file.src_uri[len(GLOSSARY_DIR) + 1:-3]) \
        if file.src_uri.startswith(f"{GLOSSARY_DIR}/") else None
    if entry is not None:
        key += "\0" + json.dumps(entry.data, sort_keys=True, default=str)
    return hashlib.blake2b(key.encode("utf-8"), digest_size=16).hexdigest()  # 32 characters, not the page


def _mark_unchanged(st: BuildState, session: Session, files: Files) -> None:
    """Tell a dirty build (``mkdocs serve``'s partial rebuild) which pages it may leave as they are.

    A generated page (a concept, the A-Z or a topic page) is left alone when its Markdown (and a
    concept page's entry data) is exactly that of the last good build: nothing else goes into it
    (links, tooltips, backlinks and maps are all in its Markdown; concept and topic pages are not
    in the navigation). Hand-written pages (articles, the home page) call the macros, so they are
    always rebuilt. A full build ignores these marks.
    """
    pending: PageKeys = {}
    session.pending = pending
    for file in files.documentation_pages(inclusion=lambda _level: True):  # drafts too
        key = _source_key(st, file)
        if key is None:
            mark_changed(file)
            continue
        pending[file.src_uri] = (key, file.dest_uri, file.url)
        if session.baseline is not None and session.baseline.get(file.src_uri) == pending[file.src_uri]:
            mark_unchanged(file)


def on_nav(nav: Any, config: MkDocsConfig, files: Files, *, session: Session) -> Any:
    """Pages listed in the navigation are always rebuilt: every page shows their titles, which a page
    left as it is would not have read. The navigation is kept short, so this costs little."""
    for page in nav.pages:
        if is_marked_unchanged(page.file):
            mark_changed(page.file)
    from . import ahead
    st = build_state(config)
    ahead.plan(session, st, config, files, st.generated, {page.file.src_uri for page in nav.pages})
    return nav


def commit_build(session: Session) -> None:
    """The build succeeded: what it was made from is the baseline of the next partial rebuild."""
    session.baseline, session.pending = session.pending, None


def discard_build(session: Session) -> bool:
    """The build failed: keep the baseline; True if the failed build had got as far as its pages."""
    started, session.pending = session.pending is not None, None
    return started


def dropped_pages(session: Session) -> list[tuple[str, str]]:
    """``(dest_uri, url)`` of the generated pages of the last good build that the build under way no longer has."""
    if session.baseline is None or session.pending is None:
        return []
    pending = session.pending
    return [(dest, url) for src, (_key, dest, url) in session.baseline.items() if src not in pending]


def on_files(files: Files, config: MkDocsConfig, *, session: Session) -> Files:
    """Add the generated pages; a hand-written page at a generated path is an error, never overwritten."""
    st = build_state(config)
    clashes, generated = [], []
    for page in [*generated_files(config, session), *export_files(config)]:
        existing = files.get_file_from_path(page.src_uri)
        if existing is not None:
            if page.src_uri in (f"{GLOSSARY_DIR}/index.md", f"{TAGS_DIR}/index.md"):
                continue  # an author's own index page wins; it can call the same macros
            if not page.src_uri.endswith(".md"):  # glossary.json and its schema
                clashes.append(f"{st.docs_name}/{page.src_uri}:1: (file): this file would hide the {page.src_uri} "
                               "generated from the glossary for other tools; remove or rename it")
                continue
            clashes.append(f"{st.docs_name}/{page.src_uri}:1: (file): this page would hide the page generated "
                           "from the glossary; concept and topic pages are generated, so remove or rename it")
            continue
        files.append(page)
        generated.append(page)
    if clashes:
        for clash in clashes:
            print(clash, file=sys.stderr)
        raise PluginError("hand-written pages clash with generated ones (listed above)")
    if session.preview:  # only `mkdocs serve` rebuilds partially; a build has no use for the marks
        _mark_unchanged(st, session, files)
    st.generated = [page.src_uri for page in generated if page.src_uri.endswith(".md")]
    return files


def export_files(config: MkDocsConfig) -> list[File]:
    """``glossary.json`` (every published entry) and ``glossary.schema.json`` (its JSON Schema), at the site root."""
    from .export import EXPORT_NAME, SCHEMA_NAME, build_export, export_json, schema_text
    st = build_state(config)
    site_url, dirs = config.site_url or "", config.use_directory_urls

    def url(slug: str) -> str:
        if site_url:
            return absolute_url(site_url, page_url(slug), use_directory_urls=dirs)
        return site_path(page_url(slug), use_directory_urls=dirs)

    data = build_export(st.glossary, name=config.site_name, site_url=site_url, url=url, describe=st.renderer.tooltip)
    return [File.generated(config, EXPORT_NAME, content=export_json(data)),
            File.generated(config, SCHEMA_NAME, content=schema_text())]


def _inject_fragments(st: BuildState, page: Page) -> None:
    """A concept page's evidence line, map, lists, References and review dates put in place, after the search
    plugin indexed the page (this event runs late): they are neither parsed by Markdown nor read by search."""
    fragments = st.fragments.get(page.file.src_uri)
    if fragments and page.content:
        page.content = Renderer.inject(page.content, fragments, early=False)


def on_page_content(html: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    """A concept page's citations put in place right after Markdown (search then reads them as the page's text)."""
    from . import ahead
    st = build_state(config)
    return html if ahead.citations_in_place(st, page) else ahead.with_citations(st, page.file.src_uri, html)


def on_page_context(context: dict[str, Any], page: Page, config: MkDocsConfig, nav: Any) -> dict[str, Any]:
    """Give ``overrides/glossary/head.html`` the Open Graph tags and the JSON-LD of the page.

    Concept pages carry a ``DefinedTerm`` and a ``MedicalWebPage``, the A-Z page the
    ``DefinedTermSet``. The page's meta description is HTML-escaped here, because the theme
    writes it into an attribute as it is (a summary with quotation marks would cut it short).
    """
    from .jsonld import SiteInfo, concept_data, script_json, term_set_data
    st = build_state(config)
    _inject_fragments(st, page)
    meta = page.meta
    if meta.get("description"):
        meta["description"] = str(markupsafe.escape(str(meta["description"])))
    src, dirs = page.file.src_uri, config.use_directory_urls

    def url(target: str) -> str:
        if config.site_url:
            return absolute_url(config.site_url, target, use_directory_urls=dirs)
        return relative_url(src, target, use_directory_urls=dirs)

    site = SiteInfo(name=config.site_name, description=config.site_description or "",
                    url=config.site_url or "", language=str(config.theme.get("language") or "en"))
    description = str(page.meta.get("description") or config.site_description or "")
    slug = str(meta.get("glossary_entry") or "")
    entry = st.glossary.entries.get(slug)
    is_entry = entry is not None and entry.published and src == page_url(slug)
    article = is_entry or is_article(src)
    raw_title = meta.get("title")
    if isinstance(raw_title, markupsafe.Markup):
        raw_title = raw_title.unescape()
    title = config.site_name if page.is_homepage else str(raw_title or page.title or config.site_name)
    og = [("og:type", "article" if article else "website"), ("og:site_name", config.site_name),
          ("og:title", title)]
    if description:
        og.append(("og:description", str(markupsafe.Markup(description).unescape())))
    if page.canonical_url:
        og.append(("og:url", page.canonical_url))
    data = None
    set_url = url(f"{GLOSSARY_DIR}/index.md")
    if is_entry and entry is not None:
        from .citations import cited_keys, creative_work
        from .review import reviewed_by
        works = [creative_work(st.glossary.references[k].data) for k in cited_keys(entry)
                 if k in st.glossary.references]
        data = concept_data(entry, st.renderer.tooltip(entry), url(src), set_url, site, citations=works,
                            reviewer=reviewed_by(entry))
    elif src == f"{GLOSSARY_DIR}/index.md":
        terms = [(e, st.renderer.tooltip(e), url(page_url(e.slug))) for e in st.glossary.published()]
        data = term_set_data(terms, set_url, site)
    # overrides/main.html ends concept pages and articles with the medical disclaimer
    context["glossary_disclaimer"] = bool(meta.get("glossary_entry")) or is_article(src)
    if raw_title:
        # Material prints page.meta.title as it is (no autoescape) in <title> and in the header: escaped
        # here, a term can only ever show as text. Markup, so escaping it again changes nothing.
        meta["title"] = markupsafe.escape(str(raw_title))
    context["glossary_head"] = {"og": og, "jsonld": script_json(data) if data else "",
                                "export": src == f"{GLOSSARY_DIR}/index.md"}  # the A-Z page points to glossary.json
    return context


def on_post_page(output: str, page: Page | None = None, config: MkDocsConfig | None = None, *,
                 session: Session) -> str:
    """Every page, last of all: the theme's indentation taken out (``compact.py``), then the
    Content-Security-Policy computed from that final HTML (``security.py``); inline code that no
    template writes fails the build."""
    from . import ahead, security
    from .compact import compact_html
    if page is not None and config is not None and ahead.hand_over(session, page, config):
        return output  # a large build: secured by a worker once MkDocs wrote it (ahead.py)
    try:
        return security.on_post_page(compact_html(output), page, config, session=session)
    except security.UnknownInlineCode as error:
        raise PluginError(str(error)) from None


def on_env(env: Any, config: MkDocsConfig, files: Files, *, session: Session) -> Any:
    """Before MkDocs writes the pages (``ahead.py``): streamed pages of the navigation completed, and for a large
    ``mkdocs build``, a worker to secure the pages."""
    from . import ahead
    ahead.fill_navigation(session, build_state(config), config)
    ahead.start_securing(session, config, files)
    return env


def on_post_build(config: MkDocsConfig, *, session: Session) -> None:
    """Wait for the worker securing the pages, if any (``ahead.py``); code no template writes fails the build."""
    from . import ahead
    ahead.close(session)
    ahead.finish_securing(session)


def on_build_error(error: Exception | None = None, *, session: Session) -> None:
    """A failed build stops the workers it started."""
    from . import ahead
    ahead.close(session)
    ahead.cancel_securing(session)


def fill_page(context: dict[str, Any], page: Page, config: MkDocsConfig, nav: Any, *,
              session: Session) -> dict[str, Any]:
    """First of all page-context handlers: a streamed page's HTML in place before anything reads it (``ahead.py``)."""
    from . import ahead
    ahead.fill(session, build_state(config), page, config)
    return context


def on_post_template(output_content: str, template_name: str = "", config: MkDocsConfig | None = None, *,
                     session: Session) -> str:
    """The theme's own HTML pages (``404.html``) secured as pages are (``security.on_post_template``)."""
    from . import security
    try:
        return security.on_post_template(output_content, template_name, config, session=session)
    except security.UnknownInlineCode as error:
        raise PluginError(str(error)) from None


def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, files: Files, *, session: Session) -> str:
    """Number the citations of a hand-written page (after the macros ran) and add its References list.

    Generated pages (concept pages) already have theirs. A page that cites nothing is left as it is.
    A large build's generated pages get their HTML from workers (``ahead.py``).
    """
    from . import ahead
    ahead.before_render(session, build_state(config), page, files)
    if page.file.generated_by is not None or "@" not in markdown:
        return markdown
    from .render import REFERENCES_HERE
    if "[" not in markdown and REFERENCES_HERE not in markdown:
        return markdown
    return build_state(config).renderer.finish_citations(markdown, "Introduction")


def source_name(st: BuildState, src_uri: str) -> str:
    """How an author finds the page: the YAML file of an entry, else the file under the docs folder."""
    return st.source_name(src_uri)


def template_problems(root: Path) -> list[Problem]:
    """The templates of ``overrides/glossary`` that do not compile, as ``path:line: (template): message``.

    Checked before every build, so a broken template edit in ``mkdocs serve`` is named in one line.
    """
    import jinja2

    env = Renderer(Glossary(root=root), root / TEMPLATES).env
    problems = []
    for name in env.list_templates() if (root / TEMPLATES).is_dir() else []:
        try:
            env.get_template(name)
        except jinja2.TemplateSyntaxError as error:
            problems.append(Problem(f"{TEMPLATES}/{name}", error.lineno or 1, "(template)",
                                    f"{error.message}; check the {{% %}} and {{{{ }}}} tags"))
    return problems
