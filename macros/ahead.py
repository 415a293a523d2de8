"""The MkDocs glue that lets a large ``mkdocs build`` use every usable CPU for what it does page by page.

MkDocs builds in one process: it renders every page's Markdown, then builds every page (search index, template,
``on_post_page``) and writes it. On Linux, from a process running no other thread (``parallel.can_fork``: not in
the rebuilds of ``mkdocs serve``, which run beside its server's threads), and for ``PARALLEL_MIN`` pages or more,
this module moves two parts of that work to forked workers, whose results are exactly what MkDocs would have made
in this process:

- **The generated pages' HTML** (concept, A-Z and topic pages: ``site.generated_files``). MkDocs' own
  ``Page.render`` turns each into HTML, with its link checks, table of contents and anchors
  (``mkdocs_compat.render_ahead``), plus the citations put in place (``Renderer.inject(early=True)``).
  When nothing but the glossary's own handlers can read a page between its render and its template (no other
  plugin handles ``on_page_content`` or ``on_env``, or ``on_page_context`` as early), the workers *stream*:
  MkDocs' render leaves the page empty and the page is completed just before MkDocs builds it, so rendering
  runs while MkDocs builds earlier pages.
  Otherwise the pages are rendered *ahead*, shared between this process and the workers, before MkDocs' loop.
- **The security pass** (``security.secure_file``): each page is compacted and gets its Content-Security-Policy
  in a worker right after MkDocs wrote it, instead of in ``on_post_page`` (``mkdocs build`` only: ``mkdocs serve``
  secures its pages as it builds them).

A worker that fails or dies leaves its share to this process, where MkDocs does it as usual.
"""

from __future__ import annotations

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

from .mkdocs_compat import RenderedPage, fill_rendered, render_ahead, render_later, use_rendered
from .parallel import PARALLEL_MIN, Background, Stream, can_fork, fork_map, usable_cpus
from .render import Renderer
from .state import BuildState, Session

#: The glossary's own event handlers carry this attribute (``hooks._forward``), so a build can tell whether
#: another plugin handles an event.
OWN_HANDLER = "glossary_handler"
#: The priority of ``site.fill_page``, the first ``on_page_context`` handler (``hooks.py``).
FILL_PRIORITY = 100


def _worth_it(pages: int) -> bool:
    return pages >= PARALLEL_MIN and usable_cpus() > 1 and can_fork()


def _nothing_reads_early(config: MkDocsConfig) -> bool:
    """Whether nothing but the glossary's own handlers can read a page between MkDocs' render and the page's first
    ``on_page_context`` handler, ``site.fill_page`` (priority 100): no other handler of ``on_page_content`` or
    ``on_env``, and none of ``on_page_context`` that runs as early."""
    events = config.plugins.events
    foreign = [handler for handler in [*events["page_content"], *events["env"]]
               if not getattr(handler, OWN_HANDLER, False)]
    foreign += [handler for handler in events["page_context"]
                if not getattr(handler, OWN_HANDLER, False) and getattr(handler, "mkdocs_priority", 0) >= FILL_PRIORITY]
    return not foreign


def with_citations(st: BuildState, src_uri: str, html: str) -> str:
    """A page's HTML with its citations put in place (``Renderer.inject(early=True)``; a concept page's only)."""
    fragments = st.fragments.get(src_uri)
    return Renderer.inject(html, fragments, early=True) if fragments and html else html


def _render(st: BuildState, config: MkDocsConfig, files: Files, file: File, *, cite: bool) -> RenderedPage:
    """One generated page rendered as MkDocs renders it; with ``cite``, its citations put in place as
    ``site.on_page_content`` would."""
    rendered = render_ahead(file, config, files)
    if cite:
        rendered.content = with_citations(st, file.src_uri, rendered.content)
    return rendered


def plan(session: Session, st: BuildState, config: MkDocsConfig, files: Files, generated: list[str],
         in_nav: set[str]) -> None:
    """Once MkDocs has its files and navigation (``on_nav``): render the generated pages ``generated`` (by
    ``src_uri``; ``in_nav``: those the navigation lists) in workers, streamed or ahead (see the module's
    docstring), or leave them all to MkDocs."""
    st.rendered, st.streamed, st.files, st.navigation = {}, {}, files, []
    close(session)
    todo = [file for file in (files.get_file_from_path(src) for src in generated)
            if file is not None and file.inclusion.is_included()]
    if not _worth_it(len(todo)):
        return
    if _nothing_reads_early(config):
        # The pages of the navigation (the A-Z and Topics pages) come first, and are completed before MkDocs builds
        # any page (``fill_navigation``): the theme may show their sections on other pages. This process builds
        # pages meanwhile, so one CPU fewer renders.
        todo.sort(key=lambda file: file.src_uri not in in_nav)  # stable: MkDocs' order otherwise
        session.rendering = Stream(lambda file: _render(st, config, files, file, cite=True), todo,
                                   max(1, usable_cpus() - 1))
        st.streamed = {file.src_uri: index for index, file in enumerate(todo)}
        st.navigation = [file.src_uri for file in todo if file.src_uri in in_nav]
        return
    done = fork_map(lambda chunk: [_render(st, config, files, file, cite=False) for file in chunk], todo, usable_cpus())
    st.rendered = {file.src_uri: rendered for file, rendered in zip(todo, done, strict=True)}


