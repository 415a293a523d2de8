"""Relationship maps and synthesis pathways: static, linked, accessible SVG; `precursor_of` checks."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlparse

import pytest
from bs4 import BeautifulSoup
from conftest import FIXTURE_SITE, ROOT, BuildResult

from macros.graph import Node, components, layers, pathway_map, relationship_map, text_width, wrap_label
from macros.registry import load_glossary
from macros.render import MAP_LIMIT, relative_url, site_path

SVG = "{http://www.w3.org/2000/svg}"
BETA = (FIXTURE_SITE / "glossary/beta.yaml").read_text(encoding="utf-8")
PATHWAYS_PAGE = "# Pathways\n\n{{ pathways() }}\n"
REAL_PATHWAYS = ["Tryptophan → 5-HTP → Serotonin",
                 "Tyrosine → L-DOPA → Dopamine → Norepinephrine → Epinephrine",
                 "Glutamine → Glutamate → GABA"]


def _with_field(text: str, line: str) -> str:
    """A fixture entry with one more field, written after its ``related`` line."""
    return re.sub(r"^(related:.*\n)", lambda m: m.group(1) + line + "\n", text, count=1, flags=re.M)


def _resolves(site: Path, page: str, href: str) -> bool:
    """Whether a relative link on built page ``page`` points at a file of the site."""
    target = urlparse(urljoin(f"http://x/{page}", href)).path.lstrip("/")
    path = site / target
    return (path / "index.html").exists() if not target or target.endswith("/") else path.exists()


def _figures(soup: BeautifulSoup) -> list[Any]:
    return soup.find("article").find_all("figure", class_="glossary-map-figure")


def _check_svg(figure: Any) -> Any:
    """The figure's SVG is intact and named for assistive technology; returns it."""
    svg = figure.find("svg")
    assert svg is not None and svg.find("p") is None, "Python-Markdown changed the SVG"
    assert svg["role"] == "group"
    title = svg.find(id=svg["aria-labelledby"])
    desc = svg.find(id=svg["aria-describedby"])
    assert title.name == "title" and title.get_text(strip=True)
    assert desc.name == "desc" and desc.get_text(strip=True)
    links = svg.find_all("a")
    assert links, "every box is a link"
    for a in links:
        assert a.get("href") and a.get("aria-label"), a
    return svg


# -- the drawing functions --------------------------------------------------------------------

def test_labels_wrap_inside_their_box_and_keep_every_word() -> None:
    """Long names wrap at spaces or hyphens within the box width; nothing is lost unless it is too long."""
    width = 176
    for name in ["Aromatic L-Amino Acid Decarboxylase", "Catechol-O-Methyltransferase", "GABA",
                 "Vitamin B6 (Pyridoxal Phosphate)", "Drug–Supplement Interactions"]:
        lines = wrap_label(name, width)
        assert all(text_width(line) <= width for line in lines), lines
        assert "".join(lines).replace(" ", "") == name.replace(" ", ""), lines
    long = wrap_label("word " * 40, width, max_lines=3)
    assert len(long) == 3 and long[-1].endswith("…")
    assert all(text_width(line) <= width for line in wrap_label("Supercalifragilisticexpialidocious" * 3, width))


def test_map_escapes_entry_text_and_stays_one_raw_html_block() -> None:
    """Names and summaries with markup characters are XML-escaped; the SVG is well-formed, with no blank
    or indented lines that Python-Markdown would break apart."""
    tricky = 'Tom & "Jerry" </script><b>x</b>'
    centre = Node("a", "Alpha & Omega", "./", description=tricky, relation="this page")
    svg = relationship_map(centre, [Node("b", 'Beta "B"', "../b/", tricky, "related entry")],
                           [Node("c", "C <c>", "../c/?x=1&y=2", tricky, "mentions Alpha")], prefix="m-a")
    root = ET.fromstring(svg)
    names = [a.get("aria-label") for a in root.iter(f"{SVG}a")]
    assert names == ["C <c> (mentions Alpha)", "Alpha & Omega (this page)", 'Beta "B" (related entry)']
    assert {a.get("href") for a in root.iter(f"{SVG}a")} == {"./", "../b/", "../c/?x=1&y=2"}
    assert [t.text for t in root.iter(f"{SVG}title")][1:] == [tricky] * 3
    assert "</script>" not in svg and "<b>" not in svg
    assert all(line.strip() and not line.startswith("    ") for line in svg.splitlines())


