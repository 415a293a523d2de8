"""Every use of MkDocs' private internals, in one place, for the MkDocs version it was written for.

The glue (``site.py``, ``serve.py``) and the benchmark reach into MkDocs only through these
functions. Each names the MkDocs 1.6.1 source lines it depends on; ``MKDOCS_VERSION`` is the
version pinned in pyproject.toml, and ``version_problem()`` says when another one is installed
(``on_config`` logs it as a warning, which fails a ``--strict`` build: check each link below
against the new version, then change the pin and this constant together). tests/test_serve.py and
tests/test_partial_rebuild.py exercise every function here.

This is the only module allowed to touch private names (ruff's SLF001 is waived here alone).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
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
