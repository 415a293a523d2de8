"""The state of the MkDocs glue: one ``Session`` per MkDocs process, one ``BuildState`` per build.

Nothing here is a module global. ``hooks.py`` creates the ``Session`` when MkDocs loads it (once per
process and project) and passes it to every event; ``site.on_config`` makes the ``BuildState`` of
the build and keeps it on the build's own ``config`` (``config[BUILD_KEY]``), where the macros
(``define_env``) and the later events of the same build find it, and where the next build, which
gets a fresh ``config``, cannot. Like a plugin's attributes in autorefs or Material, but kept by a
hook file.

``mkdocs serve`` re-imports the package when ``macros/`` changes (``hooks.py``) while the
``Session`` lives on: it is plain data with no methods, so code edited since it was created still
reads it (a change to its fields needs a restart of ``mkdocs serve``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .registry import Glossary
    from .render import Renderer

#: The key of the build's ``BuildState`` in its MkDocs ``config``.
BUILD_KEY = "glossary_build"

#: What a generated page was made from: ``(hash of its source, dest_uri, url)``, by ``src_uri``.
PageKeys = dict[str, tuple[str, str, str]]


@dataclass
class Session:
    """What outlives one build, for one MkDocs process (``mkdocs build`` or a whole ``mkdocs serve``)."""

    #: ``mkdocs serve``: the Content-Security-Policy lets live reload run, and pages are marked for partial rebuilds.
    preview: bool = False
    #: ``mkdocs serve``: the nonce drawn for this process, which the pages' policy allows and the preview server
    #: writes on the live-reload script it injects (``security.on_startup``, ``mkdocs_compat.sign_live_reload``).
    nonce: str = ""
    #: For partial rebuilds (``serve.py``): what every generated page was made from in the last build that
    #: succeeded (``baseline``) and in the build under way (``pending``; None until it reaches its pages).
    baseline: PageKeys | None = None
    pending: PageKeys | None = None
    #: ``mkdocs serve``: each published entry's concept page from the last build, by slug, with what it was made
    #: from (``site.concept_keys``): a page whose entry, neighbours, references, templates and code are all
    #: unchanged is not rendered again.
    concepts: dict[str, tuple[str, tuple[str, dict[str, str]]]] = field(default_factory=dict)
    #: The build under way, when it is a large ``mkdocs build``: the worker that secures each page once MkDocs
    #: wrote it (``parallel.Background``, started in ``site.on_env``), and the page written last, not yet
    #: handed to it. Here rather than on the build's config, because MkDocs' ``on_build_error``, which stops them,
    #: gets no config.
    securing: Any = None
    last_written: tuple[str, str] | None = None
    #: The workers rendering the build's generated pages, when they are streamed (``parallel.Stream``, ``ahead.py``).
    rendering: Any = None


@dataclass(repr=False)
class BuildState:
    """What one build knows about the glossary."""

    root: Path
    docs_name: str
    glossary: Glossary
    renderer: Renderer
    #: The renderer of drafts' preview pages (``mkdocs serve``): drafts may link drafts there.
    draft_renderer: Renderer | None = None
    #: The HTML of each concept page that is not prose (map, lists), by ``src_uri``: put in after Markdown.
    fragments: dict[str, dict[str, str]] = field(default_factory=dict)
    #: A large build's generated pages rendered on other CPUs (``ahead.py``): rendered ahead, by ``src_uri``; or
    #: streamed (each page's place in the workers' order: ``Session.rendering``, until it is completed), with
    #: those of the navigation (completed in ``on_env``).
    rendered: dict[str, Any] = field(default_factory=dict)
    #: The generated pages of this build (``site.on_files``), by ``src_uri``, and MkDocs' files (``site.on_nav``).
    generated: list[str] = field(default_factory=list)
    files: Any = None
    streamed: dict[str, int] = field(default_factory=dict)
    navigation: list[str] = field(default_factory=list)

    def __repr__(self) -> str:
        # Short: mkdocs-macros turns the whole MkDocs config, this included, into text on every build (for its
        # debug log); the dataclass default would write out every entry of the glossary.
        return f"BuildState({self.root}, {len(self.glossary.entries)} entries)"

    def source_name(self, src_uri: str) -> str:
        """How an author finds the page: the YAML file of an entry, else the file under the docs folder."""
        from .render import GLOSSARY_DIR

        if src_uri.startswith(f"{GLOSSARY_DIR}/") and src_uri.endswith(".md"):
            slug = src_uri[len(GLOSSARY_DIR) + 1:-3]
            if slug in self.glossary.entries:
                return self.glossary.entries[slug].path
        return f"{self.docs_name}/{src_uri}"


def build_state(config: Mapping[str, Any]) -> BuildState:
    """The ``BuildState`` of the build that ``config`` belongs to (set by ``site.on_config``)."""
    found = config.get(BUILD_KEY)
    if found is None:
        raise RuntimeError("the glossary hook (macros/hooks.py) is not enabled in mkdocs.yml")
    return found  # type: ignore[no-any-return]
