"""Concept pages v2 (issue 14): the 'When to get help' box under the summary, links to the Get help now
page, and the HTML that is not prose (map, lists) put in after Markdown and kept out of search."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from conftest import BuildResult

from macros.graph import Node, relationship_map

SVG = "{http://www.w3.org/2000/svg}"


def _content(result: BuildResult, slug: str):  # noqa: ANN202 - a BeautifulSoup tag
    return result.html(f"glossary/{slug}/index.html").find("article")


def test_help_box_comes_right_after_the_summary_with_the_urgent_signs(fixture_build: BuildResult) -> None:
    """A high-risk entry's page shows 'When to get help' directly under its summary: the risk.urgent
    sentences in order, then links to Get help now and to the page's Risk section."""
    article = _content(fixture_build, "alpha")
    lead = article.find("p", class_="glossary-lead")
    box = lead.find_next_sibling()
    assert "glossary-help" in box["class"] and "danger" in box["class"]
    assert box.find(class_="admonition-title").get_text(strip=True) == "When to get help"
    assert [li.get_text(" ", strip=True) for li in box.find_all("li")] == [
        "Call your local emergency number if someone who took alpha has a seizure or cannot be woken.",
        "Get urgent advice the same day if alpha makes you confused or shaky."]
    links = {a.get_text(strip=True): a["href"] for a in box.find_all("a")}
    assert links == {"Get help now": "../../get-help/", "Read about the risk": "#risk"}
    assert article.find(id="risk") is not None


def test_moderate_risk_points_to_its_risk_section_and_low_risk_has_no_box(fixture_build: BuildResult) -> None:
    """A moderate-risk entry without risk.urgent still gets a box pointing to its Risk section and to Get
    help now; a low-risk entry gets none."""
    box = _content(fixture_build, "beta").find(class_="glossary-help")
    assert box is not None and "warning" in box["class"]
    assert "moderate risk" in box.get_text(" ", strip=True)
    assert {a["href"] for a in box.find_all("a")} == {"#risk", "../../get-help/"}
    assert _content(fixture_build, "gamma").find(class_="glossary-help") is None


def test_high_risk_callouts_and_every_footer_link_to_get_help(fixture_build: BuildResult) -> None:
    """The risk callout of a high-risk entry, on its page and where an article shows it, links to Get help
    now; the footer of every page does too."""
    callout = _content(fixture_build, "alpha").find("div", class_="risk-callout")
    assert "../../get-help/" in [a["href"] for a in callout.find_all("a")]
    low = _content(fixture_build, "gamma").find("div", class_="risk-callout")
    assert all("get-help" not in a["href"] for a in low.find_all("a"))
    for page in ["index.html", "glossary/alpha/index.html", "about/index.html", "404.html"]:
        footer = fixture_build.html(page).find("footer")
        link = footer.find("p", class_="glossary-footer-help").find("a")
        assert link.get_text(strip=True) == "Get help now" and link["href"].rstrip("/").endswith("get-help"), page


def test_without_a_get_help_page_nothing_links_to_it(site_factory) -> None:
    """A site with no content/get-help.md builds strictly, with no link to a missing page."""
    result = site_factory({"content/get-help.md": None})
    assert result.ok, result.output
    html = (result.site / "glossary/alpha/index.html").read_text(encoding="utf-8")
    assert "get-help" not in html
    box = result.html("glossary/alpha/index.html").find(class_="glossary-help")
    assert [a["href"] for a in box.find_all("a")] == ["#risk"]


def test_map_and_lists_are_html_outside_search(fixture_build: BuildResult) -> None:
    """The map and the Related / Mentioned in lists are in the page, under their headings, with final
    URLs; no marker is left; search indexes the headings' prose but none of their names."""
    article = _content(fixture_build, "alpha")
    assert "glossary:" not in str(article)
    related = article.find(id="related-concepts").find_next_sibling()
    assert related.name == "figure" and related.has_attr("data-search-exclude")
    items = related.find_next_sibling("ul", class_="glossary-related")
    assert [(a.get_text(), a["href"]) for a in items.find_all("a")] == [("Beta Precursor", "../beta/"),
                                                                        ("Gamma Receptor", "../gamma/")]
    assert all(a["title"] for a in items.find_all("a"))
    mentioned = article.find(id="mentioned-in").find_next_sibling()
    assert mentioned.has_attr("data-search-exclude") and mentioned.find("a")
    index = json.loads((fixture_build.site / "search/search_index.json").read_text(encoding="utf-8"))
    alpha = [d for d in index["docs"] if d["location"].startswith("glossary/alpha/")]
    # the headings of what search does not index are not search results of their own (empty ones, on every
    # concept page); the sections of prose are
    sections = {d["location"].split("#")[-1] for d in alpha}
    assert sections.isdisjoint({"related-concepts", "mentioned-in", "references", "further-reading"})
    assert {"context", "risk"} <= sections
    assert not any("Concept map" in d["text"] or "Gamma Receptor" in d["text"] for d in alpha)


def test_map_labels_keep_the_spaces_between_their_lines() -> None:
    """A label wrapped over two lines reads with its space (the visible text is in the link's name); a
    break after a hyphen adds no space."""
    centre = Node("a", "Neurochemical Rebalancing Programme", "./", relation="this page")
    svg = relationship_map(centre, [Node("b", "Catechol-O-Methyltransferase Inhibitor", "../b/", "", "related")],
                           [], prefix="m")
    root = ET.fromstring(svg)
    texts = {a.get("aria-label"): "".join(a.find(f"{SVG}text").itertext()) for a in root.iter(f"{SVG}a")}
    assert texts["Catechol-O-Methyltransferase Inhibitor (related)"] in ("Catechol-O-Methyltransferase Inhibitor",)
    assert "</tspan> <tspan" in svg
    width = float(root.get("width"))
    assert width <= 344, "the map fits a phone at its own size"
