"""macros/ahead.py: a large build renders and secures pages on other CPUs, and builds exactly the same site.

Timing belongs to ``make bench`` (BENCHMARKS.md); these tests check that the work really moves to the workers,
that the site is byte-for-byte what one process builds, and that every error still stops the build.
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

import pytest
from conftest import build, checksums

from bench.synth import make_project

pytestmark = pytest.mark.skipif(not hasattr(os, "sched_getaffinity") or not hasattr(os, "fork"),
                                reason="workers are forked on Linux only")


@pytest.fixture
def forking(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fork as a single-threaded process does (a browser test earlier in the run may have left a thread), on
    at least two CPUs."""
    monkeypatch.setattr(threading, "active_count", lambda: 1)
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0, 1})


@pytest.fixture(scope="module")
def large(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A glossary just over the size where a build uses workers (``parallel.PARALLEL_MIN``)."""
    from macros.parallel import PARALLEL_MIN
    return make_project(tmp_path_factory.mktemp("ahead") / "project", PARALLEL_MIN + 20)


@pytest.fixture
def renders_here(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The pages MkDocs' ``Page.render`` converted in this process (a forked worker counts in its own copy)."""
    from mkdocs.structure.pages import Page
    here, parent, original = [], os.getpid(), Page.render

    def render(page: Page, config: object, files: object) -> None:
        if os.getpid() == parent:
            here.append(page.file.src_uri)
        original(page, config, files)

    monkeypatch.setattr(Page, "render", render)
    return here


def _copy(project: Path, dest: Path) -> Path:
    import shutil
    shutil.copytree(project, dest, symlinks=True)
    return dest


def _another_plugin(project: Path) -> None:
    """A second hook file with an ``on_page_content`` handler, as many plugins have: pages must then be complete
    after MkDocs' render, so they are rendered ahead rather than streamed."""
    (project / "other_hook.py").write_text("def on_page_content(html, **kwargs):\n    return html\n", encoding="utf-8")
    config = (project / "mkdocs.yml").read_text(encoding="utf-8")
    (project / "mkdocs.yml").write_text(config.replace("hooks:\n", "hooks:\n  - other_hook.py\n", 1), encoding="utf-8")


def _peek_at_the_navigation(project: Path) -> None:
    """A hook that writes how long the A-Z page's HTML is when MkDocs builds its first page (a page context handler
    that runs after the glossary's first one, so the pages are still streamed), and how many written pages are not
    yet secured when its ``on_post_build`` reads them."""
    (project / "peek_hook.py").write_text(
        "import pathlib\n"
        "def on_page_context(context, page, config, nav):\n"
        "    out = pathlib.Path(config.config_file_path).parent / 'peek.txt'\n"
        "    if not out.exists():\n"
        "        a_z = next(p for p in nav.pages if p.file.src_uri == 'glossary/index.md')\n"
        "        out.write_text(str(len(a_z.content or '')))\n"
        "    return context\n"
        "def on_post_build(config):\n"  # as a plugin that reads the written pages would
        "    pages = list(pathlib.Path(config.site_dir).rglob('*.html'))\n"
        "    bare = [p for p in pages if 'Content-Security-Policy' not in p.read_text(encoding='utf-8')]\n"
        "    out = pathlib.Path(config.config_file_path).parent / 'peek-post.txt'\n"
        "    out.write_text(f'{len(pages)} {len(bare)}')\n",
        encoding="utf-8")
    config = (project / "mkdocs.yml").read_text(encoding="utf-8")
    (project / "mkdocs.yml").write_text(config.replace("hooks:\n", "hooks:\n  - peek_hook.py\n", 1), encoding="utf-8")


@pytest.mark.slow
@pytest.mark.usefixtures("forking")
def test_a_large_build_is_the_same_streamed_rendered_ahead_and_in_one_process(
        large: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, renders_here: list[str]) -> None:
    def generated(rendered: list[str]) -> int:  # concept, A-Z and topic pages
        return sum(1 for src in rendered if src.startswith(("glossary/", "tags/")))

    project = _copy(large, tmp_path / "streamed")
    _peek_at_the_navigation(project)
    streamed = build(project)
    assert streamed.ok, streamed.output
    assert int((project / "peek.txt").read_text()) > 10_000  # the A-Z page was complete before any page was built
    pages, bare = map(int, (project / "peek-post.txt").read_text().split())
    assert pages > 500 and bare == 0  # and every page secured before other plugins' on_post_build
    in_streamed = list(renders_here)
    renders_here.clear()

    other = _copy(large, tmp_path / "ahead")
    _another_plugin(other)
    ahead = build(other)
    assert ahead.ok, ahead.output
    in_ahead = list(renders_here)
    renders_here.clear()

    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0})  # one CPU: MkDocs renders every page itself
    alone = build(_copy(large, tmp_path / "alone"))
    assert alone.ok, alone.output

    assert checksums(streamed.site) == checksums(alone.site) == checksums(ahead.site)
    every = generated(renders_here)
    assert every > len(list((large / "glossary").glob("[!_]*.yaml")))  # one process: all of them, and the rest
    # streamed: this process rendered only the hand-written pages; rendered ahead: about half of the generated ones
    assert generated(in_streamed) == 0 and len(in_streamed) == len(renders_here) - every
    assert every // 3 < generated(in_ahead) < 2 * every // 3
    page = (streamed.site / "glossary" / "index.html").read_text(encoding="utf-8")
    assert 'http-equiv="Content-Security-Policy"' in page  # secured
    assert "\n  " not in page.split("<body", 1)[1]  # and compacted (no template indentation)


