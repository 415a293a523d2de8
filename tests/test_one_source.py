"""Each fact has one home, or a test that ties its copies together: the enums of the model and of the
schema, the section headings, the slug rule, the link grammar, the articles folder, the watched folders."""

from __future__ import annotations

import json

from conftest import ROOT

from macros import model, serve
from macros.authoring import FIELD_HELP
from macros.render import tag_label

SCHEMA = json.loads((ROOT / "macros/schemas/entry.schema.json").read_text(encoding="utf-8"))


def test_the_model_and_the_schema_allow_the_same_values() -> None:
    """Evidence levels and risk levels: the schema's enums are the model's labels, in the same order; the
    help `new` writes beside each field lists the same values."""
    evidence = SCHEMA["properties"]["evidence"]["enum"]
    risk = SCHEMA["properties"]["risk"]["properties"]["level"]["enum"]
    assert evidence == list(model.EVIDENCE_LEVELS) == list(model.EVIDENCE_LABELS) == list(model.EVIDENCE_MEANINGS)
    assert risk == list(model.RISK_LABELS) == list(model.RISK_ADMONITION)
    assert FIELD_HELP["evidence"].endswith(" | ".join(evidence))
    assert FIELD_HELP["risk.level"].endswith(" | ".join(risk))


def test_the_sections_are_the_schema_fields_in_page_order() -> None:
    """The fixed sections are fields of the schema, in the schema's order (the page order)."""
    fields = list(SCHEMA["properties"])
    assert [f for f in fields if f in model.SECTIONS] == list(model.SECTIONS)
    assert all(field in fields for field in ("summary", "risk", "origin"))


def test_one_slug_rule_and_one_link_grammar() -> None:
    """The slug rule gives file names the slug pattern accepts; the link grammar reads what authors write."""
    for name in ("GABA-A Receptor", "α-Synuclein", "Café au lait", "Parkinson’s disease", " 5-HTP "):
        assert model.SLUG.match(model.slugify(name)), name
    assert model.wikilinks("see [[gaba]] and [[ dopamine | the messenger ]]") == [
        ("gaba", None, "[[gaba]]"), ("dopamine", "the messenger", "[[ dopamine | the messenger ]]")]
    assert tag_label("body-systems") == "Body systems"


def test_articles_and_watched_folders_have_one_home() -> None:
    """The articles folder exists in the real docs folder; `mkdocs serve` watches the project's source folders."""
    assert (ROOT / "content" / model.ARTICLES_DIR).is_dir()
    assert model.is_article(f"{model.ARTICLES_DIR}/x.md") and not model.is_article("about.md")
    assert all((ROOT / folder).is_dir() for folder in serve.WATCHED)
