"""How a ``[[slug]]`` link shows its entry's term: in sentence case in running text ("by slow tapering"),
with acronyms and names kept, on pages, in tooltips and in the export alike (``model.term_in_sentence``)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from conftest import ROOT, make_project

from macros.export import export_markdown
from macros.model import starts_sentence, term_in_sentence
from macros.registry import load_glossary
from macros.render import Renderer


@pytest.mark.parametrize(("term", "mid", "start"), [
    ("Tapering", "tapering", "Tapering"),
    ("Serotonin Syndrome", "serotonin syndrome", "Serotonin syndrome"),
    ("Blood-Brain Barrier", "blood-brain barrier", "Blood-brain barrier"),
    ("Vitamin B6 (Pyridoxal Phosphate)", "vitamin B6 (pyridoxal phosphate)", "Vitamin B6 (pyridoxal phosphate)"),
    ("Catechol-O-Methyltransferase", "catechol-O-methyltransferase", "Catechol-O-methyltransferase"),
    ("Drug–Supplement Interactions", "drug–supplement interactions", "Drug–supplement interactions"),
    # acronyms, words with another capital or a digit, single letters: as written
    ("GABA", "GABA", "GABA"), ("MAOIs", "MAOIs", "MAOIs"), ("5-HTP", "5-HTP", "5-HTP"),
    ("SSRIs", "SSRIs", "SSRIs"), ("L-DOPA", "L-DOPA", "L-DOPA"), ("Z-drugs", "Z-drugs", "Z-drugs"),
    ("NMDA receptor", "NMDA receptor", "NMDA receptor"), ("GABA-A Receptor", "GABA-A receptor", "GABA-A receptor"),
    ("CBT for Insomnia", "CBT for insomnia", "CBT for insomnia"),
])
def test_a_term_is_written_as_a_sentence_shows_it(term: str, mid: str, start: str) -> None:
    assert term_in_sentence(term, sentence_start=False) == mid
    assert term_in_sentence(term, sentence_start=True) == start


def test_a_name_is_never_changed() -> None:
    for start in (True, False):
        assert term_in_sentence("St John's Wort", sentence_start=start, proper_noun=True) == "St John's Wort"
        assert term_in_sentence("Parkinson's Disease", sentence_start=start, proper_noun=True) == \
            "Parkinson's Disease"


@pytest.mark.parametrize(("before", "start"), [
    ("", True), ("Withdrawal is eased by slow ", False), ("It helps. ", True), ("It helps! ", True),
    ("Does it help? ", True), ("The answer: ", True), ("First line\n\n", True), ("- ", True), ("Steps:\n1. ", True),
    ("A list:\n- one\n- ", True), ("It helps.\n", True), ("a line that goes on\n", False), ("(see ", False),
    ("It helps. (", True), ("**Note:** ", True), ("It helps [@key]. ", True), ("It helps. [@key] ", True),
    ("other drugs, e.g. ", False), ("such as **", False), ('he said "stop." ', True), ("| ", True),
])
def test_where_a_sentence_starts(before: str, start: object) -> None:
    text = before + "[[x]] and more."
    assert starts_sentence(text, len(before)) is start


def _project(tmp_path: Path, **beta: object) -> Path:
    """The fixture site with Alpha's summary linking to Beta ("Beta Precursor") mid-sentence and at a start."""
    fixture = ROOT / "tests/fixtures/site/glossary"
    alpha = yaml.safe_load((fixture / "alpha.yaml").read_text(encoding="utf-8"))
    alpha["summary"] = "It is made from [[beta]]. [[beta]] comes first."
    data = yaml.safe_load((fixture / "beta.yaml").read_text(encoding="utf-8")) | beta
    schema = "# yaml-language-server: $schema=../macros/schemas/entry.schema.json\n"
    dump = lambda d: schema + yaml.safe_dump(d, sort_keys=False, allow_unicode=True, width=1000)  # noqa: E731
    return make_project(tmp_path / "p", {"glossary/alpha.yaml": dump(alpha), "glossary/beta.yaml": dump(data)})


def test_pages_tooltips_and_the_export_show_the_term_as_a_sentence_does(tmp_path: Path) -> None:
    """Mid-sentence a link reads "made from beta precursor", at a sentence start "Beta precursor comes first";
    the page, the tooltip and glossary.json agree. The term() macro of articles shows the term as written."""
    glossary, problems = load_glossary(_project(tmp_path))
    assert problems == []
    renderer = Renderer(glossary, ROOT / "overrides/glossary")
    alpha = glossary.entries["alpha"]
    page = renderer.markdown(alpha.summary, "glossary/alpha.md")
    assert page.startswith("It is made from [beta precursor](beta.md ")
    assert ". [Beta precursor](beta.md " in page
    assert renderer.tooltip(alpha) == "It is made from beta precursor. Beta precursor comes first."
    assert export_markdown(alpha.summary, glossary, lambda slug: f"{slug}/") == \
        "It is made from [beta precursor](beta/). [Beta precursor](beta/) comes first."
    assert renderer.link("beta", None, "index.md").startswith("[Beta Precursor](")  # {{ term('beta') }}
    assert renderer.markdown("See [[beta|Beta Precursor]].", "index.md").startswith("See [Beta Precursor](")


def test_proper_noun_keeps_the_term_as_written(tmp_path: Path) -> None:
    glossary, problems = load_glossary(_project(tmp_path, proper_noun=True))
    assert problems == []
    renderer = Renderer(glossary, ROOT / "overrides/glossary")
    assert renderer.tooltip(glossary.entries["alpha"]) == "It is made from Beta Precursor. Beta Precursor comes first."


def test_proper_noun_must_be_true_or_false(tmp_path: Path) -> None:
    _glossary, problems = load_glossary(_project(tmp_path, proper_noun="yes"))
    line = next(n for n, text in enumerate((tmp_path / "p/glossary/beta.yaml").read_text().splitlines(), 1)
                if text.startswith("proper_noun:"))
    assert [str(p) for p in problems] == [f"glossary/beta.yaml:{line}: proper_noun: must be true or false, not text"]
