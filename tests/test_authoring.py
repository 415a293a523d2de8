"""`python -m macros new`: a complete starting file, messages that say what to fill in, and no clobbering."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import build, checksums, make_project
from conftest import run_cli as run

from macros.authoring import new_entry_text, slug_for
from macros.model import SCHEMA_LINE
from macros.registry import load_glossary
from macros.validate import schema_validator

NEW_PROBLEMS = [
    "glossary/epsilon-messenger.yaml:11: summary: is empty; it must be one paragraph of 1-3 sentences (at most "
    "600 characters): the page lead, the tooltip and the meta description",
    "glossary/epsilon-messenger.yaml:13: context: must not be empty: write the text of this section",
    "glossary/epsilon-messenger.yaml:15: significance: must not be empty: write the text of this section",
    "glossary/epsilon-messenger.yaml:17: mechanism: must not be empty: write the text of this section",
    "glossary/epsilon-messenger.yaml:19: application: must not be empty: write the text of this section",
    "glossary/epsilon-messenger.yaml:21: metric: must not be empty: write the text of this section",
    "glossary/epsilon-messenger.yaml:24: risk.level: is empty; write one of: low, moderate, high",
    "glossary/epsilon-messenger.yaml:26: risk.text: must not be empty: write the text of this section",
    "glossary/epsilon-messenger.yaml:44: evidence: is empty; write one of: established, emerging, limited, contested",
    "glossary/epsilon-messenger.yaml:46: references: must list at least one key of the bibliography "
    "(glossary/_references.yaml)",
    "glossary/epsilon-messenger.yaml:48: reviewed: is empty; it must be a date written as YYYY-MM-DD",
]

#: What an author types into the new file: (the placeholder line, what replaces it).
FILLED = [
    ("summary:\n", "summary: A made-up messenger written with `new`, linked to [[alpha]].\n"),
    ("context:\n", "context: Epsilon context text.\n"),
    ("significance:\n", "significance: Epsilon significance text.\n"),
    ("mechanism:\n", "mechanism: Epsilon mechanism text [@review].\n"),
    ("application:\n", "application: Epsilon application text.\n"),
    ("metric:\n", "metric: Epsilon metric text.\n"),
    ("  level:\n", "  level: low\n"),
    ("  text:\n", "  text: Epsilon is harmless [@review].\n"),
    ("related: []\n", "related: [alpha]\n"),
    ("evidence:\n", "evidence: emerging\n"),
    ("references: []\n", "references: [review]\n"),
    ("reviewed:\n", "reviewed: 2026-11-20\n"),
    ("status: draft\n", "status: published\n"),
]


def test_new_writes_every_field_and_check_names_each_one_to_fill(tmp_path: Path) -> None:
    """`new` prints the path of a file with the schema line and every field; `check` then lists exactly
    the empty required fields, each on its own line, and nothing else."""
    project = make_project(tmp_path / "p")
    result = run("new", "Epsilon Messenger", cwd=project)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "glossary/epsilon-messenger.yaml\n"
    assert "status: draft" in result.stderr and "make check" in result.stderr
    text = (project / "glossary/epsilon-messenger.yaml").read_text(encoding="utf-8")
    assert text.startswith(SCHEMA_LINE + "\n")
    fields = schema_validator().schema["properties"]
    written = {line.lstrip("# -").split(":")[0].strip() for line in text.splitlines() if ":" in line}
    assert set(fields) <= written, set(fields) - written
    lines = text.splitlines()
    for index, line in enumerate(lines):  # each field has its own comment just above it
        if line and not line.startswith(("#", " ", "-")) and line != "risk:":
            assert lines[index - 1].startswith("#"), f"no comment above {line!r}"
    check = run("check", cwd=project)
    assert check.returncode == 1
    assert [line for line in check.stdout.splitlines() if "epsilon" in line] == NEW_PROBLEMS
    assert all(line.startswith("glossary/epsilon-messenger.yaml:") for line in check.stdout.splitlines())


def test_new_then_editing_gives_a_page(tmp_path: Path) -> None:
    """An author fills in the fields `check` named and publishes: the check is clean and the page is built."""
    project = make_project(tmp_path / "p")
    assert run("new", "Epsilon Messenger", cwd=project).returncode == 0
    path = project / "glossary/epsilon-messenger.yaml"
    text = path.read_text(encoding="utf-8")
    for placeholder, value in FILLED:
        assert text.count(placeholder) == 1, placeholder
        text = text.replace(placeholder, value)
    path.write_text(text, encoding="utf-8")
    check = run("check", cwd=project)
    assert check.returncode == 0, check.stdout
    built = build(project)
    assert built.ok, built.output
    article = built.html("glossary/epsilon-messenger/index.html").find("article")
    assert article.h1.get_text(strip=True).rstrip("¶") == "Epsilon Messenger"
    assert "A made-up messenger written with new" in article.get_text(" ", strip=True)


@pytest.mark.parametrize(("args", "message"), [
    (["new", "Alpha"], "glossary/alpha.yaml already exists; edit that file"),
    (["new", "Gamma Thing", "--slug", "gamma"], "glossary/gamma.yaml already exists"),
    (["new", "Alphamine"], "'Alphamine' is already an alias of glossary/alpha.yaml:3"),
    (["new", "alpha messenger"], "'alpha messenger' is already the term of glossary/alpha.yaml:2"),
    (["new", "Delta Draft"], "'Delta Draft' is already the term of glossary/delta.yaml:2"),
    (["new", "Alpha-Messenger"], "its slug 'alpha-messenger' is the slug of 'Alpha Messenger', the term of "
                                 "glossary/alpha.yaml:2"),
    (["new", "Bad [name]"], "'Bad [name]' cannot be a term: it must be plain text of at most 120 characters"),
    (["new", ""], "a term cannot be empty"),
    (["new", "!!!"], "'!!!' gives no file name (a slug needs letters or digits); pass --slug"),
    (["new", "Fine Name", "--slug", "Not A Slug"], "'Not A Slug' cannot be a file name"),
    (["new"], "the following arguments are required: term"),
    (["new", "A", "B"], "unrecognized arguments: B"),
])
def test_new_refuses_bad_input_and_changes_nothing(tmp_path: Path, args: list[str], message: str) -> None:
    """Every refused `new` exits 2 with a message saying why, prints no path, and leaves every file as it was."""
    project = make_project(tmp_path / "p")
    before = checksums(project)
    result = run(*args, cwd=project)
    assert result.returncode == 2
    assert message in result.stderr
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert checksums(project) == before


def test_new_never_overwrites_a_file_an_author_just_wrote(tmp_path: Path) -> None:
    """A second `new` for the same term keeps the author's edits byte for byte."""
    project = make_project(tmp_path / "p")
    assert run("new", "Epsilon Messenger", cwd=project).returncode == 0
    path = project / "glossary/epsilon-messenger.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("context:\n", "context: My own words.\n"),
                    encoding="utf-8")
    before = checksums(project)
    again = run("new", "Epsilon Messenger", cwd=project)
    assert again.returncode == 2 and "already exists" in again.stderr
    assert checksums(project) == before


def test_slug_is_readable_for_accents_and_greek_letters() -> None:
    """File names are lowercase kebab-case ASCII that still say the name."""
    assert slug_for("GABA-A Receptor") == "gaba-a-receptor"
    assert slug_for("α-Synuclein") == "alpha-synuclein"
    assert slug_for("Café au lait spots") == "cafe-au-lait-spots"
    assert slug_for("Parkinson's disease") == "parkinsons-disease"


def test_new_template_quotes_terms_yaml_would_misread(tmp_path: Path) -> None:
    """A term with a colon or a leading quote is written so that it reads back unchanged."""
    project = make_project(tmp_path / "p")
    for term in ["Yes", "Reuptake: the basics", "'Quoted' term", "5-HT2A"]:
        result = run("new", term, cwd=project)
        assert result.returncode == 0, result.stderr
    glossary, _problems = load_glossary(project)
    assert {e.term for e in glossary.entries.values()} >= {"Yes", "Reuptake: the basics", "'Quoted' term", "5-HT2A"}
    assert "term: Epsilon" in new_entry_text("Epsilon")
