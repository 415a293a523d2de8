"""In-process builds of the fixture site: page structure, links, backlinks, callouts, injection."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urljoin, urlparse

from bs4 import BeautifulSoup
from conftest import BuildResult

SECTION_ORDER = ["Context", "Significance", "Mechanism", "Application", "Metric", "Risk", "Origin",
                 "Related concepts", "Mentioned in", "References"]


def _article(result: BuildResult, path: str) -> BeautifulSoup:
    article = result.html(path).find("article")
    assert article is not None, f"{path}: no <article>"
    return article


def _resolves(site: Path, page: str, href: str) -> bool:
    """Whether a relative link on built page ``page`` points at a file in the site."""
    target = urlparse(urljoin(f"http://x/{page}", href)).path.lstrip("/")
    path = site / target
    return (path / "index.html").exists() if not target or target.endswith("/") else path.exists()


def test_concept_page_sections_in_fixed_order(fixture_build: BuildResult) -> None:
    """Every concept page has the same headings in the same order; Origin only when written."""
    alpha = [h.get_text(strip=True).rstrip("¶") for h in _article(fixture_build, "glossary/alpha/index.html")("h2")]
    assert alpha == SECTION_ORDER
    beta = [h.get_text(strip=True).rstrip("¶") for h in _article(fixture_build, "glossary/beta/index.html")("h2")]
    assert beta == [s for s in SECTION_ORDER if s != "Origin"]


def test_title_lead_evidence_and_review_date(fixture_build: BuildResult) -> None:
    """The page opens with the term, the summary, then the evidence level and the review date."""
    article = _article(fixture_build, "glossary/beta/index.html")
    assert article.h1.get_text(strip=True).rstrip("¶") == "Beta Precursor"
    lead = article.find("p", class_="glossary-lead")
    assert lead.get_text(" ", strip=True).startswith("A made-up precursor of")
    meta = article.find("p", class_="glossary-meta").get_text(" ", strip=True)
    assert "Evidence: Limited" in meta and "Last reviewed: 15 October 2026" in meta
    head = fixture_build.html("glossary/beta/index.html")
    assert head.find("meta", attrs={"name": "description"})["content"] == "A made-up precursor of alpha messenger."
    assert head.title.get_text().startswith("Beta Precursor")


def test_risk_callout_states_severity_in_words(fixture_build: BuildResult) -> None:
    """The callout's title and first words give the level; colour only repeats it."""
    for slug, words, css in [("alpha", "High risk", "danger"), ("beta", "Moderate risk", "warning"),
                             ("gamma", "Low risk", "info")]:
        callout = _article(fixture_build, f"glossary/{slug}/index.html").find("div", class_="risk-callout")
        assert callout.find(class_="admonition-title").get_text(strip=True) == words
        assert css in callout["class"]
        assert f"Risk level: {words.split()[0].lower()}." in callout.get_text(" ", strip=True)


def test_cross_links_and_backlinks_resolve(fixture_build: BuildResult) -> None:
    """[[links]], related entries and 'Mentioned in' all point at pages that exist."""
    site = fixture_build.site
    for page in ["glossary/alpha/index.html", "glossary/beta/index.html", "glossary/gamma/index.html"]:
        for a in _article(fixture_build, page)("a", href=True):
            href = a["href"]
            if href.startswith(("http", "#", "mailto:")):
                continue
            assert _resolves(site, page, href.split("#")[0]), f"{page}: broken link {href}"
    mentioned = _article(fixture_build, "glossary/alpha/index.html").find(id="mentioned-in").find_next("ul")
    texts = [li.get_text(" ", strip=True) for li in mentioned("li")]
    assert "Beta Precursor (glossary entry)" in texts            # beta relates to alpha
    assert "A story about alpha (article)" in texts              # the article calls term('alpha')
    gamma = _article(fixture_build, "glossary/gamma/index.html").find(id="mentioned-in").find_next("ul")
    assert "Alpha Messenger (glossary entry)" in gamma.get_text(" ", strip=True)  # via [[gamma|...]]


def test_term_links_carry_the_summary_as_tooltip(fixture_build: BuildResult) -> None:
    """A term link's title is the entry's summary in plain text (Material shows it on hover and focus)."""
    links = fixture_build.html("index.html").find("article")("a", class_="glossary-term")
    by_text = {a.get_text(): a for a in links}
    assert by_text["Alpha Messenger"]["title"] == \
        "A made-up messenger used to test the generator; it links to beta precursor."
    assert by_text["the precursor"]["title"] == "A made-up precursor of alpha messenger."


def test_drafts_are_not_published(fixture_build: BuildResult) -> None:
    """A draft is validated but gets no page, no index line and no backlink."""
    assert not (fixture_build.site / "glossary/delta").exists()
    index = fixture_build.html("glossary/index.html").get_text()
    assert "Delta Draft" not in index
    assert "Delta" not in _article(fixture_build, "glossary/alpha/index.html").get_text()