def before_render(session: Session, st: BuildState, page: Page, files: Files) -> None:
    """Last of the ``on_page_markdown`` handlers: a page rendered ahead takes its HTML from there, a streamed one
    is left empty until ``fill``."""
    src = page.file.src_uri
    rendered = st.rendered.pop(src, None)
    if rendered is not None:
        use_rendered(page, rendered, files)  # its citations go in at on_page_content, as usual
    elif src in st.streamed:
        render_later(page)
        if session.rendering is not None:
            session.rendering.drain()


def citations_in_place(st: BuildState, page: Page) -> bool:
    """In ``on_page_content``: whether the page is streamed, so its citations come with its HTML (``fill``)."""
    return page.file.src_uri in st.streamed  # fill takes it out later, in on_env or on_page_context


def fill_navigation(session: Session, st: BuildState, config: MkDocsConfig) -> None:
    """In ``on_env``, after MkDocs read every page and before it builds any: the streamed pages of the navigation
    completed (``fill``), so that no page, not even the theme's own (``404.html``, the sitemap), sees them empty."""
    navigation, st.navigation = st.navigation, []
    for src in navigation:
        file = st.files.get_file_from_path(src) if st.files is not None else None
        if file is not None and file.page is not None:
            fill(session, st, file.page, config)


def fill(session: Session, st: BuildState, page: Page, config: MkDocsConfig) -> None:
    """First of the ``on_page_context`` handlers (before the search plugin reads the page): a streamed page gets
    its HTML, table of contents and anchors from its worker, or is rendered here if the worker could not."""
    index = st.streamed.pop(page.file.src_uri, None)
    if index is None:
        return
    rendered = session.rendering.get(index) if session.rendering is not None else None
    if not fill_rendered(page, rendered, config, st.files):  # rendered here: citations as on_page_content puts them
        page.content = with_citations(st, page.file.src_uri, page.content or "")
    if not st.streamed:
        close(session)


def close(session: Session) -> None:
    """Stop the render workers, if any are left."""
    stream, session.rendering = session.rendering, None
    if stream is not None:
        stream.close()


def start_securing(session: Session, config: MkDocsConfig, files: Files) -> None:
    """Before MkDocs writes the pages (``on_env``): for a large ``mkdocs build``, a worker to secure them."""
    from . import security
    cancel_securing(session)  # a worker left by an earlier build that did not end
    pages = len(files.documentation_pages())
    if session.preview or not _worth_it(pages):
        return

    def secure(item: tuple[str, str]) -> str | None:
        return security.secure_file(item[0], item[1], config, session)

    session.securing = Background(secure, capacity=pages)


def hand_over(session: Session, page: Page, config: MkDocsConfig) -> bool:
    """In ``on_post_page``: whether the page will be secured by the worker, once MkDocs has written it. MkDocs
    writes it as soon as ``on_post_page`` returns, so each page is handed over when the next one gets here, and
    the last one in ``finish_securing``."""
    from . import security
    if session.securing is None:
        return False
    if session.last_written is not None:
        session.securing.submit(session.last_written)
    session.last_written = (page.file.abs_dest_path, security.page_name(page, config))
    return True


def finish_securing(session: Session) -> None:
    """After MkDocs wrote every page (``on_post_build``): wait for the worker. Inline code that no template writes
    fails the build, as it does when pages are secured in ``on_post_page``."""
    securing, last, session.securing, session.last_written = session.securing, session.last_written, None, None
    if securing is None:
        return
    if last is not None:
        securing.submit(last)
    errors = securing.finish()
    if errors:
        raise PluginError("\n".join(errors[index] for index in sorted(errors)))


def cancel_securing(session: Session) -> None:
    """A failed build (``on_build_error``) stops the worker securing its pages, if it started one (and ``close``
    stops its render workers)."""
    securing, session.securing, session.last_written = session.securing, None, None
    if securing is not None:
        securing.cancel()
