"""Structured data and sharing: schema.org JSON-LD, meta description, Open Graph, canonical URLs, sitemap."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup
from conftest import FIXTURE_SITE, ROOT, SITE_URL

from macros.registry import Glossary
from macros.render import Renderer

TRICKY_SUMMARY = ("A made-up messenger `</script><script>alert(1)</script>` & \"quoted\" 'single' text; "
                  "it links to [[beta]].")
TRICKY_PLAIN = ("A made-up messenger </script><script>alert(1)</script> & \"quoted\" 'single' text; "
                "it links to beta precursor.")
TRICKY_ALIASES = ["Alphamine", 'Tom & "Jerry"']


def _soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def _jsonld(soup: BeautifulSoup) -> list[Any]:
    """Every JSON-LD block of a page, parsed (a block that is not JSON fails the test)."""
    return [json.loads(s.string) for s in soup.find_all("script", type="application/ld+json")]


def _by_type(block: dict[str, Any]) -> dict[str, dict[str, Any]]:
    nodes = block.get("@graph", [block])
    return {node["@type"]: node for node in nodes}


def _meta(soup: BeautifulSoup, **attrs: str) -> str | None:
    tag = soup.find("meta", attrs=attrs)
    return tag["content"] if tag else None


@pytest.fixture(scope="module")
def renderer(glossary: Glossary) -> Renderer:
    """The renderer, for the plain-text summaries the pages use as descriptions."""
    return Renderer(glossary, ROOT / "overrides/glossary")


def test_every_concept_page_describes_its_entry_as_a_defined_term(real_site: Path, glossary: Glossary,
                                                                  renderer: Renderer) -> None:
    """Each concept page has one JSON-LD block: a DefinedTerm with the entry's name, summary, aliases and set,
    and a MedicalWebPage whose lastReviewed is the entry's review date; URLs are the canonical ones."""
    set_id = f"{SITE_URL}glossary/#glossary"
    for entry in glossary.published():
        url = f"{SITE_URL}glossary/{entry.slug}/"
        soup = _soup(real_site / "glossary" / entry.slug / "index.html")
        assert soup.find("link", rel="canonical")["href"] == url
        blocks = _jsonld(soup)
        assert len(blocks) == 1, entry.path
        assert blocks[0]["@context"] == "https://schema.org"
        nodes = _by_type(blocks[0])
        term, page = nodes["DefinedTerm"], nodes["MedicalWebPage"]
        assert term["name"] == entry.term
        assert term["description"] == renderer.tooltip(entry)
        assert term.get("alternateName", []) == entry.aliases
        assert term["url"] == url and term["termCode"] == entry.slug
        assert term["inDefinedTermSet"]["@id"] == set_id
        assert term["inDefinedTermSet"]["url"] == f"{SITE_URL}glossary/"
        assert page["url"] == url and page["lastReviewed"] == entry.reviewed.isoformat()
        assert page["mainEntity"] == {"@id": term["@id"]}
        assert page["isPartOf"]["url"] == SITE_URL


def test_a_to_z_page_is_the_defined_term_set(real_site: Path, glossary: Glossary, renderer: Renderer) -> None:
    """The A-Z page's JSON-LD is the DefinedTermSet, listing every published entry with its page."""
    blocks = _jsonld(_soup(real_site / "glossary/index.html"))
    assert len(blocks) == 1
    termset = blocks[0]
    assert termset["@type"] == "DefinedTermSet" and termset["@id"] == f"{SITE_URL}glossary/#glossary"
    assert termset["name"] == "Neurotransmitter Glossary"
    listed = {t["termCode"]: t for t in termset["hasDefinedTerm"]}
    assert sorted(listed) == sorted(e.slug for e in glossary.published())
    for entry in glossary.published():
        assert listed[entry.slug]["name"] == entry.term
        assert listed[entry.slug]["@id"] == f"{SITE_URL}glossary/{entry.slug}/#term"
        assert listed[entry.slug]["description"] == renderer.tooltip(entry)


def test_meta_description_and_open_graph_come_from_the_summary(real_site: Path, glossary: Glossary,
                                                               renderer: Renderer) -> None:
    """The description and Open Graph tags hold the whole summary, quotation marks included."""
    quoted = [e for e in glossary.published() if '"' in renderer.tooltip(e)]
    assert quoted, "the real glossary has summaries with quotation marks; they must survive"
    for entry in glossary.published():
        soup = _soup(real_site / "glossary" / entry.slug / "index.html")
        summary = renderer.tooltip(entry)
        assert _meta(soup, name="description") == summary, entry.path
        assert _meta(soup, property="og:description") == summary
        assert _meta(soup, property="og:title") == entry.term
        assert _meta(soup, property="og:type") == "article"
        assert _meta(soup, property="og:url") == f"{SITE_URL}glossary/{entry.slug}/"
        assert _meta(soup, property="og:site_name") == "Neurotransmitter Glossary"