def test_a_to_z_index_and_topic_pages(fixture_build: BuildResult) -> None:
    """The A–Z page groups entries by letter and lists aliases; each tag has a page."""
    article = _article(fixture_build, "glossary/index.html")
    letters = [h.get_text(strip=True).rstrip("¶") for h in article("h2")]
    assert letters == ["A", "B", "G"]
    assert "Alphamine → see Alpha Messenger" in article.get_text(" ", strip=True)
    topic = _article(fixture_build, "tags/precursors/index.html")
    assert [h.a.get_text() for h in topic("h2")] == ["Beta Precursor"]
    topics = _article(fixture_build, "tags/index.html").get_text(" ", strip=True)
    assert "Messengers (2 entries)" in topics and "Precursors (1 entry)" in topics


def test_article_macros_render(fixture_build: BuildResult) -> None:
    """risk() and definition() in an article render the entry's callout and summary."""
    article = _article(fixture_build, "articles/story/index.html")
    callout = article.find("div", class_="risk-callout")
    assert "High risk" in callout.find(class_="admonition-title").get_text()
    definition = article.find("div", class_="glossary-definition")
    assert "Definition: Gamma Receptor" in definition.get_text(" ", strip=True)
    assert "A made-up receptor." in definition.get_text(" ", strip=True)


def test_medical_disclaimer_on_concept_pages_and_articles_only(fixture_build: BuildResult) -> None:
    """The disclaimer comes from the template, on entries and articles, not on the home page."""
    for page in ["glossary/alpha/index.html", "articles/story/index.html"]:
        assert fixture_build.html(page).find("aside", class_="medical-disclaimer"), page
    assert not fixture_build.html("index.html").find("aside", class_="medical-disclaimer")


def test_template_syntax_in_entries_is_shown_not_run(fixture_build: BuildResult) -> None:
    """`{{ config.site_name }}` and `{% raw %}` in an entry appear literally; nothing is evaluated."""
    text = _article(fixture_build, "glossary/alpha/index.html").get_text(" ", strip=True)
    assert "{{ config.site_name }}" in text and "{% raw %}" in text
    assert "Fixture Glossary" not in text


def test_attribute_lists_in_entries_cannot_add_attributes(site_factory) -> None:
    """Markdown attribute lists ({: onclick=...}) in entry text stay text; no event handler reaches the page."""
    alpha = Path(__file__).parent.joinpath("fixtures/site/glossary/alpha.yaml").read_text()
    evil = alpha.replace("context: Alpha context text.",
                         "context: 'Click [[beta]]{ onmouseover=\"alert(1)\" } now {: onclick=\"alert(2)\" }'")
    result = site_factory({"glossary/alpha.yaml": evil})
    assert result.ok, result.output
    article = result.html("glossary/alpha/index.html").find("article")
    assert not article.find(attrs={"onmouseover": True}) and not article.find(attrs={"onclick": True})
    assert 'onclick="alert(2)"' in article.get_text()


def test_build_stops_on_content_problems_with_located_messages(site_factory) -> None:
    """A broken entry stops the build and prints the same path:line: field: message as check."""
    beta = Path(__file__).parent.joinpath("fixtures/site/glossary/beta.yaml").read_text()
    result = site_factory({"glossary/beta.yaml": beta.replace("mechanism:", "mechanizm:")})
    assert not result.ok
    assert "glossary/beta.yaml:6: mechanizm: unknown field 'mechanizm' (did you mean 'mechanism'?)" in result.output
    assert "Traceback" not in result.output


def test_unknown_slug_in_a_macro_fails_the_build_naming_page_and_slug(site_factory) -> None:
    """A slug only known at render time (not caught by the static scan) still fails the build, naming both."""
    page = "# Indirect\n\n{% set s = 'gama' %}{{ term(s) }}\n"
    result = site_factory({"content/articles/indirect.md": page})
    assert not result.ok
    assert "content/articles/indirect.md: glossary entry 'gama' is not an entry (did you mean 'gamma'?)" \
        in result.output


def test_no_request_to_other_sites_in_built_html(fixture_build: BuildResult) -> None:
    """No page loads fonts, scripts, styles or images from another origin."""
    for html in fixture_build.site.rglob("*.html"):
        soup = BeautifulSoup(html.read_text(encoding="utf-8"), "html.parser")
        for tag, attr in [("script", "src"), ("link", "href"), ("img", "src"), ("iframe", "src")]:
            for element in soup(tag, attrs={attr: True}):
                if tag == "link" and "stylesheet" not in (element.get("rel") or []) \
                        and "preconnect" not in (element.get("rel") or []):
                    continue
                assert not element[attr].startswith(("http:", "https:", "//")), f"{html}: {element}"
