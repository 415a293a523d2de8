"""The real glossary: a strict build, the page structure of every entry, and the editorial rules."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup
from conftest import ROOT

from macros import model

SEEDS = ROOT.parent / "shared" / "seeds"
ARTICLE = ROOT / "content/articles/benzodiazepine-withdrawal-neurotransmitters.md"
SECTIONS = [name.capitalize() for name in model.SECTIONS] + ["Risk"]  # the page's headings, in order
DOSE = re.compile(r"\b\d+(?:[.,]\d+)?\s*(?:mg|mcg|µg|micrograms?|milligrams?|grams?|g|ml|iu|units?)\b"
                  r"|\b(?:take|taking)\s+\d+\s+(?:tablets?|capsules?|pills?|doses?)\b", re.I)


def _soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def test_at_least_45_published_entries_with_pages(real_site: Path, glossary) -> None:
    """Every published entry has its page with the fixed section order, callout and disclaimer."""
    published = glossary.published()
    assert len(published) >= 45
    for entry in published:
        page = real_site / "glossary" / entry.slug / "index.html"
        assert page.exists(), f"no page for {entry.path}"
        soup = _soup(page)
        headings = [h.get_text(strip=True).rstrip("¶") for h in soup.find("article")("h2")]
        assert headings[:6] == SECTIONS, f"{entry.path}: sections {headings}"
        callout = soup.find("div", class_="risk-callout")
        assert callout and f"Risk level: {entry.risk_level}." in callout.get_text(" ", strip=True), entry.path
        assert soup.find("aside", class_="medical-disclaimer"), f"{entry.path}: no disclaimer"


def test_every_entry_is_sourced_reviewed_and_connected(glossary) -> None:
    """Evidence, references and a review date on every entry; at least two related; no orphans."""
    linked = {slug for slug, sources in glossary.backlinks.items() if sources}
    linked |= {slug for slug, pages in glossary.mentions.items() if pages}
    for entry in glossary.published():
        assert entry.evidence and entry.references and entry.reviewed, entry.path
        assert len(entry.related) >= 2, f"{entry.path}: only {len(entry.related)} related"
        assert entry.slug in linked, f"{entry.path}: orphan (no entry or article links to it)"


def test_seed_concepts_and_contested_claims_are_labelled(glossary) -> None:
    """The seed concepts exist, and the commercial ideas are not presented as established."""
    for slug in ["neurochemical-rebalancing", "neurotransmitter-support", "neurotransmitter-balance-state"]:
        assert glossary.entries[slug].published
    assert glossary.entries["neurochemical-rebalancing"].evidence in {"contested", "limited"}
    assert glossary.entries["urinary-neurotransmitter-testing"].evidence in {"contested", "limited"}
    assert glossary.entries["benzodiazepine-withdrawal"].risk_level == "high"


def test_article_warns_first_and_links_throughout(real_site: Path) -> None:
    """The withdrawal article opens with a high-severity callout about abrupt stopping, then many term links."""
    article = _soup(real_site / "articles/benzodiazepine-withdrawal-neurotransmitters/index.html").find("article")
    first_block = article.find(["div", "h2"], recursive=False)
    assert first_block.name == "div" and "danger" in first_block["class"], "the first block is not the danger callout"
    text = first_block.get_text(" ", strip=True).lower()
    assert "seizure" in text and "clinician" in text
    assert len(article("a", class_="glossary-term")) >= 20
    assert article.parent.find("aside", class_="medical-disclaimer") or \
        _soup(real_site / "articles/benzodiazepine-withdrawal-neurotransmitters/index.html").find(
            "aside", class_="medical-disclaimer")


def test_navigation_does_not_list_every_entry(real_site: Path, glossary) -> None:
    """A concept page's navigation stays small: it must not carry the whole glossary."""
    soup = _soup(real_site / "glossary/serotonin/index.html")
    # The page's own table of contents sits in the menu too (#anchors on the page itself): not counted.
    nav_links = [a for a in soup.select("nav.md-nav--primary a[href]") if not a["href"].startswith("#")]
    assert len(nav_links) < 20, len(nav_links)
    entry_links = [a for a in nav_links if "/glossary/" in a["href"] or a["href"].startswith("../")
                   and a["href"].rstrip("/").split("/")[-1] in glossary.entries]
    assert len(entry_links) < 5


def test_about_page_explains_evidence_levels_and_error_reports(real_site: Path) -> None:
    """The editorial policy defines every evidence level and says how to report an error."""
    text = _soup(real_site / "about/index.html").find("article").get_text(" ", strip=True).lower()
    for word in ["established", "emerging", "limited", "contested", "report", "reviewed"]:
        assert word in text


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower().replace("\u2019", "").replace("'", ""))


