"""The real glossary, built and served, in a real browser: no tracking, nothing stored, a strict
Content-Security-Policy that breaks nothing, working offline search and tooltips, no
accessibility violation, and no broken link or anchor."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup

from macros.registry import Glossary

from . import gates
from .conftest import ROOT, ServedSite
from .gates import Finding

PAGE_TYPES = ["home", "a-z-index", "topics", "tag-page", "concept-low", "concept-moderate", "concept-high",
              "article", "about", "privacy", "not-found"]


def page_for(kind: str, site: ServedSite, glossary: Glossary) -> str:
    """A page of the given type in the built site."""
    fixed = {"home": "", "a-z-index": "glossary/", "topics": "tags/", "about": "about/", "privacy": "privacy/",
             "not-found": "404.html"}
    if kind in fixed:
        return fixed[kind]
    if kind == "tag-page":
        return next(p for p in site.pages if p.startswith("tags/") and p != "tags/")
    if kind == "article":
        return next(p for p in site.pages if p.startswith("articles/"))
    level = kind.removeprefix("concept-")
    entry = next(e for e in sorted(glossary.published(), key=lambda e: e.slug) if e.risk_level == level)
    return f"glossary/{entry.slug}/"


def first_term_link(site: ServedSite, page: str) -> tuple[str, str, str]:
    """The first term link in the page's content: (href, link text, the summary in its title)."""
    soup = BeautifulSoup(site.html(page), "html.parser")
    link = soup.select_one("article a.glossary-term[title]")
    assert link is not None, f"{page}: no term link (a.glossary-term) in the content"
    return str(link["href"]), link.get_text(strip=True), " ".join(str(link["title"]).split())


def summary_of(site: ServedSite, page: str) -> str:
    """An entry page's summary, as its <meta name="description"> states it."""
    meta = BeautifulSoup(site.html(page), "html.parser").find("meta", attrs={"name": "description"})
    return " ".join(str(meta["content"]).split()) if meta else ""


# -- the policy in the HTML ------------------------------------------------------

def test_every_page_carries_a_strict_policy_and_no_referrer(served: ServedSite) -> None:
    """Every built page has the CSP <meta> first in its head (default-src 'self', no 'unsafe-eval',
    each inline script allowed by its hash) and <meta name="referrer" content="no-referrer">."""
    assert len(served.pages) > 20
    findings = [f for page in served.pages for f in gates.policy_findings(served.html(page), page)]
    assert not findings, gates.report(findings)


# -- tracking, storage, policy violations: every page --------------------------------

def test_no_page_contacts_another_host_stores_anything_or_breaks_the_policy(browser: Any,
                                                                            served: ServedSite) -> None:
    """Each page, opened in turn like a reader would: no request leaves the origin, no cookie,
    nothing stored beyond the palette preference, no CSP violation, script error or failed request."""
    context = gates.new_context(browser)
    try:
        watch = gates.Watch(context, served.base_url)
        page = context.new_page()
        for path in served.pages:
            watch.visit(page, path)
        cookies = context.cookies()
    finally:
        context.close()
    assert not watch.findings, gates.report(watch.findings)
    assert cookies == []
    # The watch saw real traffic: every page, the theme's assets and the search index.
    assert {served.url(p) for p in served.pages} <= set(watch.requests)
    assert any(url.endswith("search/search_index.json") for url in watch.requests)


def test_policy_refuses_an_injected_inline_script(browser: Any, served: ServedSite) -> None:
    """The policy is enforced, not just present: an inline script added after the build (as an
    injection would be) does not run, and the violation is reported naming the page."""
    context = gates.new_context(browser)
    try:
        watch = gates.Watch(context, served.base_url)
        page = context.new_page()
        watch.visit(page, "about/")
        ran = page.evaluate("""() => {
          const script = document.createElement('script');
          script.textContent = 'window.__injected = true;';
          document.body.append(script);
          return window.__injected === true;
        }""")
        page.wait_for_timeout(100)
    finally:
        context.close()
    assert ran is False
    assert any(f.page == "about/" and f.gate == "CSP violation" and "script-src" in f.detail
               for f in watch.findings), gates.report(watch.findings)


# -- what a reader does ---------------------------------------------------------

