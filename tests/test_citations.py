"""Inline citations, the References list, the typed bibliography and review dates (issue 13).

Fixture sites are built in a temporary folder and read with a real HTML parser.
"""

from __future__ import annotations

import datetime as _dt
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from bs4 import BeautifulSoup
from conftest import FIXTURE_SITE, ROOT, BuildResult, make_project, run_cli

from macros.citations import (
    PUBLIC_FIELDS,
    creative_work,
    extract_citations,
    number_citations,
    reference_html,
    scan,
    strip_citations,
)
from macros.registry import load_glossary

ALPHA = (FIXTURE_SITE / "glossary/alpha.yaml").read_text(encoding="utf-8")
REFERENCES = (FIXTURE_SITE / "glossary/_references.yaml").read_text(encoding="utf-8")
#: A third source: listed by alpha but never cited, so it is Further reading; its notes must never show.
EXTRA = """- key: extra
  type: guideline
  title: An Extra Guideline
  authors: Example Agency
  year: 2024
  url: https://example.org/guideline
  supports: INTERNAL-NOTE-supports of the guideline.
  caution: INTERNAL-NOTE-caution of the guideline.
  verification: INTERNAL-NOTE-verification of the guideline.
"""
#: Alpha citing in page order: summary (review), mechanism (textbook with a page), risk (both), origin (review).
CITING_ALPHA = (ALPHA
                .replace("it links to [[beta]].", "it links to [[beta]] [@review].")
                .replace("[@textbook]", "[@textbook; @review]")
                .replace("origin: Alpha was named for testing.", "origin: Alpha was named for testing [@review].")
                .replace("references: [textbook, review]", "references: [textbook, review, extra]"))
CITING_FILES = {"glossary/alpha.yaml": CITING_ALPHA, "glossary/_references.yaml": REFERENCES + EXTRA}


def _soup(result: BuildResult, path: str) -> BeautifulSoup:
    return result.html(path)


def _jsonld(soup: BeautifulSoup) -> list[dict[str, Any]]:
    return [json.loads(s.string) for s in soup.find_all("script", type="application/ld+json")]


def _page_node(soup: BeautifulSoup) -> dict[str, Any]:
    for block in _jsonld(soup):
        for node in block.get("@graph", [block]):
            if node.get("@type") == "MedicalWebPage":
                return node
    raise AssertionError("no MedicalWebPage in the JSON-LD")


def _article(soup: BeautifulSoup) -> BeautifulSoup:
    return soup.find("article")


# -- the parser -------------------------------------------------------------------------------------------------

def test_the_three_forms_are_read_with_keys_and_locators() -> None:
    """[@key], [@key, p. 212] and [@key1; @key2] give their keys and locators, in order."""
    cites, bad = scan("One [@a]. Two [@b, p. 212]. Three [@c; @d, pp. 3-4].")
    assert bad == []
    assert [c.items for c in cites] == [(("a", None),), (("b", "p. 212"),), (("c", None), ("d", "pp. 3-4"))]


def test_code_escapes_links_and_emails_are_not_citations() -> None:
    """`[@a]` in code, \\[@a], a Markdown link [@name](url) and an e-mail address are left alone."""
    text = "Code `[@a]`, escaped \\[@b], link [@handle](https://example.org), mail me@example.org."
    assert scan(text) == ([], [])
    fenced = "Intro.\n\n```\n[@a]\n```\n"
    assert scan(fenced, fences=True) == ([], [])


@pytest.mark.parametrize(("text", "reason"), [
    ("[@a, @b]", "separate several sources with ';'"),
    ("[@a; b]", "'b' needs an @"),
    ("[@a;]", "nothing between two ';'"),
    ("[@a, ]", "the ',' has no page"),
    ("[@a b]", "one word after @"),
    ("text [@a and more", "closing ']' is missing"),
])
def test_malformed_citations_say_what_to_write(text: str, reason: str) -> None:
    """Each kind of malformed citation is found, and its reason names the fix."""
    cites, bad = scan(text)
    assert cites == [] and len(bad) == 1 and reason in bad[0].reason, bad


def test_stripping_takes_out_citations_and_the_space_before_them() -> None:
    """Tooltips and descriptions read as plain sentences; the export keeps each citation and where it stood."""
    text = "Alpha works [@a]. Beta too [@b, p. 3; @c]."
    assert strip_citations(text) == "Alpha works. Beta too."
    bare, data = extract_citations(text)
    assert bare == "Alpha works. Beta too."
    assert data == [{"key": "a", "offset": 11}, {"key": "b", "offset": 21, "locator": "p. 3"},
                    {"key": "c", "offset": 21}]
    assert bare[:11] == "Alpha works" and bare[:21] == "Alpha works. Beta too"


