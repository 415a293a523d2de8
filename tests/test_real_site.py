"""The real glossary: a strict build, the page structure of every entry, and the editorial rules."""

from __future__ import annotations

import os
import re
from pathlib import Path

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