def test_map_is_empty_without_neighbours() -> None:
    """An entry with no related entries and no mentions gets no drawing at all."""
    assert relationship_map(Node("a", "A", "./"), [], [], prefix="m") == ""


def test_pathway_layers_components_and_cycles() -> None:
    """Steps follow the longest route from a start; separate pathways are separate drawings; loops fail."""
    edges = {"trp": ["htp"], "htp": ["ser"], "tyr": ["dopa"], "dopa": ["da"], "da": ["ne"], "x": ["ne"]}
    assert components(edges) == [["da", "dopa", "ne", "tyr", "x"], ["htp", "ser", "trp"]]
    assert layers(["da", "dopa", "ne", "tyr", "x"], edges) == [["tyr", "x"], ["dopa"], ["da"], ["ne"]]
    with pytest.raises(ValueError):
        layers(["a", "b"], {"a": ["b"], "b": ["a"]})
    nodes = {k: Node(k, k.upper(), f"../{k}/", relation="step") for k in ["trp", "htp", "ser"]}
    svg = ET.fromstring(pathway_map(nodes, edges, prefix="p", title="From TRP"))
    assert svg.get("role") == "group" and svg.find(f"{SVG}title").text == "From TRP"
    assert svg.find(f"{SVG}desc").text.startswith("TRP is made into HTP. HTP is made into SER.")
    tops = {a.get("href"): float(a.find(f"{SVG}rect").get("y")) for a in svg.iter(f"{SVG}a")}
    assert tops["../trp/"] < tops["../htp/"] < tops["../ser/"]


def test_relative_urls_match_what_mkdocs_writes() -> None:
    """The URLs written into the SVG equal MkDocs' own page URLs and relative links, in both URL styles."""
    from mkdocs.structure.files import File
    from mkdocs.utils import get_relative_url

    sources = ["index.md", "pathways.md", "glossary/index.md", "glossary/gaba.md", "articles/a.md", "tags/x.md"]
    for dirs in (True, False):
        urls = {s: File(s, "docs", "site", dirs).url for s in sources}
        for source in sources:
            assert site_path(source, use_directory_urls=dirs) == (urls[source] if urls[source] != "./" else "")
        for page in sources:
            for target in sources:
                here = f"http://x/{site_path(page, use_directory_urls=dirs)}"
                ours = urljoin(here, relative_url(page, target, use_directory_urls=dirs))
                theirs = urljoin(here, get_relative_url(urls[target], urls[page]))
                assert ours.rstrip("/") == theirs.rstrip("/"), (page, target, dirs)


# -- precursor_of checks ----------------------------------------------------------------------

def _problems(tmp_path: Path, files: dict[str, str]) -> list[str]:
    from conftest import make_project
    glossary, problems = load_glossary(make_project(tmp_path / "site", files))
    return [str(p) for p in problems]


def test_precursor_of_unknown_self_and_draft_are_located_errors(tmp_path: Path) -> None:
    """Unknown slugs (with a suggestion), the entry itself and drafts are reported as path:line: field."""
    beta = _with_field(BETA, "precursor_of: [alpah, beta, delta]")
    assert _problems(tmp_path, {"glossary/beta.yaml": beta}) == [
        "glossary/beta.yaml:13: precursor_of[0]: unknown entry 'alpah' (did you mean 'alpha'?)",
        "glossary/beta.yaml:13: precursor_of[1]: an entry cannot be a precursor of itself; remove it",
        "glossary/beta.yaml:13: precursor_of[2]: 'delta' is a draft (glossary/delta.yaml), so it has no page; "
        "publish it or remove it from the pathway",
    ]