def test_numbers_follow_first_citation_and_each_place_is_recorded() -> None:
    """A key keeps the number of its first citation; every citation gets its own anchor and section label."""
    page = "# T\n\nLead [@b].\n\n## Mechanism\n\nX [@a; @b, p. 2].\n\n## Risk\n\nY [@a]. Z [@a].\n"
    done = number_citations(page, {"a": {}, "b": {}}, "Summary")
    assert done.order == ["b", "a"]
    assert done.places == {"b": [("cite-b-1", "Summary"), ("cite-b-2", "Mechanism")],
                           "a": [("cite-a-1", "Mechanism"), ("cite-a-2", "Risk"), ("cite-a-3", "Risk (2)")]}
    soup = BeautifulSoup(done.markdown, "html.parser")
    assert [a.get_text() for a in soup.select("a.glossary-cite")] == ["1", "2", "1", "2", "2"]
    assert "[@" not in done.markdown


# -- concept pages ------------------------------------------------------------------------------------------------

def test_concept_page_numbers_citations_and_every_link_resolves(site_factory: Callable[..., BuildResult]) -> None:
    """Citations are superscript links numbered by first citation; every #ref- and back-link target is on
    the page; the list has the cited works in that order, then the uncited key under Further reading."""
    result = site_factory(CITING_FILES)
    assert result.ok, result.output
    soup = _soup(result, "glossary/alpha/index.html")
    article = _article(soup)
    cites = article.select("sup > a.glossary-cite")
    assert cites, "no citation links"
    assert [a["href"] for a in cites] == ["#ref-review", "#ref-textbook", "#ref-textbook", "#ref-review",
                                         "#ref-review"]
    numbers = {a["href"]: a.get_text() for a in cites}
    assert numbers == {"#ref-review": "1", "#ref-textbook": "2"}
    ids = {tag["id"] for tag in soup.find_all(id=True)}
    for link in article.find_all("a", href=re.compile("^#")):
        assert link["href"][1:] in ids, f"{link['href']} does not resolve on the page"
    cited = article.select("ol.glossary-references > li")
    assert [li["id"] for li in cited] == ["ref-review", "ref-textbook"]
    backs = [a.get_text() for a in cited[0].select(".glossary-backrefs a")]
    assert backs == ["Summary", "Risk", "Origin"]
    assert [a["href"] for a in cited[1].select(".glossary-backrefs a")] == ["#cite-textbook-1", "#cite-textbook-2"]
    further = article.find(id="further-reading")
    assert further is not None
    assert [li["id"] for li in article.select("ul.glossary-further-reading > li")] == ["ref-extra"]
    locator = article.find("a", id="cite-textbook-1").parent
    assert "p. 12" in locator.get_text()
    assert "[@" not in article.get_text()


def test_tooltips_descriptions_export_and_json_ld_never_show_the_syntax(
        site_factory: Callable[..., BuildResult]) -> None:
    """The summary cites, yet link tooltips, the meta and Open Graph descriptions, the JSON-LD and
    glossary.json carry plain sentences; the export keeps the citations as data instead."""
    result = site_factory(CITING_FILES)
    assert result.ok, result.output
    plain = "A made-up messenger used to test the generator; it links to beta precursor."
    beta = _soup(result, "glossary/beta/index.html")
    assert [a["title"] for a in beta.find_all("a", href="../alpha/") if a.get("title")][0] == plain
    alpha = _soup(result, "glossary/alpha/index.html")
    assert alpha.find("meta", attrs={"name": "description"})["content"] == plain
    assert alpha.find("meta", property="og:description")["content"] == plain
    for block in _jsonld(alpha):
        assert "[@" not in json.dumps(block)
    export_text = (result.site / "glossary.json").read_text(encoding="utf-8")
    assert "[@" not in export_text
    entry = next(e for e in json.loads(export_text)["entries"] if e["slug"] == "alpha")
    assert entry["summary"].endswith("[beta precursor](glossary/beta/).")
    assert entry["citations"]["summary"] == [{"key": "review", "offset": len(entry["summary"]) - 1}]
    assert entry["citations"]["risk.text"] == [{"key": "textbook", "offset": 44}, {"key": "review", "offset": 44}]
    assert entry["citations"]["mechanism"][0]["locator"] == "p. 12"
    tags = (result.site / "tags/messengers/index.html").read_text(encoding="utf-8")
    assert "[@" not in tags


