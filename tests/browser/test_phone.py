"""The real site on a phone (390 x 844 CSS px, Chromium), light and dark: nothing scrolls sideways, the
concept map fits the screen with readable labels, concept and topic pages have a working table of
contents, the 'When to get help' box of every high-risk entry is within the first 1.5 screens, and axe
finds nothing."""

from __future__ import annotations

from typing import Any

import pytest

from macros.registry import Glossary

from . import gates
from .conftest import ServedSite
from .test_real_site import page_for  # the glossary fixture is the shared one (tests/conftest.py)

PHONE = {"width": 390, "height": 844}
SCHEMES = ["light", "dark"]

_OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const found = [];
  const page = document.documentElement.scrollWidth;
  if (page > width) found.push(`the page is ${page}px wide`);
  for (const element of document.querySelectorAll('.md-main *')) {
    const style = getComputedStyle(element);
    const box = element.getBoundingClientRect();
    if (box.width === 0 || style.visibility === 'hidden' || element.closest('.md-sidebar, .md-search')) continue;
    const classes = typeof element.className === 'string' ? element.className.trim().split(/\\s+/) : [];
    const name = element.tagName.toLowerCase() + (element.id ? '#' + element.id : '')
      + classes.map((c) => '.' + c).join('');
    if (box.right > width + 1 || box.left < -1)
      found.push(`${name} reaches ${Math.round(box.left)}..${Math.round(box.right)}px`);
    if (['auto', 'scroll'].includes(style.overflowX) && element.scrollWidth > element.clientWidth + 1)
      found.push(`${name} scrolls sideways (${element.scrollWidth}px in ${element.clientWidth}px)`);
  }
  return found.slice(0, 10);
}"""

_MAP = """() => [...document.querySelectorAll('svg.glossary-map')].map((svg) => {
  const box = svg.getBoundingClientRect();
  const label = svg.querySelector('a text');
  const scale = box.width / svg.viewBox.baseVal.width;
  return {left: box.left, right: box.right, font: parseFloat(getComputedStyle(label).fontSize) * scale};
})"""


def _phone(browser: Any, scheme: str) -> Any:
    return browser.new_context(viewport=PHONE, color_scheme=scheme, has_touch=True)


def _pages(site: ServedSite, glossary: Glossary) -> list[str]:
    kinds = ["home", "a-z-index", "topics", "tag-page", "concept-low", "concept-moderate", "concept-high",
             "article", "about", "privacy", "not-found"]
    return [page_for(kind, site, glossary) for kind in kinds] + ["get-help/", "pathways/", "glossary/gaba/",
                                                                 "glossary/serotonin-syndrome/"]


@pytest.mark.parametrize("scheme", SCHEMES)
def test_no_page_scrolls_sideways_and_maps_fit_the_screen(browser: Any, served: ServedSite,
                                                          glossary: Glossary, scheme: str) -> None:
    """At 390 px nothing is wider than the screen or scrolls sideways inside the page, and every drawing
    fits the width with labels of 12 px or more; no request leaves the site, no script or CSP error."""
    context = _phone(browser, scheme)
    problems: list[str] = []
    maps = 0
    try:
        watch = gates.Watch(context, served.base_url)
        page = context.new_page()
        for path in _pages(served, glossary):
            watch.visit(page, path)
            problems += [f"{path or '/'} ({scheme}): {p}" for p in page.evaluate(_OVERFLOW)]
            for drawing in page.evaluate(_MAP):
                maps += 1
                if drawing["left"] < 0 or drawing["right"] > PHONE["width"]:
                    problems.append(f"{path} ({scheme}): a map reaches {drawing['left']:.0f}..{drawing['right']:.0f}px")
                if drawing["font"] < 12:
                    problems.append(f"{path} ({scheme}): map labels drawn at {drawing['font']:.1f}px")
    finally:
        context.close()
    assert maps >= 3, "the pages checked should include concept maps and pathways"
    assert problems == [], "\n".join(problems)
    assert not watch.findings, gates.report(watch.findings)


@pytest.mark.parametrize("scheme", SCHEMES)
def test_concept_and_topic_pages_have_a_working_table_of_contents(browser: Any, served: ServedSite,
                                                                  glossary: Glossary, scheme: str) -> None:
    """On a phone, the menu of a concept page and of a topic page holds the page's table of contents:
    opening it lists the page's sections, and following one scrolls to it."""
    topic = page_for("tag-page", served, glossary)
    context = _phone(browser, scheme)
    try:
        page = context.new_page()
        for path, section in [("glossary/serotonin-syndrome/", "Risk"), (topic, None)]:
            page.goto(served.url(path), wait_until="networkidle")
            headings = page.eval_on_selector_all("article h2", "hs => hs.map((h) => h.id)")
            page.locator("label.md-header__button[for=__drawer]").click()
            page.locator(".md-nav--primary label.md-nav__link[for=__toc]").click()
            page.wait_for_timeout(400)  # the menu slides in
            shown = page.evaluate("""() => [...document.querySelectorAll('.md-nav--primary .md-nav--secondary a')]
              .filter((a) => { const b = a.getBoundingClientRect(); return b.width > 0 && b.left >= 0
                                && b.right <= innerWidth; })
              .map((a) => a.getAttribute('href'))""")
            assert shown == [f"#{h}" for h in headings] and shown, f"{path} ({scheme}): {shown} vs {headings}"
            if section:
                page.locator(".md-nav--primary .md-nav--secondary a", has_text=section).first.click()
                page.wait_for_timeout(400)
                top = page.evaluate("document.getElementById('risk').getBoundingClientRect().top")
                assert 0 <= top < PHONE["height"] / 2, f"{path}: following 'Risk' left the heading at {top}px"
    finally:
        context.close()