def test_precursor_of_cycles_are_rejected_once_where_they_close(tmp_path: Path) -> None:
    """A loop through several entries is one error, on the link that closes it, naming the whole loop."""
    alpha = _with_field((FIXTURE_SITE / "glossary/alpha.yaml").read_text(encoding="utf-8"), "precursor_of: [gamma]")
    gamma = _with_field((FIXTURE_SITE / "glossary/gamma.yaml").read_text(encoding="utf-8"),
                        "precursor_of:\n  - beta")
    beta = _with_field(BETA, "precursor_of: [alpha]")
    assert _problems(tmp_path, {"glossary/alpha.yaml": alpha, "glossary/beta.yaml": beta,
                                "glossary/gamma.yaml": gamma}) == [
        "glossary/beta.yaml:13: precursor_of[0]: 'alpha' closes a cycle (alpha → gamma → beta → alpha); "
        "a synthesis pathway cannot lead back to an earlier step: remove one of these links",
    ]


def test_precursor_of_must_be_a_list_of_slugs(tmp_path: Path) -> None:
    """The schema names the field when it is not a list of kebab-case slugs."""
    problems = _problems(tmp_path, {"glossary/beta.yaml": _with_field(BETA, "precursor_of: Alpha Messenger")})
    assert problems == ["glossary/beta.yaml:13: precursor_of: must be a list such as [a, b], not text"]


def test_real_glossary_pathways_have_no_problems() -> None:
    """The pathway entries of the real glossary pass the check (glutamine -> glutamate added per review S15)."""
    glossary, problems = load_glossary(ROOT)
    assert problems == []
    assert {e.slug: e.precursor_of for e in glossary.entries.values() if e.precursor_of} == {
        "tryptophan": ["5-htp"], "5-htp": ["serotonin"], "tyrosine": ["l-dopa"], "l-dopa": ["dopamine"],
        "dopamine": ["norepinephrine"], "norepinephrine": ["epinephrine"], "glutamate": ["gaba"],
        "glutamine": ["glutamate"]}


# -- built pages ------------------------------------------------------------------------------

def test_concept_page_map_links_the_entry_its_related_and_mentioning_entries(fixture_build: BuildResult) -> None:
    """Alpha's map shows Alpha, its related entries and the entries that mention it, each box a working link."""
    page = "glossary/alpha/index.html"
    figures = _figures(fixture_build.html(page))
    assert len(figures) == 1
    svg = _check_svg(figures[0])
    assert svg.find("title").get_text() == "Concept map of Alpha Messenger"
    labels = {a["aria-label"] for a in svg.find_all("a")}
    assert labels == {"Alpha Messenger (this page)",
                      "Beta Precursor (related entry, which also mentions Alpha Messenger)",
                      "Gamma Receptor (related entry)"}
    for a in svg.find_all("a"):
        assert _resolves(fixture_build.site, page, a["href"]), a["href"]
    gamma = _check_svg(_figures(fixture_build.html("glossary/gamma/index.html"))[0])
    assert {a["aria-label"] for a in gamma.find_all("a")} == {"Gamma Receptor (this page)",
                                                              "Alpha Messenger (mentions Gamma Receptor)"}
    assert "data-search-exclude" in figures[0].attrs


def test_maps_work_without_directory_urls(site_factory) -> None:
    """With use_directory_urls: false the boxes link to the .html files MkDocs writes."""
    config = (FIXTURE_SITE / "mkdocs.yml").read_text(encoding="utf-8") + "use_directory_urls: false\n"
    result = site_factory({"mkdocs.yml": config, "glossary/beta.yaml": _with_field(BETA, "precursor_of: [alpha]"),
                           "content/pathways.md": PATHWAYS_PAGE})
    assert result.ok, result.output
    for page in ["glossary/alpha.html", "pathways.html"]:
        svg = _check_svg(_figures(result.html(page))[0])
        for a in svg.find_all("a"):
            assert a["href"].endswith(".html") and _resolves(result.site, page, a["href"]), (page, a["href"])


def test_pathways_page_draws_each_step_as_a_link(site_factory) -> None:
    """The pathways macro draws Beta → Alpha with both steps linking to their entries, in order."""
    result = site_factory({"glossary/beta.yaml": _with_field(BETA, "precursor_of: [alpha]"),
                           "content/pathways.md": PATHWAYS_PAGE})
    assert result.ok, result.output
    soup = result.html("pathways/index.html")
    figures = _figures(soup)
    assert len(figures) == 1
    svg = _check_svg(figures[0])
    assert [a["href"] for a in svg.find_all("a")] == ["../glossary/beta/", "../glossary/alpha/"]
    assert figures[0].figcaption.get_text() == "Beta Precursor → Alpha Messenger"
    assert soup.find("article").find("h2").get_text(strip=True).rstrip("¶") == "Beta Precursor to Alpha Messenger"
    for a in svg.find_all("a"):
        assert _resolves(result.site, "pathways/index.html", a["href"])