def test_json_ld_gives_the_cited_works_as_creative_works(site_factory: Callable[..., BuildResult]) -> None:
    """The concept page's MedicalWebPage lists each cited work once, in citation order, as a CreativeWork
    with its name, author, date and DOI; the uncited further reading is not a citation."""
    result = site_factory(CITING_FILES)
    node = _page_node(_soup(result, "glossary/alpha/index.html"))
    works = node["citation"]
    assert [w["name"] for w in works] == ["A Review of Messengers", "A Textbook of Neuroscience"]
    assert all(w["@type"] == "CreativeWork" for w in works)
    assert works[0]["author"] == "Example C" and works[0]["datePublished"] == "2021"
    assert works[0]["url"] == "https://doi.org/10.0000/example"
    assert {"@type": "PropertyValue", "propertyID": "doi", "value": "10.0000/example"} in works[0]["identifier"]
    assert node["lastReviewed"] == "2026-11-01" and "reviewedBy" not in node


def test_no_internal_note_reaches_any_built_file(site_factory: Callable[..., BuildResult]) -> None:
    """supports, caution and verification of every source (cited, listed or neither) appear in no built
    file: no page, search index, sitemap, export or JSON-LD."""
    result = site_factory(CITING_FILES)
    assert result.ok, result.output
    leaks = [path.relative_to(result.site).as_posix() for path in result.site.rglob("*")
             if path.is_file() and path.suffix in (".html", ".json", ".xml", ".js", ".txt")
             and "INTERNAL-NOTE" in path.read_text(encoding="utf-8", errors="replace")]
    assert leaks == []
    text = _article(_soup(result, "glossary/alpha/index.html")).get_text(" ")
    assert "An Extra Guideline" in text and "A Textbook of Neuroscience" in text  # the sources themselves show


def test_references_render_public_fields_only() -> None:
    """The HTML of a record is the same with or without its author notes, and shows its public details."""
    record = {"key": "k", "type": "review", "title": "A <Title>", "authors": "A B", "year": 2020,
              "publisher_or_journal": "J", "volume_pages": "1(2):3-4", "identifiers": {"doi": "10.1/x"},
              "supports": "S-NOTE", "caution": "C-NOTE", "verification": "V-NOTE"}
    public = {k: v for k, v in record.items() if k in PUBLIC_FIELDS}
    assert reference_html(record) == reference_html(public)
    assert reference_html(record) == ('A B (2020). <cite>A &lt;Title&gt;</cite>. J. 1(2):3-4. '
                                      '<a href="https://doi.org/10.1/x">doi:10.1/x</a>')
    assert "NOTE" not in json.dumps(creative_work(record))


def _style(project: Path, settings: str) -> None:
    """The fixture's glossary/_style.yaml (which lifts the readability limits) with these settings added."""
    fixture = (FIXTURE_SITE / "glossary/_style.yaml").read_text(encoding="utf-8")
    (project / "glossary/_style.yaml").write_text(fixture + settings, encoding="utf-8")


# -- articles ------------------------------------------------------------------------------------------------------

STORY = """# A story about alpha

Alpha is a made-up messenger [@review].

## What it does

It does made-up things [@textbook, p. 7], as the callout says.

{{ risk('alpha') }}

{{ references() }}

## Sources

The list above gives them.
"""


def test_article_citations_share_one_numbering_with_the_macros(site_factory: Callable[..., BuildResult]) -> None:
    """An article's own citations and those inside a risk callout it shows are numbered together, and the
    References list stands where {{ references() }} puts it, every link resolving."""
    files = {**CITING_FILES, "content/articles/story.md": STORY}
    result = site_factory(files)
    assert result.ok, result.output
    soup = _soup(result, "articles/story/index.html")
    article = _article(soup)
    hrefs = [a["href"] for a in article.select("a.glossary-cite")]
    assert hrefs == ["#ref-review", "#ref-textbook", "#ref-textbook", "#ref-review"]
    assert [a.get_text() for a in article.select("a.glossary-cite")] == ["1", "2", "2", "1"]
    ids = {tag["id"] for tag in soup.find_all(id=True)}
    assert all(a["href"][1:] in ids for a in article.find_all("a", href=re.compile("^#")))
    headings = [h["id"] for h in article.find_all("h2")]
    assert headings == ["what-it-does", "references", "sources"]
    assert [li["id"] for li in article.select("ol.glossary-references > li")] == ["ref-review", "ref-textbook"]
    backs = [a.get_text() for a in article.select("#ref-review .glossary-backrefs a")]
    assert backs == ["Introduction", "What it does"]