def test_search_works_offline_by_term_and_by_alias(browser: Any, served: ServedSite, glossary: Glossary) -> None:
    """With the network cut after the page loaded, typing "dopamine" lists the dopamine entry first,
    and an alias (a name that is not the term) finds its entry; no request leaves the origin."""
    aliases = [(entry.slug, alias) for entry in sorted(glossary.published(), key=lambda e: e.slug)
               for alias in entry.aliases
               if " " not in alias and alias.lower() not in entry.term.lower()
               and not any(alias.lower() in other.term.lower() for other in glossary.published())][:3]
    assert aliases, "the glossary has no one-word alias to search for"
    context = gates.new_context(browser)
    try:
        watch = gates.Watch(context, served.base_url)
        page = context.new_page()
        watch.visit(page, "")
        context.set_offline(True)
        watch.where = "/ (searching, offline)"
        results = {"dopamine": gates.search(page, "dopamine", served.base_url)}
        for _, alias in aliases:
            results[alias] = gates.search(page, alias, served.base_url)
        watch.check_state(page)
    finally:
        context.close()
    assert results["dopamine"][:1] == ["glossary/dopamine/"], results["dopamine"]
    for slug, alias in aliases:
        assert f"glossary/{slug}/" in results[alias][:3], \
            f"searching {alias!r} did not list glossary/{slug}/ in the first three: {results[alias]}"
    assert not watch.findings, gates.report(watch.findings)


def test_term_links_show_the_summary_on_hover_and_on_keyboard_focus(browser: Any, served: ServedSite) -> None:
    """A term link shows the linked entry's summary in a tooltip when the pointer rests on it, and
    when a keyboard user reaches it with Tab."""
    page_path = next(p for p in served.pages if p.startswith("articles/"))
    href, text, title = first_term_link(served, page_path)
    target = _resolve(page_path, href)
    assert title == summary_of(served, target), f"{page_path}: the title of {href} is not {target}'s summary"
    context = gates.new_context(browser)
    try:
        watch = gates.Watch(context, served.base_url)
        page = context.new_page()
        watch.visit(page, page_path)
        link = page.locator("article a.glossary-term").first
        link.hover()
        on_hover = gates.wait_for_tooltip(page)
        page.mouse.move(0, 0)
        watch.visit(page, page_path)
        reached = False
        for _ in range(200):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.matches('article a.glossary-term')"):
                reached = True
                break
        focused_text = page.evaluate("document.activeElement.textContent.trim()")
        on_focus = gates.wait_for_tooltip(page)
        watch.check_state(page)
    finally:
        context.close()
    assert on_hover is not None and " ".join(on_hover.split()) == title, \
        f"{page_path}: hovering {text!r} showed {on_hover!r}"
    assert reached, f"{page_path}: Tab never reached a term link"
    assert focused_text == text
    assert on_focus is not None and " ".join(on_focus.split()) == title, \
        f"{page_path}: focusing {text!r} with the keyboard showed {on_focus!r}"
    assert not watch.findings, gates.report(watch.findings)


def _resolve(page: str, href: str) -> str:
    """The site path that relative ``href`` on ``page`` points to."""
    parts = [p for p in page.split("/") if p][: page.count("/")]
    for piece in href.split("#")[0].split("/"):
        if piece == "..":
            parts.pop()
        elif piece and piece != ".":
            parts.append(piece)
    return "/".join(parts) + "/"


def test_a_reader_session_leaves_nothing_behind(browser: Any, served: ServedSite) -> None:
    """Search, switch to dark and back, follow a cross-link, open a tooltip: still no request to
    another host, no cookie, no CSP violation, and nothing stored but the palette preference."""
    concept = "glossary/dopamine/"
    href, text, title = first_term_link(served, concept)
    context = gates.new_context(browser)
    try:
        watch = gates.Watch(context, served.base_url)
        page = context.new_page()
        watch.visit(page, "")
        watch.where = "/ (search)"
        found = gates.search(page, "dopamine", served.base_url)
        page.locator(".md-search-result__item > .md-search-result__link").first.click()
        page.wait_for_url("**/glossary/dopamine/**")
        watch.where = concept + " (palette)"
        schemes = [page.evaluate("document.body.dataset.mdColorScheme")]
        for _ in range(2):
            page.locator("form[data-md-component=palette] label.md-header__button:not([hidden])").click()
            page.wait_for_function("(s) => document.body.dataset.mdColorScheme !== s", arg=schemes[-1])
            schemes.append(page.evaluate("document.body.dataset.mdColorScheme"))
        watch.check_state(page)
        watch.where = concept + " (tooltip)"
        link = page.locator("article a.glossary-term").first
        link.hover()
        tooltip = gates.wait_for_tooltip(page, of=link)  # not the palette button's, which keeps the focus
        watch.where = concept + " (cross-link)"
        page.locator("article a.glossary-term").first.click()
        page.wait_for_load_state("networkidle")
        arrived = gates.page_of(page.url, served.base_url)
        heading = page.evaluate("""() => {
          const h1 = document.querySelector('article h1').cloneNode(true);
          h1.querySelectorAll('.headerlink').forEach((permalink) => permalink.remove());
          return h1.textContent.trim();
        }""")
        watch.where = arrived
        watch.check_state(page)
        storage = page.evaluate("Object.keys(localStorage)")
        cookies = context.cookies()
    finally:
        context.close()
    assert found[:1] == [concept]
    assert schemes == ["default", "slate", "default"]
    assert tooltip is not None and " ".join(tooltip.split()) == title
    # the link shows the term in sentence case in running text ("tyrosine"), the page's title as written
    assert arrived == _resolve(concept, href) and heading.strip().casefold() == text.casefold()
    assert not watch.findings, gates.report(watch.findings)
    assert cookies == []
    assert storage == [watch.allowed_local_key]


