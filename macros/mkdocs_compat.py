"""Every use of MkDocs' private internals, in one place, for the MkDocs version it was written for.

The glue (``site.py``, ``serve.py``) and the benchmark reach into MkDocs only through these
functions. Each names the MkDocs 1.6.1 source lines it depends on; ``MKDOCS_VERSION`` is the
version pinned in pyproject.toml, and ``version_problem()`` says when another one is installed
(``on_config`` logs it as a warning, which fails a ``--strict`` build: check each link below
against the new version, then change the pin and this constant together). tests/test_serve.py and
tests/test_partial_rebuild.py and tests/test_ahead.py exercise every function here.

This is the only module allowed to touch private names (ruff's SLF001 is waived here alone).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any

#: The MkDocs release whose internals this module was written against (pinned in pyproject.toml).
MKDOCS_VERSION = "1.6.1"


def version_problem() -> str | None:
    """Why the installed MkDocs may not fit this module, or None when it is the version it was written for."""
    try:
        installed = metadata.version("mkdocs")
    except metadata.PackageNotFoundError:
        return None  # another builder (ProperDocs) runs the hooks: tests/test_properdocs.py covers it
    if installed == MKDOCS_VERSION:
        return None
    return (f"MkDocs {installed} is installed, but macros/mkdocs_compat.py was written for MkDocs {MKDOCS_VERSION}: "
            "check the MkDocs source lines it links, then update MKDOCS_VERSION and the pin in pyproject.toml")


def keep_last_good_build(server: Any) -> None:
    """After a failed rebuild, make the last good build the current one, so requests are answered at once.

    MkDocs' ``LiveReloadServer`` holds every request until ``_visible_epoch == _wanted_epoch`` [1] and
    only moves ``_visible_epoch`` after a build that did not raise [2]; our builder never raises, and
    this sets the wanted epoch [3] back to the visible one, under the lock that guards them [4].

    [1] https://github.com/mkdocs/mkdocs/blob/1.6.1/mkdocs/livereload/__init__.py#L299-L302
    [2] https://github.com/mkdocs/mkdocs/blob/1.6.1/mkdocs/livereload/__init__.py#L222-L225
    [3] https://github.com/mkdocs/mkdocs/blob/1.6.1/mkdocs/livereload/__init__.py#L207
    [4] https://github.com/mkdocs/mkdocs/blob/1.6.1/mkdocs/livereload/__init__.py#L127
    """
    with server._epoch_cond:  # noqa: SLF001 - see the docstring
        server._wanted_epoch = server._visible_epoch  # noqa: SLF001


def sign_live_reload(server: Any, nonce: str) -> None:
    """Write this process's CSP nonce (``security.on_startup``) on the live-reload script the server injects.

    MkDocs' ``LiveReloadServer`` injects one ``<script>`` (the live-reload client and its call with a new
    timestamp) just before the last ``</body>`` of every page it serves [1], through the method
    ``_inject_js_into_html`` [2]: the pages allow that one script by the nonce, never ``'unsafe-inline'``.
    Any other shape of injection is left unsigned, and so blocked.

    [1] https://github.com/mkdocs/mkdocs/blob/1.6.1/mkdocs/livereload/__init__.py#L313-L315
    [2] https://github.com/mkdocs/mkdocs/blob/1.6.1/mkdocs/livereload/__init__.py#L327-L336
    """
    inject = getattr(server, "_inject_js_into_html", None)
    if not nonce or inject is None:
        return

    def signed(content: bytes, epoch: int) -> bytes:
        html = inject(content, epoch)
        at = content.rfind(b"</body>")
        at = len(content) if at < 0 else at
        if html[at:at + len(b"<script>")] != b"<script>":
            return html  # not the injection this was written for: the script stays unsigned, and blocked
        return html[:at] + f'<script nonce="{nonce}">'.encode() + html[at + len(b"<script>"):]

    server._inject_js_into_html = signed  # noqa: SLF001 - see the docstring


@contextlib.contextmanager
def serve_builds(*, dirty: bool) -> Iterator[None]:
    """Run MkDocs' serve builder with ``dirty`` set as asked (whatever ``--dirty`` said).

    The builder that ``mkdocs serve`` hands the live-reload server calls the module-level name
    ``build`` of ``mkdocs.commands.serve`` with ``dirty=is_dirty`` [1]; it is replaced for the
    duration, and MkDocs' "A 'dirty' build is being performed" warning is kept quiet.

    [1] https://github.com/mkdocs/mkdocs/blob/1.6.1/mkdocs/commands/serve.py#L61-L67
    """
    import mkdocs.commands.serve as serve_command

    original = serve_command.build

    def build(config: Any, **kwargs: Any) -> None:
        original(config, **{**kwargs, "dirty": dirty})

    class _Quiet(logging.Filter):
        def filter(self, record: logging.LogRecord) -> bool:
            return not record.getMessage().startswith("A 'dirty' build is being performed")

    quiet = _Quiet()
    logger = logging.getLogger("mkdocs.commands.build")
    serve_command.build = build  # type: ignore[assignment]
    logger.addFilter(quiet)
    try:
        yield
    finally:
        serve_command.build = original
        logger.removeFilter(quiet)


def _never_modified() -> bool:
    return False


def _always_modified() -> bool:
    return True


def mark_unchanged(file: Any) -> None:
    """A dirty build leaves this page as it is.

    A dirty build skips a page whose ``File.is_modified()`` is False [1]; the method of this one
    instance is replaced (the original compares modification times, and is always True for a
    generated file [2]).

    [1] https://github.com/mkdocs/mkdocs/blob/1.6.1/mkdocs/commands/build.py#L153 and #L199
    [2] https://github.com/mkdocs/mkdocs/blob/1.6.1/mkdocs/structure/files.py#L495-L501
    """
    file.is_modified = _never_modified


def mark_changed(file: Any) -> None:
    """A dirty build rebuilds this page (see ``mark_unchanged``)."""
    file.is_modified = _always_modified


def is_marked_unchanged(file: Any) -> bool:
    """Whether ``mark_unchanged`` was called on this file (and not undone)."""
    return getattr(file, "is_modified", None) is _never_modified


def no_current_plugin(plugins: Any) -> None:
    """Outside a plugin event, say so.

    ``File.generated`` records ``plugins._current_plugin`` as the file's maker [1], which MkDocs sets
    only while it runs an event [2]; the benchmark generates files outside any event.

    [1] https://github.com/mkdocs/mkdocs/blob/1.6.1/mkdocs/structure/files.py#L325
    [2] https://github.com/mkdocs/mkdocs/blob/1.6.1/mkdocs/plugins.py#L562-L572
    """
    plugins._current_plugin = None  # noqa: SLF001 - see the docstring


@dataclass
class RenderedPage:
    """What MkDocs' ``Page.render`` sets on a page [1], computed ahead (``render_ahead``), with the log records it
    wrote: links to other pages' anchors by the linked file's ``src_uri`` (a ``File`` does not cross processes).

    [1] https://github.com/mkdocs/mkdocs/blob/1.6.1/mkdocs/structure/pages.py#L263-L292
    """

    markdown: str
    content: str
    toc: Any
    title: str | None
    anchor_ids: set[str]
    links_to_anchors: dict[str, dict[str, str]] | None
    records: list[tuple[str, int, str]] = field(default_factory=list)


class _Keep(logging.Handler):
    """Keeps every log record it is given, as ``(logger name, level, message)``."""

    def __init__(self) -> None:
        super().__init__(logging.NOTSET)
        self.records: list[tuple[str, int, str]] = []
        self._last: logging.LogRecord | None = None

    def emit(self, record: logging.LogRecord) -> None:
        if record is self._last:  # the same record, reaching this handler again through a parent logger
            return
        self._last = record
        self.records.append((record.name, record.levelno, record.getMessage()))


@contextlib.contextmanager
def _kept_logs() -> Iterator[_Keep]:
    """Every record logged meanwhile kept instead of printed or counted (by ``--strict``'s counter on the
    ``mkdocs`` logger [1]): ``use_rendered`` logs them again when MkDocs renders the page.

    [1] https://github.com/mkdocs/mkdocs/blob/1.6.1/mkdocs/commands/build.py#L256-L260
    """
    keep = _Keep()
    loggers = [logging.getLogger(), logging.getLogger("mkdocs")]
    saved = [logger.handlers for logger in loggers]
    for logger in loggers:
        logger.handlers = [keep]
    try:
        yield keep
    finally:
        for logger, handlers in zip(loggers, saved, strict=True):
            logger.handlers = handlers


def render_ahead(file: Any, config: Any, files: Any) -> RenderedPage:
    """Read and render one page exactly as MkDocs' build does [1] (its own ``Page.read_source`` and
    ``Page.render``, so its link checks and anchor lists too), minus the plugin events in between, which
    ``use_rendered`` guards against. In a forked worker: the page object made here stays in the worker.

    [1] https://github.com/mkdocs/mkdocs/blob/1.6.1/mkdocs/commands/build.py#L159-L167
    """
    from mkdocs.structure.pages import Page

    page = file.page if file.page is not None else Page(None, file, config)
    with _kept_logs() as keep:
        page.read_source(config)
        page.render(config, files)
    links = page.links_to_anchors
    return RenderedPage(markdown=page.markdown or "", content=page.content or "", toc=page.toc,
                        title=page._title_from_render, anchor_ids=set(page.present_anchor_ids or ()),  # noqa: SLF001
                        links_to_anchors=None if links is None else
                        {to_file.src_uri: dict(anchors) for to_file, anchors in links.items()},
                        records=keep.records)


def _apply(page: Any, rendered: RenderedPage, files: Any) -> None:
    """Set what ``Page.render`` sets [1] from ``rendered``, and log its records now, as if MkDocs had written them.

    [1] https://github.com/mkdocs/mkdocs/blob/1.6.1/mkdocs/structure/pages.py#L285-L292
    """
    for name, level, message in rendered.records:
        logging.getLogger(name).log(level, "%s", message)
    page.content, page.toc = rendered.content, rendered.toc
    page._title_from_render = rendered.title  # noqa: SLF001 - see the docstring
    page.present_anchor_ids = rendered.anchor_ids
    if rendered.links_to_anchors is not None:
        found = {files.get_file_from_path(src): anchors for src, anchors in rendered.links_to_anchors.items()}
        page.links_to_anchors = {file: anchors for file, anchors in found.items() if file is not None}


def use_rendered(page: Any, rendered: RenderedPage, files: Any) -> None:
    """Have MkDocs take ``rendered`` (``render_ahead``) for this page instead of rendering it again: when its
    ``render`` [1] is called on exactly the Markdown that was rendered ahead, the results are set as ``render``
    sets them (``_apply``); on any other Markdown (a plugin changed the page in between), the page is rendered
    as usual.

    [1] https://github.com/mkdocs/mkdocs/blob/1.6.1/mkdocs/commands/build.py#L167
    """
    def render(config: Any, files_now: Any) -> None:
        del page.render  # this instance renders as usual from now on
        if files_now is files:
            fill_rendered(page, rendered, config, files)
        else:
            page.render(config, files_now)

    page.render = render


def render_later(page: Any) -> None:
    """Have MkDocs' ``render`` of this page [1] leave it empty (no HTML, no table of contents, no anchors) for
    ``fill_rendered`` to complete before MkDocs builds the page [2]. Only for a build where nothing reads a page in
    between: no ``on_page_content`` or ``on_env`` handler but the glossary's (``site._render_ahead`` checks).

    [1] https://github.com/mkdocs/mkdocs/blob/1.6.1/mkdocs/commands/build.py#L167
    [2] https://github.com/mkdocs/mkdocs/blob/1.6.1/mkdocs/commands/build.py#L207-L213
    """
    from mkdocs.structure.toc import get_toc

    def render(config: Any, files: Any) -> None:
        del page.render
        page.content, page.toc, page.present_anchor_ids = "", get_toc([]), set()

    page.render = render


def fill_rendered(page: Any, rendered: RenderedPage | None, config: Any, files: Any) -> bool:
    """Complete a page left empty by ``render_later``: with ``rendered`` when it was rendered from exactly this
    Markdown (True), else by MkDocs' own ``Page.render`` now (False)."""
    if rendered is None or page.markdown != rendered.markdown:
        type(page).render(page, config, files)
        return False
    _apply(page, rendered, files)
    return True