def test_article_section_without_citation_fails_check(tmp_path: Path) -> None:
    """check names the article's uncited section at its heading line; listing the heading as exempt in
    glossary/_style.yaml, or turning the rule off there, clears it."""
    story = STORY.replace("## Sources\n\nThe list above gives them.\n", "## Facts\n\nAlpha is blue.\n")
    project = make_project(tmp_path / "p", {"content/articles/story.md": story})
    result = run_cli("check", cwd=project)
    assert result.returncode == 1
    assert result.stdout.startswith("content/articles/story.md:13: ## Facts: this section cites no source")
    _style(project, "citations:\n  article_sections_exempt: [facts]\n")
    assert run_cli("check", cwd=project).returncode == 0
    _style(project, "citations:\n  article_sections: false\n")
    assert run_cli("check", cwd=project).returncode == 0


# -- the rules stop the build -------------------------------------------------------------------------------------

def test_unknown_key_stops_check_and_build_at_its_line(tmp_path: Path,
                                                      site_factory: Callable[..., BuildResult]) -> None:
    """A misspelt key is reported as path:line: field: with the nearest key, by check (exit 1) and by the
    build, which stops."""
    wrong = {"glossary/alpha.yaml": ALPHA.replace("[@textbook]", "[@textbok]")}
    message = ("glossary/alpha.yaml:13: risk.text: unknown citation key 'textbok' (did you mean 'textbook'?); "
               "cite a key of glossary/_references.yaml, or add the source there first")
    project = make_project(tmp_path / "p", wrong)
    result = run_cli("check", cwd=project)
    assert result.returncode == 1 and message in result.stdout.splitlines()
    build = site_factory(wrong)
    assert not build.ok and message in build.output


def test_required_fields_come_from_the_style_file(tmp_path: Path) -> None:
    """Published entries must cite in mechanism and risk.text by default; glossary/_style.yaml changes the list."""
    uncited = ALPHA.replace(" [@textbook, p. 12]", "").replace(" [@textbook]", "")
    project = make_project(tmp_path / "p", {"glossary/alpha.yaml": uncited})
    problems = [str(p) for p in load_glossary(project)[1]]
    assert [p.split(": cites")[0] for p in problems] == ["glossary/alpha.yaml:8: mechanism",
                                                          "glossary/alpha.yaml:13: risk.text"]
    _style(project, "citations:\n  required: [summary]\n")
    problems = [str(p) for p in load_glossary(project)[1]]
    assert [p.split(": cites")[0] for p in problems] == ["glossary/alpha.yaml:4: summary",
                                                          "glossary/beta.yaml:3: summary",
                                                          "glossary/gamma.yaml:3: summary"]


# -- review dates --------------------------------------------------------------------------------------------------

