"""The MkDocs glue: the only module that imports MkDocs.

``hooks.py`` forwards MkDocs events here; ``define_env`` (in ``__init__``)
reads the same state to answer the macros. The core (loader, validate,
registry, render) stays free of MkDocs.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files

from .registry import Glossary, load_glossary
from .render import GLOSSARY_DIR, TAGS_DIR, Renderer, page_url

TEMPLATES = "overrides/glossary"


@dataclass
class SiteState:
    """What one build knows about the glossary."""

    root: Path
    docs_name: str
    glossary: Glossary
    renderer: Renderer


_state: SiteState | None = None


def state() -> SiteState:
    """The state of the current build (set by ``on_config``)."""
    if _state is None:
        raise RuntimeError("the glossary hook (macros/hooks.py) is not enabled in mkdocs.yml")
    return _state


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    """Load and validate the glossary; every problem stops the build, listed at once."""
    global _state
    root = Path(config.config_file_path).parent if config.config_file_path else Path.cwd()
    glossary, problems = load_glossary(root)
    if problems:
        for problem in problems:
            print(problem, file=sys.stderr)
        count = len(problems)
        raise PluginError(f"the glossary has {count} problem{'s' if count != 1 else ''} (listed above); "
                          "fix them and build again")
    templates = root / TEMPLATES
    docs_name = Path(config.docs_dir).name
    _state = SiteState(root=root, docs_name=docs_name, glossary=glossary, renderer=Renderer(glossary, templates))
    return config


def _page(config: MkDocsConfig, src_uri: str, meta: Mapping[str, object], body: str) -> File:
    front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=10_000)
    return File.generated(config, src_uri, content=f"---\n{front}---\n\n{body}\n")


def generated_files(config: MkDocsConfig) -> list[File]:
    """The pages the glossary adds: one per published entry, the A-Z index, the topic pages."""
    st = state()
    renderer = st.renderer
    pages = []
    for entry in st.glossary.published():
        meta = {"title": entry.term, "description": renderer.tooltip(entry),
                "glossary_entry": entry.slug, "search": {"boost": 2}}
        pages.append(_page(config, page_url(entry.slug), meta, f"{{{{ concept_page('{entry.slug}') }}}}"))
    pages.append(_page(config, f"{GLOSSARY_DIR}/index.md", {"title": "Glossary A–Z"},
                       "# Glossary A–Z\n\n{{ glossary_index() }}"))
    pages.append(_page(config, f"{TAGS_DIR}/index.md", {"title": "Topics"},
                       "# Topics\n\nEvery topic of the glossary, with its entries.\n\n{{ tag_index() }}"))
    for tag in sorted(st.glossary.tags):
        label = tag.replace("-", " ").capitalize()
        pages.append(_page(config, f"{TAGS_DIR}/{tag}.md", {"title": f"Topic: {label}"},
                           f"# Topic: {label}\n\n{{{{ tag_page('{tag}') }}}}"))
    return pages


def on_files(files: Files, config: MkDocsConfig) -> Files:
    """Add the generated pages; a hand-written page at a generated path is an error, never overwritten."""
    st = state()
    clashes = []
    for page in generated_files(config):
        existing = files.get_file_from_path(page.src_uri)
        if existing is not None:
            if page.src_uri in (f"{GLOSSARY_DIR}/index.md", f"{TAGS_DIR}/index.md"):
                continue  # an author's own index page wins; it can call the same macros
            clashes.append(f"{st.docs_name}/{page.src_uri}:1: (file): this page would hide the page generated "
                           "from the glossary; concept and topic pages are generated, so remove or rename it")
            continue
        files.append(page)
    if clashes:
        for clash in clashes:
            print(clash, file=sys.stderr)
        raise PluginError("hand-written pages clash with generated ones (listed above)")
    return files


def source_name(src_uri: str) -> str:
    """How an author finds the page: the YAML file of an entry, else the file under the docs folder."""
    st = state()
    if src_uri.startswith(f"{GLOSSARY_DIR}/") and src_uri.endswith(".md"):
        slug = src_uri[len(GLOSSARY_DIR) + 1:-3]
        if slug in st.glossary.entries:
            return st.glossary.entries[slug].path
    return f"{st.docs_name}/{src_uri}"
