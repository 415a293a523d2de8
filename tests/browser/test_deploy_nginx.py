"""The production build (`make dist`) served through a real nginx (`make preview-dist`), in Chromium:
the header CSP and the meta CSP together break nothing, nothing leaves the origin, responses are
compressed, a missing page is our 404, and another site cannot frame ours."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import preview_dist  # tests/conftest.py

from . import gates
from .conftest import ROOT

PUBLIC = "https://glossary.example.org/"


@pytest.fixture(scope="module")
def nginx_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, list[str]]]:
    """A copy of the real project after ``SITE_URL=https://glossary.example.org/ make dist``, served by nginx."""
    project = tmp_path_factory.mktemp("dist-real") / "project"
    project.mkdir()
    shutil.copy2(ROOT / "mkdocs.yml", project / "mkdocs.yml")
    for folder in ("content", "glossary"):
        shutil.copytree(ROOT / folder, project / folder)
    for folder in ("macros", "overrides"):
        (project / folder).symlink_to(ROOT / folder, target_is_directory=True)
    env = {**os.environ, "SITE_URL": PUBLIC, "PYTHONPATH": str(ROOT), "NO_MKDOCS_2_WARNING": "1"}
    result = subprocess.run([sys.executable, "-m", "macros", "dist"], cwd=project, env=env, capture_output=True,
                            text=True, timeout=600, check=False)
    if result.returncode != 0:
        pytest.fail(f"make dist failed on the real site:\n{result.stdout}\n{result.stderr}", pytrace=False)
    with preview_dist(project) as base_url:
        yield base_url, gates.site_pages(project / "site")


def test_every_page_through_nginx_keeps_the_gates(browser: Any, nginx_site: tuple[str, list[str]]) -> None:
    """Every page, served by nginx with the header policy on top of the meta policy: no CSP violation,
    no request to another host, no failed request for any page, asset or search index (the link gate
    as nginx answers it), no cookie, nothing stored but the palette; every HTML response carries the
    header CSP with frame-ancestors and arrives compressed; a missing page is our 404 page."""
    base_url, pages = nginx_site
    context = gates.new_context(browser)
    html_headers: dict[str, dict[str, str]] = {}

    def record(response: Any) -> None:
        if response.headers.get("content-type", "").startswith("text/html"):
            html_headers[response.url] = response.headers

    try:
        watch = gates.Watch(context, base_url)
        context.on("response", record)
        page = context.new_page()
        for path in pages:
            if path != "404.html":  # served as the error page below
                watch.visit(page, path)
        watch.where = "missing page"
        answer = page.goto(base_url + "no/such/page/", wait_until="networkidle")
        not_found = (answer.status if answer else 0, page.inner_text("h1"))
        watch.check_state(page)
        cookies = context.cookies()
    finally:
        context.close()
    assert not [f for f in watch.findings if not (f.page == "missing page" and "HTTP 404" in f.detail)], \
        gates.report(watch.findings)
    assert cookies == []
    assert not_found[0] == 404 and "404" in not_found[1], not_found
    assert len(html_headers) >= len(pages) - 1
    for url, headers in html_headers.items():
        assert headers.get("content-security-policy", "").endswith("frame-ancestors 'none'"), url
        assert headers.get("x-content-type-options") == "nosniff", url
        assert headers.get("content-encoding") == "gzip", url


def test_another_site_cannot_frame_ours(browser: Any, nginx_site: tuple[str, list[str]],
                                        tmp_path: Path) -> None:
    """A page on another origin that puts ours in an <iframe> gets nothing: the browser refuses to
    render it (frame-ancestors 'none', X-Frame-Options: DENY)."""
    base_url, _pages = nginx_site
    (tmp_path / "index.html").write_text(
        f'<!doctype html><title>other site</title><iframe id="f" src="{base_url}about/"></iframe>',
        encoding="utf-8")
    messages: list[str] = []
    context = gates.new_context(browser)
    try:
        with gates.serve(tmp_path) as other:
            assert gates.origin(other) != gates.origin(base_url)
            page = context.new_page()
            page.on("console", lambda message: messages.append(message.text))
            page.goto(other, wait_until="networkidle")
            page.wait_for_timeout(300)
            framed = [frame for frame in page.frames if frame != page.main_frame]
            rendered = [frame.evaluate("document.title") if not frame.url.startswith("chrome-error")
                        else "" for frame in framed]
    finally:
        context.close()
    assert framed, "the iframe was not created"
    assert all("Neurotransmitter Glossary" not in title for title in rendered), rendered
    assert any("frame-ancestors" in m or "X-Frame-Options" in m for m in messages), messages
