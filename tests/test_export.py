"""glossary.json: every published entry for other tools, valid against the schema published beside it."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

from conftest import FIXTURE_SITE, ROOT, SITE_URL, BuildResult
from jsonschema import Draft202012Validator, FormatChecker

from macros.citations import strip_citations
from macros.export import EXPORT_SCHEMA, EXPORT_VERSION
from macros.model import starts_sentence
from macros.registry import load_glossary
from macros.render import Renderer


def _validator(site: Path) -> Draft202012Validator:
    """The schema as published in the built site (not the source copy), checked to be a valid schema."""
    schema = json.loads((site / "glossary.schema.json").read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=FormatChecker())


def _words(markdown: str, glossary: Any) -> str:
    """Markdown with both kinds of links reduced to their shown text (a term as a sentence shows it: see
    test_link_case.py), citations taken out, spaces normalised."""
    markdown = strip_citations(markdown)
    markdown = re.sub(r"\[\[\s*([^\]|]+?)\s*(?:\|\s*([^\]]*?)\s*)?\]\]",
                      lambda m: m.group(2) or glossary.entries[m.group(1)].term_in_sentence(
                          sentence_start=starts_sentence(m.string, m.start())), markdown)
    return " ".join(re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", markdown).split())


def _export(site: Path) -> dict[str, Any]:
    return json.loads((site / "glossary.json").read_text(encoding="utf-8"))


def test_real_export_validates_against_its_published_schema(real_site: Path) -> None:
    """glossary.json validates against glossary.schema.json beside it, which is the schema in the repository."""
    assert (real_site / "glossary.schema.json").read_text(encoding="utf-8") == \
        EXPORT_SCHEMA.read_text(encoding="utf-8")
    data = _export(real_site)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in _validator(real_site).iter_errors(data)]
    assert errors == []
    assert data["version"] == EXPORT_VERSION
    assert data["$schema"] == f"{SITE_URL}glossary.schema.json"


def test_real_export_holds_every_entry_as_written(real_site: Path) -> None:
    """Each published entry is exported with its fields, its text as Markdown, its references resolved to
    the bibliography and the URL of a page that exists."""
    glossary, _ = load_glossary(ROOT)
    renderer = Renderer(glossary, ROOT / "overrides/glossary")
    data = _export(real_site)
    published = glossary.published()
    assert data["count"] == len(published) == len(data["entries"])
    assert [e["slug"] for e in data["entries"]] == [e.slug for e in published]
    assert data["reviewed"] == max(e.reviewed for e in published).isoformat()
    for record, entry in zip(data["entries"], published, strict=True):
        assert record["term"] == entry.term and record["aliases"] == entry.aliases
        assert record["url"] == f"{SITE_URL}glossary/{entry.slug}/"
        assert (real_site / "glossary" / entry.slug / "index.html").exists()
        assert record["description"] == renderer.tooltip(entry)
        assert record["risk"]["level"] == entry.risk_level
        assert record["evidence"] == entry.evidence
        assert record["related"] == entry.related and record["tags"] == entry.tags
        assert record["precursor_of"] == entry.precursor_of
        assert record["reviewed"] == entry.reviewed.isoformat()
        assert [r["key"] for r in record["references"]] == entry.references
        for ref in record["references"]:
            source = glossary.references[ref["key"]].data
            assert ref["title"] == source["title"]
            assert "supports" not in ref and "caution" not in ref   # notes for authors stay out
        texts = [record["summary"], record["risk"]["text"], *record["sections"].values(), record["origin"] or ""]
        for text in texts:
            assert "[[" not in text, entry.path
            for url in re.findall(r"\]\((" + re.escape(SITE_URL) + r"[^)]*)\)", text):
                assert (real_site / url[len(SITE_URL):] / "index.html").exists(), url
        for name, text in record["sections"].items():
            assert _words(text, glossary) == _words(entry.field_text(name), glossary), (entry.path, name)


def test_wikilinks_become_markdown_links_to_the_pages(fixture_build: BuildResult) -> None:
    """[[slug]] and [[slug|text]] are exported as [term](url) and [text](url); without site_url the URL is
    relative to glossary.json and leads to the page."""
    data = _export(fixture_build.site)
    alpha = next(e for e in data["entries"] if e["slug"] == "alpha")
    assert alpha["summary"] == "A made-up messenger used to test the generator; it links to " \
                               "[beta precursor](glossary/beta/)."
    assert alpha["sections"]["significance"] == "Alpha significance text, see [the gamma receptor](glossary/gamma/)."
    assert alpha["url"] == "glossary/alpha/" and (fixture_build.site / alpha["url"] / "index.html").exists()
    assert alpha["origin"] == "Alpha was named for testing."
    assert alpha["risk"] == {"level": "high", "label": "High risk",
                             "text": "Alpha can be dangerous; talk to a prescriber."}
    beta = next(e for e in data["entries"] if e["slug"] == "beta")
    assert beta["origin"] is None
    assert beta["references"][1] == {"key": "review", "type": "review", "title": "A Review of Messengers",
                                     "authors": "Example C", "year": 2021, "identifiers": {"doi": "10.0000/example"}}
    assert data["url"] == "" and data["$schema"] == "glossary.schema.json"
    assert _validator(fixture_build.site).is_valid(data)


def test_drafts_are_not_exported(fixture_build: BuildResult) -> None:
    """The draft entry of the fixture site is missing from the export, like from the site."""
    slugs = [e["slug"] for e in _export(fixture_build.site)["entries"]]
    assert slugs == ["alpha", "beta", "gamma"]


def test_schema_rejects_a_broken_export(fixture_build: BuildResult) -> None:
    """The schema is not a formality: a missing field, an unknown risk level or a bad date are caught."""
    validator = _validator(fixture_build.site)
    data = _export(fixture_build.site)
    for change in [lambda d: d["entries"][0].pop("summary"), lambda d: d.pop("version"),
                   lambda d: d["entries"][0]["risk"].update(level="severe"),
                   lambda d: d["entries"][0].update(reviewed="21/11/2026"),
                   lambda d: d["entries"][0]["references"].append({"title": "no key"}),
                   lambda d: d["entries"][0].update(extra=1)]:
        broken = copy.deepcopy(data)
        change(broken)
        assert not validator.is_valid(broken)


def test_export_is_reproducible(site_factory, fixture_build: BuildResult) -> None:
    """Two builds of the same glossary give the same bytes: no build time inside the export."""
    again = site_factory()
    assert again.ok, again.output
    assert (again.site / "glossary.json").read_bytes() == (fixture_build.site / "glossary.json").read_bytes()


def test_a_hand_written_glossary_json_is_never_overwritten(site_factory) -> None:
    """An author's own content/glossary.json stops the build with a located message instead of being replaced."""
    result = site_factory({"content/glossary.json": "{}"})
    assert not result.ok
    assert "content/glossary.json:1: (file): this file would hide the glossary.json generated" in result.output


