"""Printing: a concept page or article prints as its content, with the risk callout and the disclaimer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import tinycss2
from conftest import ROOT

CSS = ROOT / "content/assets/glossary.css"
#: The site's chrome, none of which belongs on paper: header (with the palette toggle and search),
#: tabs, both sidebars (navigation and table of contents), footer navigation, back-to-top, permalinks.
CHROME = [".md-header", ".md-tabs", ".md-sidebar", ".md-search", ".md-header__option", ".md-footer", ".md-top",
          ".headerlink"]
KEPT = ["risk-callout", "medical-disclaimer", "glossary-map"]
ARTICLE = "articles/benzodiazepine-withdrawal-neurotransmitters/index.html"


def _print_rules() -> list[tuple[str, dict[str, str]]]:
    """``(selector, {property: value})`` for every rule inside ``@media print`` of glossary.css."""
    sheet = tinycss2.parse_stylesheet(CSS.read_text(encoding="utf-8"), skip_comments=True, skip_whitespace=True)
    rules = []
    for block in sheet:
        if block.type == "error":
            pytest.fail(f"{CSS.name}: CSS syntax error: {block.message}")
        if block.type != "at-rule" or block.lower_at_keyword != "media" \
                or "print" not in tinycss2.serialize(block.prelude):
            continue
        for rule in tinycss2.parse_rule_list(block.content, skip_comments=True, skip_whitespace=True):
            declarations = tinycss2.parse_declaration_list(rule.content, skip_comments=True, skip_whitespace=True)
            values = {d.lower_name: tinycss2.serialize(d.value).strip()
                      for d in declarations if d.type == "declaration"}
            for selector in tinycss2.serialize(rule.prelude).split(","):
                rules.append((" ".join(selector.split()), values))
    return rules


def test_print_css_hides_the_chrome() -> None:
    """Every piece of the site's chrome is display: none in print."""
    hidden = {selector for selector, values in _print_rules() if values.get("display", "").startswith("none")}
    for chrome in CHROME:
        assert any(selector.split()[-1] == chrome for selector in hidden), f"{chrome} still prints"


def test_print_css_keeps_the_risk_callout_and_disclaimer() -> None:
    """No print rule hides the risk callout, the disclaimer or the maps; the first two never split."""
    rules = _print_rules()
    for selector, values in rules:
        if values.get("display", "").startswith("none"):
            assert not any(kept in selector for kept in KEPT), selector
    kept = {selector.split()[-1]: values for selector, values in rules}
    for name in (".risk-callout", ".medical-disclaimer"):
        assert kept[name].get("break-inside") == "avoid"
        assert not kept[name].get("display", "block").startswith("none")


def test_print_css_shows_external_addresses() -> None:
    """External links are followed by their address on paper; the reference list, which already shows DOIs
    and addresses, is not doubled."""
    rules = _print_rules()
    after = {selector: values["content"] for selector, values in rules if "content" in values}
    assert after['.md-typeset a[href^="https://"]::after'] == '" (" attr(href) ")"'
    assert after['.md-typeset a[href^="http://"]::after'] == '" (" attr(href) ")"'
    assert after[".md-typeset h2#references + ol a::after"] == "none"


# -- in a browser: what the printer receives -----------------------------------------------------

_PRINTED = """() => {
  const shown = el => el && getComputedStyle(el).display !== 'none' && el.getClientRects().length > 0;
  const chrome = ['.md-header', '.md-sidebar--primary', '.md-sidebar--secondary', '.md-search',
                  '.md-footer', '.md-top', '[data-md-component=palette]', '.headerlink'];
  return {
    text: document.body.innerText,
    chrome: chrome.filter(s => [...document.querySelectorAll(s)].some(shown)),
    callout: shown(document.querySelector('.risk-callout')),
    disclaimer: shown(document.querySelector('.medical-disclaimer')),
    map: shown(document.querySelector('svg.glossary-map')),
    external: [...document.querySelectorAll('article a[href^="http"]')].map(a => ({
      href: a.getAttribute('href'), after: getComputedStyle(a, '::after').content})),
  };
}"""


@pytest.mark.parametrize("path", ["glossary/dopamine/index.html", ARTICLE])
def test_pages_print_without_chrome_and_with_warnings(browser: Any, real_site: Path, path: str) -> None:
    """In print media a concept page and the article show their content, risk callout and disclaimer, and
    none of the navigation, search, header, footer or permalink anchors; a PDF of the page can be made."""
    def check(chromium: Any) -> None:
        page = chromium.new_page(viewport={"width": 1280, "height": 900})
        try:
            page.goto((real_site / path).as_uri())
            screen = page.evaluate(_PRINTED)
            assert ".md-header" in screen["chrome"] and ".md-sidebar--primary" in screen["chrome"]  # visible on screen
            page.emulate_media(media="print")
            printed = page.evaluate(_PRINTED)
            assert printed["chrome"] == []
            assert printed["callout"] and printed["disclaimer"]
            assert "Risk level:" in printed["text"] and "Not medical advice" in printed["text"]
            assert "Table of contents" not in printed["text"]
            assert "¶" not in printed["text"]
            assert "Glossary A–Z" not in printed["text"]
            if "glossary/" in path:
                assert printed["map"]
            pdf = page.pdf(format="A4")
            assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
        finally:
            page.close()

    check(browser)


def test_external_links_print_their_address(browser: Any, real_site: Path) -> None:
    """The article's sources print as 'title (https://...)'; a concept page's DOI links are not repeated."""
    def check(chromium: Any) -> None:
        page = chromium.new_page()
        try:
            page.goto((real_site / ARTICLE).as_uri())
            page.emulate_media(media="print")
            links = page.evaluate(_PRINTED)["external"]
            nice = [link for link in links if link["href"] == "https://www.nice.org.uk/guidance/ng215"]
            assert nice and nice[0]["after"] == '" (https://www.nice.org.uk/guidance/ng215)"'
            page.goto((real_site / "glossary/dopamine/index.html").as_uri())
            page.emulate_media(media="print")
            dois = [link for link in page.evaluate(_PRINTED)["external"]
                    if link["href"].startswith("https://doi.org/")]
            assert dois and all(link["after"] in ("none", "normal") for link in dois)
        finally:
            page.close()

    check(browser)