def test_pages_show_review_dates_and_an_overdue_page_says_so(site_factory: Callable[..., BuildResult],
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """The bottom of every concept page says when it was last reviewed and when the next review is due
    (reviewed + 3 years by default); once the build date passes that, a notice at the top tells readers."""
    monkeypatch.setenv("GLOSSARY_BUILD_DATE", "2029-11-01")
    on_time = site_factory()
    assert on_time.ok, on_time.output
    article = _article(_soup(on_time, "glossary/alpha/index.html"))
    footer = article.find(class_="glossary-review-dates")
    assert footer.get_text(" ", strip=True) == ("Page last reviewed: 1 November 2026 · "
                                                "Next review due: 1 November 2029")
    assert article.find(class_="glossary-review-due") is None
    assert "Last reviewed:" in article.find(class_="glossary-meta").get_text()  # the top line stays
    monkeypatch.setenv("GLOSSARY_BUILD_DATE", "2029-11-02")
    late = site_factory()
    notice = _article(_soup(late, "glossary/alpha/index.html")).find(class_="glossary-review-due")
    assert notice is not None
    assert "due for review" in notice.get_text() and "1 November 2029" in notice.get_text()
    assert notice.find_previous(class_="glossary-meta") is not None  # near the top, before the sections
    assert notice.find_next("h2")["id"] == "context"


def test_next_review_and_reviewed_by_reach_the_page_json_ld_and_export(
        site_factory: Callable[..., BuildResult], monkeypatch: pytest.MonkeyPatch) -> None:
    """A set next_review replaces the default and reviewed_by is named on the page, as reviewedBy in the
    JSON-LD and in glossary.json."""
    monkeypatch.setenv("GLOSSARY_BUILD_DATE", "2027-01-01")
    alpha = ALPHA.replace("reviewed: 2026-11-01", "reviewed: 2026-11-01\nnext_review: 2027-05-01\n"
                                                   "reviewed_by: Clinical pharmacist")
    result = site_factory({"glossary/alpha.yaml": alpha})
    assert result.ok, result.output
    soup = _soup(result, "glossary/alpha/index.html")
    assert _article(soup).find(class_="glossary-review-dates").get_text(" ", strip=True) == (
        "Page last reviewed: 1 November 2026 by Clinical pharmacist · Next review due: 1 May 2027")
    node = _page_node(soup)
    assert node["reviewedBy"] == "Clinical pharmacist" and node["lastReviewed"] == "2026-11-01"
    entry = next(e for e in json.loads((result.site / "glossary.json").read_text())["entries"]
                 if e["slug"] == "alpha")
    assert entry["next_review"] == "2027-05-01" and entry["reviewed_by"] == "Clinical pharmacist"


def test_check_warns_about_reviews_due_without_failing(tmp_path: Path) -> None:
    """A review past due is a warning at the reviewed line (exit 0); report lists it."""
    project = make_project(tmp_path / "p")
    assert run_cli("check", "--today", "2029-09-01", cwd=project).stdout == ""  # due that day: not yet late
    result = run_cli("check", "--today", "2029-09-02", cwd=project)
    assert result.returncode == 0, result.stdout
    assert result.stdout.splitlines() == [  # gamma, reviewed 2026-09-01; the draft delta is not a warning
        "glossary/gamma.yaml:15: reviewed: warning: the review was due on 2029-09-01; check the entry against its "
        "sources, then set reviewed to the date you did (and remove or move next_review)"]
    assert "1 warning" in result.stderr
    github = run_cli("check", "--today", "2029-09-02", "--format", "github", cwd=project)
    assert github.stdout.startswith("::warning file=glossary/gamma.yaml,line=15::")
    report = run_cli("report", "--today", "2029-09-02", cwd=project)
    assert "  glossary/gamma.yaml:15: Gamma Receptor: due 2029-09-01" in report.stdout.splitlines()


@pytest.mark.parametrize("written", [_dt.date(2026, 10, 1), _dt.datetime(2026, 10, 1, 9, 30), "2026-10-01"])
def test_reviewed_and_next_review_are_read_as_the_same_day(written: object) -> None:
    """``reviewed`` and ``next_review`` go through one parser (``model.as_date``): the page date, the JSON-LD
    lastReviewed and the due date agree whether YAML gave a date, a date with a time or a quoted date."""
    from macros.model import Entry, SourceMap, as_date
    from macros.review import next_review

    day = _dt.date(2026, 10, 1)
    entry = Entry(slug="e", path="glossary/e.yaml", data={"reviewed": written, "next_review": written},
                  source=SourceMap(lines={}))
    assert type(entry.reviewed) is _dt.date and entry.reviewed == day  # noqa: E721 - a datetime is not a day
    assert entry.reviewed.isoformat() == "2026-10-01"
    assert next_review(entry) == day == as_date(written)
    assert as_date(None) is None and as_date("1 October 2026") is None and as_date("2026-02-30") is None


# -- the real bibliography -----------------------------------------------------------------------------------------

#: Internal notes the clinical review (C12) found printed on public pages.
LEAKED = ["seen only in secondary news", "seen only in third-party", "Last revised in July 2013",
          "full author list not seen", "exact label title", "volume number omitted", "only on Wikipedia",
          "NBK id was NOT seen", "PMID taken from"]


def test_real_bibliography_is_typed_and_its_public_fields_hold_no_notes() -> None:
    """Every record of glossary/_references.yaml has a type, and no public field of any record carries
    one of the notes the clinical review found on pages; every note is still kept, in a private field."""
    data = yaml.safe_load((ROOT / "glossary/_references.yaml").read_text(encoding="utf-8"))["references"]
    assert data and all(r.get("type") for r in data)
    private = " ".join(str(r.get(k, "")) for r in data for k in ("supports", "caution", "verification"))
    for record in data:
        public = json.dumps({k: v for k, v in record.items() if k in PUBLIC_FIELDS})
        for phrase in LEAKED:
            assert phrase.casefold() not in public.casefold(), (record["key"], phrase)
        html = reference_html(record)
        for name in ("supports", "caution", "verification"):
            assert str(record.get(name) or "\0") not in html
    for phrase in LEAKED:
        assert phrase.casefold() in private.casefold(), f"the note '{phrase}' was lost"