def test_pathways_page_without_pathways_says_so(site_factory) -> None:
    """With no `precursor_of` anywhere, the page says there is nothing to draw instead of failing."""
    result = site_factory({"content/pathways.md": PATHWAYS_PAGE})
    assert result.ok, result.output
    text = result.html("pathways/index.html").find("article").get_text(" ", strip=True)
    assert "No entry describes a synthesis pathway yet" in text


def test_real_pathways_page_draws_the_three_pathways(real_site: Path) -> None:
    """The Synthesis pathways page draws the serotonin, catecholamine and GABA pathways, every step a link."""
    page = "pathways/index.html"
    soup = BeautifulSoup((real_site / page).read_text(encoding="utf-8"), "html.parser")
    figures = _figures(soup)
    assert sorted(f.figcaption.get_text() for f in figures) == sorted(REAL_PATHWAYS)
    for figure in figures:
        svg = _check_svg(figure)
        steps = figure.figcaption.get_text().split(" → ")
        assert [a["aria-label"].split(" (")[0] for a in svg.find_all("a")] == steps
        for a in svg.find_all("a"):
            assert _resolves(real_site, page, a["href"]), a["href"]
    nav = soup.find("nav", class_="md-nav--primary").get_text(" ", strip=True)
    assert "Synthesis pathways" in nav


def test_drawings_stay_out_of_search_but_pathway_steps_are_found(real_site: Path) -> None:
    """Search results never show the maps' box labels; the pathways' steps (their captions) are searchable."""
    index = (real_site / "search/search_index.json").read_text(encoding="utf-8")
    assert "Concept map of" not in index and "Each box" not in index and "Mentioned by" not in index
    docs = json.loads(index)["docs"]
    texts = {d["location"]: d["text"] for d in docs}
    assert texts["pathways/#tryptophan-to-serotonin"] == "Tryptophan → 5-HTP → Serotonin"


def test_every_real_concept_page_has_a_working_map(real_site: Path) -> None:
    """Each published entry's page carries one map whose boxes are its related and mentioning entries
    (the first MAP_LIMIT of each side)."""
    glossary, _problems = load_glossary(ROOT)
    for entry in glossary.published():
        page = f"glossary/{entry.slug}/index.html"
        soup = BeautifulSoup((real_site / page).read_text(encoding="utf-8"), "html.parser")
        figures = _figures(soup)
        related = entry.related[:MAP_LIMIT]
        mentions = [s for s in glossary.backlinks.get(entry.slug, []) if s not in entry.related][:MAP_LIMIT]
        expected = {*related, *mentions}
        if not expected:
            assert figures == [], page
            continue
        assert len(figures) == 1, page
        svg = _check_svg(figures[0])
        hrefs = [a["href"] for a in svg.find_all("a")]
        assert sorted(hrefs) == sorted(["./", *(f"../{s}/" for s in expected)]), page
        assert all(_resolves(real_site, page, h) for h in hrefs), page


# -- in a browser -----------------------------------------------------------------------------