def test_every_page_has_valid_head_data_and_no_outside_images(real_site: Path) -> None:
    """Every page: JSON-LD blocks parse, canonical and og:url are under site_url, and no og:image is set."""
    pages = list(real_site.rglob("*.html"))
    assert len(pages) > 60
    for html in pages:
        if html.name == "404.html":
            continue
        soup = _soup(html)
        _jsonld(soup)
        canonical = soup.find("link", rel="canonical")["href"]
        assert canonical.startswith(SITE_URL), html
        assert _meta(soup, property="og:url") == canonical
        assert _meta(soup, property="og:title")
        assert soup.find("meta", attrs={"property": re.compile("image")}) is None
        assert soup.find("meta", attrs={"name": re.compile("^twitter:image")}) is None
    home = _soup(real_site / "index.html")
    assert _meta(home, property="og:type") == "website"
    assert _meta(home, property="og:title") == "Neurotransmitter Glossary"


def test_sitemap_lists_every_page_under_site_url(real_site: Path, glossary: Glossary) -> None:
    """sitemap.xml gives the absolute URL of every page, each of which exists in the built site."""
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    root = ET.parse(real_site / "sitemap.xml").getroot()
    locs = [loc.text for loc in root.findall("s:url/s:loc", ns)]
    assert len(locs) == len(set(locs))
    for slug in [e.slug for e in glossary.published()]:
        assert f"{SITE_URL}glossary/{slug}/" in locs
    for page in ["", "glossary/", "pathways/", "tags/", "about/"]:
        assert f"{SITE_URL}{page}" in locs
    for loc in locs:
        assert loc.startswith(SITE_URL)
        assert (real_site / loc[len(SITE_URL):] / "index.html").exists(), loc


def test_site_url_defaults_to_the_local_preview_address(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without SITE_URL the site's address is the `make serve` one; with it, the given one."""
    from mkdocs.config import load_config

    monkeypatch.delenv("SITE_URL", raising=False)
    assert load_config(str(ROOT / "mkdocs.yml")).site_url == "http://127.0.0.1:8000/"
    monkeypatch.setenv("SITE_URL", "https://glossary.example/")
    assert load_config(str(ROOT / "mkdocs.yml")).site_url == "https://glossary.example/"


def test_entry_text_cannot_break_out_of_the_head(site_factory) -> None:
    """A summary with </script>, markup, & and quotes, and an alias with & and quotes, come out exactly as
    written in the JSON-LD, the description and Open Graph tags, and never close the script element."""
    alpha = (FIXTURE_SITE / "glossary/alpha.yaml").read_text(encoding="utf-8")
    alpha = re.sub(r"^summary: >-\n(  .*\n)+", lambda m: f"summary: {json.dumps(TRICKY_SUMMARY)}\n", alpha,
                   flags=re.M)
    alpha = alpha.replace("aliases: [Alphamine]", f"aliases: {json.dumps(TRICKY_ALIASES)}")
    config = (FIXTURE_SITE / "mkdocs.yml").read_text(encoding="utf-8") + f"site_url: {SITE_URL}\n"
    result = site_factory({"glossary/alpha.yaml": alpha, "mkdocs.yml": config})
    assert result.ok, result.output
    raw = (result.site / "glossary/alpha/index.html").read_text(encoding="utf-8")
    soup = BeautifulSoup(raw, "html.parser")
    scripts = soup.find_all("script")
    assert not [s for s in scripts if "alert(1)" in (s.string or "") and s.get("type") != "application/ld+json"]
    block = soup.find("script", type="application/ld+json")
    assert "</" not in block.string and "<" not in block.string
    term = _by_type(json.loads(block.string))["DefinedTerm"]
    assert term["description"] == TRICKY_PLAIN
    assert term["alternateName"] == TRICKY_ALIASES
    assert _meta(soup, name="description") == TRICKY_PLAIN
    assert _meta(soup, property="og:description") == TRICKY_PLAIN
    termset = json.loads(result.html("glossary/index.html").find("script", type="application/ld+json").string)
    assert {t["termCode"]: t["description"] for t in termset["hasDefinedTerm"]}["alpha"] == TRICKY_PLAIN
    # Beta's Related list (HTML written by the build, not by Markdown) shows Alpha's summary as the tooltip
    # of its link, as text.
    related = result.html("glossary/beta/index.html").find("ul", class_="glossary-related")
    tips = [a["title"] for a in related.find_all("a")]
    assert TRICKY_PLAIN in tips
    assert "<script>" not in str(related).replace("&lt;script&gt;", "")


def test_relative_urls_in_json_ld_without_site_url(fixture_build) -> None:
    """A site without site_url still gets valid JSON-LD, with URLs relative to the page."""
    soup = fixture_build.html("glossary/alpha/index.html")
    nodes = _by_type(_jsonld(soup)[0])
    assert nodes["DefinedTerm"]["url"] == "./"
    assert nodes["DefinedTerm"]["inDefinedTermSet"]["url"] == "../"
    assert nodes["MedicalWebPage"]["lastReviewed"] == "2026-11-01"
    assert _meta(soup, property="og:url") is None   # Open Graph needs an absolute URL: none without site_url
