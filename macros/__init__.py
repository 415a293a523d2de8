"""The glossary generator: load, validate, index and render ``glossary/*.yaml``.

This package is also the mkdocs-macros module (``module_name: macros``):
``define_env`` registers the macros that pages call.
"""

from __future__ import annotations

from typing import Any

__all__ = ["SLUG_MACROS", "define_env"]

#: The macros that take an entry's slug (``define_env`` registers them): the docs folder's pages are
#: scanned for their calls before the build, so an unknown slug is named with its line.
SLUG_MACROS: tuple[str, ...] = ("term", "definition", "risk")


def define_env(env: Any) -> None:
    """Register the glossary macros with mkdocs-macros.

    Macros render fragments from ``overrides/glossary/`` with entry text passed
    as data; an unknown slug fails the build naming the page and the slug.
    """
    from mkdocs_macros.errors import format_error

    from .render import UnknownEntry

    # An unknown slug is an author's mistake: report it in one line, without a traceback.
    format_error.register(UnknownEntry)(lambda error, markdown, page: str(error))
    macros = _Macros(env)
    for name in (*SLUG_MACROS, "references", "glossary_index", "tag_index", "tag_page", "pathways"):
        env.macro(getattr(macros, name), name)


class _Macros:
    """The macros pages call, for the build under way (its state is on ``env.conf``, the build's config)."""

    def __init__(self, env: Any) -> None:
        self.env = env

    def _renderer(self) -> Any:
        from .state import build_state

        return build_state(self.env.conf).renderer

    def _page(self) -> str:
        return str(self.env.page.file.src_uri)

    def _guarded(self, render: Any, *args: Any) -> str:
        from .render import UnknownEntry
        from .site import source_name
        from .state import build_state

        try:
            return str(render(*args))
        except UnknownEntry as error:
            raise UnknownEntry(f"{source_name(build_state(self.env.conf), self._page())}: {error}") from None

    def term(self, slug: str, text: str | None = None) -> str:
        """A link to an entry; hovering or focusing it shows the entry's summary."""
        return self._guarded(self._renderer().link, slug, text, self._page())

    def definition(self, slug: str) -> str:
        """The entry's term and summary as a definition block."""
        return self._guarded(self._renderer().definition, slug, self._page())

    def risk(self, slug: str) -> str:
        """The entry's risk callout, with its severity in words."""
        return self._guarded(self._renderer().risk, slug, self._page())

    def references(self) -> str:
        """Where the page's References list goes (else it follows the last section, if the page cites)."""
        from .render import REFERENCES_HERE
        return REFERENCES_HERE

    def glossary_index(self) -> str:
        """Every published entry, A-Z, grouped by letter."""
        return str(self._renderer().glossary_index(self._page()))

    def tag_index(self) -> str:
        """Every topic tag with a link to its page."""
        return str(self._renderer().tag_index(self._page()))

    def tag_page(self, tag: str) -> str:
        """The entries of one topic tag."""
        return str(self._renderer().tag_page(tag, self._page()))

    def pathways(self) -> str:
        """Every synthesis pathway (the entries' ``precursor_of``) drawn as a linked diagram."""
        return str(self._renderer().pathways(self._page()))