# -- accessibility -----------------------------------------------------------------

def axe_states(browser: Any, site: ServedSite, path: str, scheme: str) -> list[Finding]:
    """axe-core on ``path`` in one colour scheme: as loaded, with a term tooltip open (when the
    page has term links), and with the search dialog open on results."""
    context = gates.new_context(browser, color_scheme=scheme)
    findings: list[Finding] = []
    try:
        page = context.new_page()
        page.goto(site.url(path), wait_until="networkidle")
        gates.settle(page)
        findings += gates.axe_findings(page, f"{path or '/'} ({scheme})")
        if page.locator("article a.glossary-term").count():
            page.locator("article a.glossary-term").first.hover()
            gates.wait_for_tooltip(page)
            gates.settle(page)
            findings += gates.axe_findings(page, f"{path or '/'} ({scheme}, tooltip open)")
            page.mouse.move(0, 0)
        gates.search(page, "serotonin", site.base_url)
        gates.settle(page)
        findings += gates.axe_findings(page, f"{path or '/'} ({scheme}, search open)")
    finally:
        context.close()
    return findings


@pytest.mark.parametrize("kind", PAGE_TYPES)
def test_every_page_type_has_no_accessibility_violation(browser: Any, served: ServedSite, glossary: Glossary,
                                                        kind: str) -> None:
    """axe-core (WCAG 2.0/2.1/2.2 A and AA, plus landmark-one-main, region, heading-order,
    page-has-heading-one and aria-dialog-name) finds nothing, light and dark, with a tooltip and
    the search dialog open."""
    path = page_for(kind, served, glossary)
    findings = axe_states(browser, served, path, "light") + axe_states(browser, served, path, "dark")
    assert not findings, gates.report(findings)


# -- links ------------------------------------------------------------------------

def test_every_internal_link_and_anchor_resolves(served: ServedSite, linkchecker: None, tmp_path: Path) -> None:
    """LinkChecker, crawling the served site from every page, finds no broken link and no missing
    #anchor, in content, navigation and theme alike."""
    check = gates.link_findings(served.base_url, served.pages, tmp_path)
    assert not check.findings, gates.report(check.findings)
    checked = {row["url"] for row in check.rows if row.get("result", "").startswith("200")}
    assert {served.url(p) for p in served.pages} <= checked
    assert any("/assets/javascripts/" in url for url in checked)      # theme assets
    assert sum("#" in url for url in checked) > 100                   # anchors, each one checked


# -- the live preview -------------------------------------------------------------

def test_live_preview_keeps_live_reload_working_under_the_policy(browser: Any, tmp_path: Path) -> None:
    """`mkdocs serve` (what `make serve` runs) still reloads pages: its injected live-reload script
    runs, with no CSP violation and no request to another host."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    base_url = f"http://127.0.0.1:{port}/"
    log = (tmp_path / "serve.log").open("w", encoding="utf-8")
    server = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", "--dev-addr", f"127.0.0.1:{port}",
                               "--livereload"], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                              env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(base_url + "about/", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            assert server.poll() is None and time.monotonic() < deadline, (tmp_path / "serve.log").read_text()
            time.sleep(0.3)
        context = gates.new_context(browser)
        try:
            watch = gates.Watch(context, base_url)
            page = context.new_page()
            page.goto(base_url + "about/", wait_until="load")
            page.wait_for_timeout(300)
            reloading = page.evaluate("typeof window.livereload === 'function'")
            policy = page.evaluate("document.querySelector('meta[http-equiv=Content-Security-Policy]').content")
        finally:
            context.close()
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()
    assert reloading, "the live-reload script did not run in the preview"
    script_src = next(part.split()[1:] for part in policy.split(";") if part.split()[0] == "script-src")
    assert "'unsafe-inline'" not in script_src and any(s.startswith("'nonce-") for s in script_src), policy
    assert not watch.findings, gates.report(watch.findings)
