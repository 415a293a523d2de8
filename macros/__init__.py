"""The glossary generator: load, validate, index and render ``glossary/*.yaml``.

This package is also the mkdocs-macros module (``module_name: macros``):
``define_env`` registers the macros that pages call.
"""

from __future__ import annotations

from typing import Any

__all__ = ["define_env"]


def define_env(env: Any) -> None:
    """Register the glossary macros with mkdocs-macros.

    Macros render fragments from ``overrides/glossary/`` with entry text passed
    as data; an unknown slug fails the build naming the page and the slug.
    """
    from mkdocs_macros.errors import format_error

    from .render import UnknownEntry
    from .site import source_name, state

    # An unknown slug is an author's mistake: report it in one line, without a traceback.
    format_error.register(UnknownEntry)(lambda error, markdown, page: str(error))

    def page() -> str:
        return str(env.page.file.src_uri)

    def guarded(render: Any, *args: Any) -> str:
        try:
            return str(render(*args))
        except UnknownEntry as error:
            raise UnknownEntry(f"{source_name(page())}: {error}") from None

    @env.macro
    def term(slug: str, text: str | None = None) -> str:
        """A link to an entry; hovering or focusing it shows the entry's summary."""
        return guarded(state().renderer.link, slug, text, page())

    @env.macro
    def definition(slug: str) -> str:
        """The entry's term and summary as a definition block."""
        return guarded(state().renderer.definition, slug, page())

    @env.macro
    def risk(slug: str) -> str:
        """The entry's risk callout, with its severity in words."""
        return guarded(state().renderer.risk, slug, page())

    @env.macro
    def references() -> str:
        """Where the page's References list goes (else it follows the last section, if the page cites)."""
        from .render import REFERENCES_HERE
        return REFERENCES_HERE

    @env.macro
    def glossary_index() -> str:
        """Every published entry, A-Z, grouped by letter."""
        return state().renderer.glossary_index(page())

    @env.macro
    def tag_index() -> str:
        """Every topic tag with a link to its page."""
        return state().renderer.tag_index(page())

    @env.macro
    def tag_page(tag: str) -> str:
        """The entries of one topic tag."""
        return state().renderer.tag_page(tag, page())

    @env.macro
    def pathways() -> str:
        """Every synthesis pathway (the entries' ``precursor_of``) drawn as a linked diagram."""
        return state().renderer.pathways(page())