def _luminance(rgb: tuple[float, float, float]) -> float:
    def channel(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _rgba(css: str) -> tuple[float, float, float, float]:
    parts = [float(p) for p in re.findall(r"[\d.]+", css)]
    return (parts[0], parts[1], parts[2], parts[3] if len(parts) > 3 else 1.0)


def _over(top: str, bottom: tuple[float, float, float]) -> tuple[float, float, float]:
    r, g, b, a = _rgba(top)
    return (r * a + bottom[0] * (1 - a), g * a + bottom[1] * (1 - a), b * a + bottom[2] * (1 - a))


def _contrast(a: tuple[float, float, float], b: tuple[float, float, float]) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


_COLOURS = """() => [...document.querySelectorAll('svg.glossary-map')].map(svg => ({
  page: getComputedStyle(document.body).backgroundColor,
  edges: [...svg.querySelectorAll('.glossary-map__edge')].map(e => getComputedStyle(e).stroke),
  nodes: [...svg.querySelectorAll('a')].map(a => ({
    label: a.getAttribute('aria-label'),
    box: getComputedStyle(a.querySelector('rect')).fill,
    text: getComputedStyle(a.querySelector('text')).fill})),
}))"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_maps_pass_axe_and_are_readable_in_both_palettes(browser: Any, real_site: Path,
                                                          scheme: str) -> None:
    """In the light and the dark palette the maps have no axe violations, their text has at least 4.5:1
    contrast against its box and their lines at least 3:1 against the page."""
    from axe_playwright_python.sync_playwright import Axe

    def check(chromium: Any) -> None:
        page = chromium.new_page(color_scheme=scheme, viewport={"width": 1280, "height": 900})
        try:
            for path in ["glossary/dopamine/index.html", "pathways/index.html"]:
                page.goto((real_site / path).as_uri())
                assert page.evaluate("document.body.getAttribute('data-md-color-scheme')") == \
                    ("slate" if scheme == "dark" else "default")
                results = Axe().run(page, context={"include": [["figure.glossary-map-figure"]]})
                assert results.violations_count == 0, results.generate_report()
                drawings = page.evaluate(_COLOURS)
                assert drawings, path
                for drawing in drawings:
                    background = _over(drawing["page"], (255, 255, 255))
                    for edge in drawing["edges"]:
                        assert _contrast(_over(edge, background), background) >= 3, (path, edge)
                    for node in drawing["nodes"]:
                        box = _over(node["box"], background)
                        assert _contrast(_over(node["text"], box), box) >= 4.5, (path, node)
        finally:
            page.close()

    check(browser)


def test_map_links_are_reachable_by_keyboard_and_named(browser: Any, real_site: Path) -> None:
    """Tabbing through the Dopamine page reaches every box of the map, each announced by its name."""
    def check(chromium: Any) -> None:
        page = chromium.new_page(viewport={"width": 1280, "height": 900})
        try:
            page.goto((real_site / "glossary/dopamine/index.html").as_uri())
            group = page.get_by_role("group", name="Concept map of Dopamine")
            assert group.count() == 1
            assert group.get_by_role("link", name="Tyrosine (related entry, which also mentions Dopamine)").count() == 1
            expected = page.evaluate("document.querySelectorAll('svg.glossary-map a').length")
            reached = set()
            for _ in range(400):
                page.keyboard.press("Tab")
                label = page.evaluate("document.activeElement.closest('svg.glossary-map') ? "
                                      "document.activeElement.getAttribute('aria-label') : null")
                if label:
                    reached.add(label)
                elif reached:
                    break
            assert len(reached) == expected
        finally:
            page.close()

    check(browser)


def test_relationship_map_is_bounded_for_hub_entries(tmp_path) -> None:
    """An entry mentioned by many others draws at most MAP_LIMIT boxes a side and says how many more
    are listed, so its page does not grow with the glossary."""
    from conftest import build, make_project

    base = (tmp_path / "src")
    project = make_project(base)
    gamma = (project / "glossary/gamma.yaml").read_text(encoding="utf-8")
    for index in range(MAP_LIMIT + 4):
        (project / f"glossary/hub-{index}.yaml").write_text(
            gamma.replace("term: Gamma Receptor", f"term: Hub Spoke {index}")
            .replace("related: []", "related: [gamma]"),
            encoding="utf-8")
    result = build(project)
    assert result.ok, result.output
    figure = result.html("glossary/gamma/index.html").find("figure", class_="glossary-map-figure")
    assert len(figure.find("svg").find_all("a")) == 1 + MAP_LIMIT  # the entry itself, then its neighbours
    assert "5 more are listed under Related concepts and Mentioned in." in figure.figcaption.get_text()
    mentioned = result.html("glossary/gamma/index.html").find(id="mentioned-in").find_next("ul")
    assert len(mentioned.find_all("li")) == MAP_LIMIT + 4 + 2  # every spoke, alpha (via [[gamma]]), the article