@pytest.mark.parametrize("scheme", SCHEMES)
def test_help_box_of_every_high_risk_entry_is_within_the_first_screens(browser: Any, served: ServedSite,
                                                                       glossary: Glossary,
                                                                       scheme: str) -> None:
    """Every high-risk entry shows 'When to get help' with its emergency signs, a link to its Risk section
    and one to Get help now, starting within the first 1.5 screens of a phone."""
    high = sorted(e.slug for e in glossary.published() if e.risk_level == "high")
    assert "serotonin-syndrome" in high and "gaba" in high
    context = _phone(browser, scheme)
    late = []
    try:
        page = context.new_page()
        for slug in high:
            page.goto(served.url(f"glossary/{slug}/"), wait_until="load")
            box = page.evaluate("""() => { const box = document.querySelector('article .glossary-help');
              return box && {top: box.getBoundingClientRect().top + scrollY, text: box.innerText,
                             links: [...box.querySelectorAll('a')].map((a) => a.getAttribute('href'))}; }""")
            assert box, f"glossary/{slug}/: no 'When to get help' box"
            assert box["text"].startswith("When to get help"), box["text"][:80]
            assert "#risk" in box["links"] and "../../get-help/" in box["links"], box["links"]
            if box["top"] > 1.5 * PHONE["height"]:
                late.append(f"{slug}: {box['top']:.0f}px")
    finally:
        context.close()
    assert late == [], f"help box below 1.5 screens ({1.5 * PHONE['height']:.0f}px): {late}"


@pytest.mark.parametrize("scheme", SCHEMES)
def test_phone_pages_have_no_accessibility_violation(browser: Any, served: ServedSite, glossary: Glossary,
                                                     scheme: str) -> None:
    """axe-core (the same rules as on the desktop, label-content-name-mismatch included) finds nothing on a
    high-risk concept page and a topic page at phone size, with the menu and its table of contents open too."""
    findings = []
    context = _phone(browser, scheme)
    try:
        page = context.new_page()
        for path in ["glossary/serotonin-syndrome/", page_for("tag-page", served, glossary)]:
            page.goto(served.url(path), wait_until="networkidle")
            gates.settle(page)
            findings += gates.axe_findings(page, f"{path} (phone, {scheme})")
            page.locator("label.md-header__button[for=__drawer]").click()
            page.locator(".md-nav--primary label.md-nav__link[for=__toc]").click()
            page.wait_for_timeout(400)
            gates.settle(page)
            findings += gates.axe_findings(page, f"{path} (phone, {scheme}, table of contents open)")
    finally:
        context.close()
    assert not findings, gates.report(findings)