def _shingles(words: list[str], n: int = 8) -> set[tuple[str, ...]]:
    return {tuple(words[i:i + n]) for i in range(len(words) - n + 1)}


def test_no_sentence_copied_from_the_seeds(glossary) -> None:
    """No entry or article shares a run of 8 or more consecutive words with a seed document."""
    if not SEEDS.is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail(f"the seed documents are missing at {SEEDS}")
        pytest.skip("../shared/seeds is not beside the repository")
    seed = set()
    for path in SEEDS.glob("*.txt"):
        seed |= _shingles(_words(path.read_text(encoding="utf-8")))
    assert seed, "no seed text was read"
    sources = {e.path: " \n ".join(text for _f, text in e.text_fields()) for e in glossary.entries.values()}
    sources.update({str(p.relative_to(ROOT)): p.read_text(encoding="utf-8") for p in (ROOT / "content").rglob("*.md")})
    copied = {path: [" ".join(s) for s in _shingles(_words(text)) & seed] for path, text in sources.items()}
    copied = {path: runs for path, runs in copied.items() if runs}
    assert copied == {}


def test_no_dosing_instructions_anywhere(glossary) -> None:
    """No entry or article gives an amount to take."""
    texts = {e.path: " ".join(text for _f, text in e.text_fields()) for e in glossary.entries.values()}
    texts.update({str(p.relative_to(ROOT)): p.read_text(encoding="utf-8") for p in (ROOT / "content").rglob("*.md")})
    found = {path: DOSE.findall(text) for path, text in texts.items() if DOSE.search(text)}
    assert found == {}


def _section(article: BeautifulSoup, heading_id: str) -> list[Any]:
    """The elements of a page section: everything after its ``<h2>`` up to the next ``<h2>``."""
    heading = article.find("h2", id=heading_id)
    assert heading is not None, f"no section '{heading_id}'"
    out = []
    for sibling in heading.find_next_siblings():
        if sibling.name == "h2":
            break
        out.append(sibling)
    return out


def test_every_concept_page_cites_inline_and_every_reference_link_resolves(real_site: Path, glossary) -> None:
    """Issue 13: every published page cites inline in its Mechanism and Risk sections; every #ref- and
    back-link resolves on the page; its JSON-LD lists the cited works; it says when the next review is due."""
    for entry in glossary.published():
        soup = _soup(real_site / "glossary" / entry.slug / "index.html")
        article = soup.find("article")
        for section in ("mechanism", "risk"):
            assert any(part.select("a.glossary-cite") for part in _section(article, section)), \
                f"{entry.path}: the {section} section cites nothing inline"
        ids = {tag["id"] for tag in soup.find_all(id=True)}
        for link in article.find_all("a", href=re.compile("^#")):
            assert link["href"][1:] in ids, f"{entry.path}: {link['href']} does not resolve"
        assert "[@" not in article.get_text(), f"{entry.path}: raw citation syntax on the page"
        graph = [n for s in soup.find_all("script", type="application/ld+json")
                 for n in json.loads(s.string).get("@graph", [])]
        page = next(n for n in graph if n["@type"] == "MedicalWebPage")
        assert page.get("citation") and all(w["@type"] == "CreativeWork" and w["name"] for w in page["citation"])
        dates = article.find(class_="glossary-review-dates")
        assert dates and "Next review due:" in dates.get_text(), f"{entry.path}: no next review date"


def test_no_internal_note_of_the_bibliography_is_published(real_site: Path) -> None:
    """supports, caution and verification of every source appear in no built file (page, search index,
    glossary.json, JSON-LD): they are notes for authors."""
    import yaml

    records = yaml.safe_load((ROOT / "glossary/_references.yaml").read_text(encoding="utf-8"))["references"]
    notes = [" ".join(str(r[k]).split()) for r in records for k in ("supports", "caution", "verification") if r.get(k)]
    # Every sentence of a note long enough to be distinctive (short ones such as 'Epub 2010 Aug 7.' may
    # legitimately repeat public details).
    sentences = {s.strip() for note in notes for s in re.split(r"(?<=[.;])\s+", note) if len(s.strip()) >= 40}
    assert sentences
    for path in real_site.rglob("*"):
        if path.is_file() and path.suffix in (".html", ".json", ".xml"):
            text = " ".join(path.read_text(encoding="utf-8", errors="replace").split())
            leaked = [s for s in sentences if s in text]
            assert not leaked, f"{path.relative_to(real_site)}: {leaked[:2]}"