@pytest.mark.slow
@pytest.mark.usefixtures("forking")
def test_inline_code_found_by_the_securing_worker_still_stops_the_build_and_names_the_page(
        large: Path, tmp_path: Path) -> None:
    project = _copy(large, tmp_path / "hostile")
    about = project / "content" / "about.md"
    about.write_text(about.read_text(encoding="utf-8") + "\n<script>alert('hi')</script>\n", encoding="utf-8")
    result = build(project)
    assert not result.ok
    assert "content/about.md" in result.output and "alert('hi')" in result.output
    assert "code that no template writes" in result.output


def test_a_page_rendered_elsewhere_logs_its_warnings_when_mkdocs_renders_it(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """MkDocs' link warnings from a worker are logged (and counted by --strict) where MkDocs renders the page;
    links to another page's anchors still reach MkDocs' anchor check."""
    from mkdocs.config import load_config
    from mkdocs.structure.files import File, Files
    from mkdocs.structure.pages import Page

    from macros.mkdocs_compat import fill_rendered, no_current_plugin, render_ahead, render_later, use_rendered

    (tmp_path / "docs").mkdir()
    (tmp_path / "mkdocs.yml").write_text("site_name: t\nvalidation:\n  anchors: warn\n", encoding="utf-8")
    config = load_config(str(tmp_path / "mkdocs.yml"))
    no_current_plugin(config.plugins)  # files made outside a plugin event
    text = "# One\n\nSee [nowhere](missing.md) and [two](two.md#nope).\n"
    one = File.generated(config, "one.md", content=text)
    two = File.generated(config, "two.md", content="# Two\n\n## Here\n")
    files = Files([one, two])
    with caplog.at_level(logging.INFO, logger="mkdocs"):
        rendered = render_ahead(one, config, files)
        assert not caplog.records  # kept, not logged, where it was rendered
        assert any("missing.md" in message for _name, _level, message in rendered.records)
        assert rendered.links_to_anchors == {"two.md": {"nope": "two.md#nope"}}

        for keep in (use_rendered, None):
            caplog.clear()
            page = Page(None, one, config)
            page.read_source(config)
            if keep is not None:
                use_rendered(page, rendered, files)
                page.render(config, files)
            else:
                render_later(page)
                page.render(config, files)
                assert page.content == "" and not caplog.records
                assert fill_rendered(page, rendered, config, files)
            assert page.content == rendered.content and "nowhere" in page.content
            assert [r.levelno for r in caplog.records if "missing.md" in r.getMessage()] == [logging.WARNING]
            other = Page(None, two, config)
            other.read_source(config)
            other.render(config, files)
            caplog.clear()
            page.validate_anchor_links(files=files, log_level=logging.WARNING)
            assert any("nope" in r.getMessage() for r in caplog.records)

        page = Page(None, one, config)
        page.read_source(config)
        page.markdown = text.replace("nowhere", "somewhere")  # a plugin changed the page after it was rendered
        render_later(page)
        page.render(config, files)
        assert not fill_rendered(page, rendered, config, files)
        assert "somewhere" in page.content  # rendered again by MkDocs, from what the page now says