def test_export_text_with_markup_round_trips(site_factory) -> None:
    """Quotes, ampersands and angle brackets in an entry come back from the JSON exactly as written."""
    text = 'Uses `</script>` & "quotes"; see [[gamma]].'
    alpha = (FIXTURE_SITE / "glossary/alpha.yaml").read_text(encoding="utf-8")
    alpha = alpha.replace("application: Alpha application text.", f"application: {json.dumps(text)}")
    result = site_factory({"glossary/alpha.yaml": alpha})
    assert result.ok, result.output
    record = next(e for e in _export(result.site)["entries"] if e["slug"] == "alpha")
    assert record["sections"]["application"] == 'Uses `</script>` & "quotes"; see [gamma receptor](glossary/gamma/).'


def test_extra_sections_are_exported_with_their_links(site_factory) -> None:
    """Sections kept from an import are exported too, headings and Markdown, so no text is left out."""
    alpha = (FIXTURE_SITE / "glossary/alpha.yaml").read_text(encoding="utf-8")
    alpha = alpha.replace("origin: Alpha was named for testing.\n", "origin: Alpha was named for testing.\n"
                          "extra_sections:\n- heading: History\n  text: Named after [[gamma]].\n")
    result = site_factory({"glossary/alpha.yaml": alpha})
    assert result.ok, result.output
    data = _export(result.site)
    record = next(e for e in data["entries"] if e["slug"] == "alpha")
    assert record["extra_sections"] == [{"heading": "History",
                                         "text": "Named after [gamma receptor](glossary/gamma/)."}]
    assert _validator(result.site).is_valid(data)


def test_a_to_z_page_points_to_the_export(fixture_build: BuildResult) -> None:
    """The A-Z page announces glossary.json with a link rel=alternate that leads to the file."""
    links = fixture_build.html("glossary/index.html").find_all("link", rel="alternate", type="application/json")
    assert [link["href"] for link in links] == ["../glossary.json"]
    assert (fixture_build.site / "glossary.json").exists()
    assert fixture_build.html("glossary/alpha/index.html").find("link", type="application/json") is None
