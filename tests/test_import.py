"""`python -m macros import`: the seed glossary pages become drafts, word for word; nothing is lost or clobbered.

The seed pages are read from ``../shared/seeds/`` at test time; their text is not committed here.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from pathlib import Path

import pytest
from conftest import ROOT, build, checksums, make_project
from conftest import run_cli as run

from macros.registry import load_glossary

SEEDS = ROOT.parent / "shared" / "seeds"
#: The headings of a glossary page and the field each fills; the test's own reading of the format.
HEADINGS = {"Context": "context", "Significance": "significance", "Mechanism": "mechanism",
            "Application": "application", "Metric": "metric", "Risk": "risk.text", "Origin": "origin"}




@pytest.fixture(scope="module")
def seeds() -> dict[str, list[Path]]:
    """The seed documents, split into glossary pages (they have heading lines) and the rest."""
    if not SEEDS.is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail(f"the seed documents are missing at {SEEDS}")
        pytest.skip("../shared/seeds is not beside the repository")
    files = sorted(SEEDS.glob("*.txt"))
    pages = [f for f in files if set(f.read_text(encoding="utf-8").split("\n")) & set(HEADINGS)]
    assert len(pages) == 3, f"expected the three glossary pages among {files}"
    return {"pages": pages, "others": [f for f in files if f not in pages]}


def expected_fields(path: Path) -> tuple[dict[str, list[str]], list[str]]:
    """The test's own reading of a seed page: paragraphs per field, and the boilerplate lines at the end."""
    lines = [line.strip() for line in path.read_text(encoding="utf-8").split("\n") if line.strip()]
    cut = next(i for i, line in enumerate(lines) if "cookies" in line.lower())
    body, boilerplate = lines[:cut], lines[cut:]
    fields: dict[str, list[str]] = {"summary": [body[0]]}
    current = "summary"
    for line in body[1:]:
        if line in HEADINGS:
            current = HEADINGS[line]
            fields[current] = []
        else:
            fields[current].append(line)
    return fields, boilerplate


def draft_text(entry, field: str) -> str:  # type: ignore[no-untyped-def]
    """A field's text as loaded by the project's own loader."""
    return entry.field_text(field)


def test_seed_pages_become_drafts_paragraph_for_paragraph(tmp_path: Path, seeds: dict[str, list[Path]]) -> None:
    """Importing the three seed glossary pages writes three drafts whose fields hold the source's paragraphs,
    unchanged and in order; every other line of the source is either there or listed as dropped boilerplate."""
    project = make_project(tmp_path / "p")
    before = checksums(project)
    result = run("import", *map(str, seeds["pages"]), cwd=project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "imported 3 of 3 files as drafts" in result.stderr
    after = checksums(project)
    assert {k: v for k, v in after.items() if k in before} == before, "an existing file changed"
    new_files = sorted(set(after) - set(before))
    assert len(new_files) == 3, new_files
    glossary, _problems = load_glossary(project)
    for source in seeds["pages"]:
        fields, boilerplate = expected_fields(source)
        block = result.stdout.split(f"{source}: became ")[1].split("\n\n")[0]
        target = block.split(" ")[0]
        entry = next(e for e in glossary.entries.values() if e.path == target)
        assert entry.status == "draft"
        assert fields["summary"][0].startswith(entry.term)
        for field, paragraphs in fields.items():
            assert draft_text(entry, field).split("\n\n") == paragraphs, f"{source.name}: {field}"
        kept = [p for name, _ in entry.text_fields() for p in draft_text(entry, name).split("\n\n") if p]
        source_lines = [line.strip() for line in source.read_text(encoding="utf-8").split("\n") if line.strip()]
        accounted = Counter(kept) + Counter(h for h in source_lines if h in HEADINGS) + Counter(boilerplate)
        assert accounted == Counter(source_lines), f"{source.name}: a line was lost or invented"
        assert f"dropped {len(boilerplate)} lines of site boilerplate" in block
        for line in boilerplate:
            assert f": {line}" in block, f"dropped line not listed: {line}"


def test_check_says_exactly_what_an_imported_draft_still_needs(tmp_path: Path, seeds: dict[str, list[Path]]) -> None:
    """`check` names, with file and line, each field the source could not give, and nothing else;
    the import prints the same list under each file."""
    project = make_project(tmp_path / "p")
    result = run("import", *map(str, seeds["pages"]), cwd=project)
    check = run("check", cwd=project)
    assert check.returncode == 1
    problems = check.stdout.splitlines()
    for source in seeds["pages"]:
        fields, _boilerplate = expected_fields(source)
        block = result.stdout.split(f"{source}: became ")[1].split("\n\n")[0]
        target = block.split(" ")[0]
        mine = [p for p in problems if p.startswith(f"{target}:")]
        named = [re.match(r"[^:]+:\d+: ([^:]+):", p).group(1) for p in mine]  # type: ignore[union-attr]
        missing = [f for f in ("context", "significance", "application", "metric") if f not in fields]
        missing_risk_text = ["risk.text"] if "risk.text" not in fields else []
        assert sorted(named) == sorted(missing + ["risk.level", *missing_risk_text, "evidence", "references",
                                                  "reviewed"]), mine
        text = (project / target).read_text(encoding="utf-8").splitlines()
        for problem in mine:
            line = int(problem.split(":")[1])
            field = problem.split(": ")[1].split(".")[-1]
            assert text[line - 1].strip().startswith(f"{field}:"), f"{problem} does not point at its field"
            assert problem.split(": ", 1)[1] in block, "the import did not list what check says"
        assert any("is empty; write one of: established, emerging, limited, contested" in p for p in mine)
        assert any("references: must list at least one key" in p for p in mine)
    assert all(p.split(":")[0] in {b for b in result.stdout.split() if b.startswith("glossary/")} for p in problems)


def test_the_article_seed_is_refused_by_name(tmp_path: Path, seeds: dict[str, list[Path]]) -> None:
    """A seed that is an article, not a glossary page, is refused with its file named and the reason;
    nothing is written."""
    project = make_project(tmp_path / "p")
    before = checksums(project)
    for other in seeds["others"]:
        result = run("import", str(other), cwd=project)
        assert result.returncode == 2
        assert result.stdout.startswith(f"{other}:1: (file): no known heading line (Application, Context, ")
        assert "not a glossary page" in result.stdout
    assert checksums(project) == before


def test_a_batch_imports_the_good_files_and_names_the_refused_one(tmp_path: Path,
                                                                  seeds: dict[str, list[Path]]) -> None:
    """All four seeds at once: three drafts, the article refused, each file reported on its own; exit 2."""
    project = make_project(tmp_path / "p")
    result = run("import", *map(str, sorted(SEEDS.glob("*.txt"))), cwd=project)
    assert result.returncode == 2
    assert "imported 3 of 4 files as drafts; 1 refused" in result.stderr
    for page in seeds["pages"]:
        assert f"{page}: became glossary/" in result.stdout
    for other in seeds["others"]:
        assert f"{other}:1: (file): no known heading line" in result.stdout
    entries = [p for p in (project / "glossary").glob("*.yaml") if not p.name.startswith("_")]
    assert len(entries) == 4 + 3  # the fixture's four entries and the three drafts


def test_import_never_overwrites_without_force(tmp_path: Path, seeds: dict[str, list[Path]]) -> None:
    """A second import of a page is refused and the author's edits survive byte for byte; --force replaces."""
    project = make_project(tmp_path / "p")
    page = str(seeds["pages"][0])
    first = run("import", page, cwd=project)
    assert first.returncode == 0
    target = project / first.stdout.split(" became ")[1].split(" ")[0]
    target.write_text(target.read_text(encoding="utf-8").replace("evidence:\n", "evidence: contested\n"),
                      encoding="utf-8")
    before = checksums(project)
    again = run("import", page, cwd=project)
    assert again.returncode == 2
    assert f"{page}: glossary/{target.name} already exists; nothing was written (pass --force" in again.stdout
    assert checksums(project) == before
    forced = run("import", "--force", page, cwd=project)
    assert forced.returncode == 0
    assert f"{page}: replaced glossary/{target.name}" in forced.stdout
    assert "evidence: contested" not in target.read_text(encoding="utf-8")


def test_import_refuses_a_term_that_is_another_entrys_alias(tmp_path: Path, seeds: dict[str, list[Path]]) -> None:
    """A page whose term is already an alias elsewhere is refused, naming that file and line."""
    project = make_project(tmp_path / "p")
    page = seeds["pages"][0]
    first = run("import", "--dry-run", str(page), cwd=project)
    term = first.stdout.split("term '")[1].split("'")[0]
    alpha = project / "glossary/alpha.yaml"
    alpha.write_text(alpha.read_text(encoding="utf-8").replace("aliases: [Alphamine]",
                                                               f"aliases: [Alphamine, {term.lower()}]"),
                     encoding="utf-8")
    before = checksums(project)
    result = run("import", str(page), cwd=project)
    assert result.returncode == 2
    assert f"'{term}' is already an alias of glossary/alpha.yaml:3" in result.stdout
    assert checksums(project) == before


def test_bad_inputs_each_give_their_message_and_change_nothing(tmp_path: Path) -> None:
    """A missing file, a folder, a non-UTF-8 file, an empty file, a page without a findable term, and
    bad arguments: each is refused with its own message (exit 2), and no file changes."""
    project = make_project(tmp_path / "p")
    (tmp_path / "latin1.txt").write_bytes("Café is a word.\nContext\nUn café\n".encode("latin-1"))
    (tmp_path / "empty.txt").write_text("\n\n", encoding="utf-8")
    (tmp_path / "noterm.txt").write_text("Made of many parts, all small.\nContext\nSome text.\n", encoding="utf-8")
    (tmp_path / "folder").mkdir()
    cases = [
        (["import", "missing.txt"], "missing.txt:1: (file): cannot read it (No such file or directory)"),
        (["import", str(tmp_path / "folder")], "(file): this is a folder, not a text file"),
        (["import", str(tmp_path / "latin1.txt")], "latin1.txt:1: (file): the file is not UTF-8 text (byte 0xe9"),
        (["import", str(tmp_path / "empty.txt")], "empty.txt:1: (file): the file is empty"),
        (["import", str(tmp_path / "noterm.txt")], "noterm.txt:1: (file): cannot tell the term from the "
                                                   "definition 'Made of many parts, all small.'"),
        (["import"], "the following arguments are required: FILE"),
        (["import", "--term", "X", "a.txt", "b.txt"], "--term names the term of one file"),
        (["import", "--frobnicate", "a.txt"], "unrecognized arguments: --frobnicate"),
    ]
    before = checksums(project)
    for args, message in cases:
        result = run(*args, cwd=project)
        assert result.returncode == 2, args
        assert message in result.stdout + result.stderr, (args, result.stdout, result.stderr)
        assert "Traceback" not in result.stderr
        assert checksums(project) == before, args
    fixed = run("import", "--term", "Composite Thing", str(tmp_path / "noterm.txt"), cwd=project)
    assert fixed.returncode == 0 and "became glossary/composite-thing.yaml" in fixed.stdout


def test_dry_run_reports_and_writes_nothing(tmp_path: Path, seeds: dict[str, list[Path]]) -> None:
    """--dry-run prints the same per-file report and leaves the folder untouched."""
    project = make_project(tmp_path / "p")
    before = checksums(project)
    result = run("import", "--dry-run", *map(str, seeds["pages"]), cwd=project)
    assert result.returncode == 0
    assert result.stdout.count(" would become glossary/") == 3
    assert checksums(project) == before


PAGE = """Zeta Messenger
A made-up messenger for testing the import, written for this test.
Context
Zeta sits in the test fixtures, next to [[alpha]].
Zeta has a second paragraph.
Mechanism
It does nothing at all.
History
Zeta was named in 2026 for these tests.
Further reading
- The fixture site's README
- Nothing else
Risk
Zeta is harmless; talk to a prescriber anyway.
Privacy Policy
© 2026 Example Press. All rights reserved.
"""


def test_unknown_headings_are_kept_and_shown_after_origin(tmp_path: Path) -> None:
    """Headings that match no field are kept with their text in extra_sections (never dropped), the page's
    footer is dropped and listed, and once published the extra sections appear on the page after Origin."""
    project = make_project(tmp_path / "p")
    source = tmp_path / "zeta.txt"
    source.write_text(PAGE, encoding="utf-8")
    result = run("import", str(source), cwd=project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "kept the heading 'History' (line 8), which matches no field, and its text as extra_sections[0]" \
        in result.stdout
    assert "dropped 2 lines of site boilerplate at the end (lines 15-16):" in result.stdout
    assert "    15: Privacy Policy" in result.stdout and "    16: © 2026 Example Press." in result.stdout
    glossary, _problems = load_glossary(project)
    zeta = glossary.entries["zeta-messenger"]
    assert zeta.term == "Zeta Messenger"
    assert zeta.summary == "A made-up messenger for testing the import, written for this test."
    assert zeta.field_text("context") == "Zeta sits in the test fixtures, next to [[alpha]].\n\n" \
                                         "Zeta has a second paragraph."
    assert zeta.extra_sections == [("History", "Zeta was named in 2026 for these tests."),
                                   ("Further reading", "- The fixture site's README\n\n- Nothing else")]
    path = project / "glossary/zeta-messenger.yaml"
    text = path.read_text(encoding="utf-8")
    for placeholder, value in [("significance:\n", "significance: Zeta matters to tests.\n"),
                               ("application:\n", "application: Zeta is applied in tests.\n"),
                               ("metric:\n", "metric: Zeta is counted.\n"), ("  level:\n", "  level: low\n"),
                               ("evidence:\n", "evidence: limited\n"), ("references: []\n", "references: [review]\n"),
                               ("reviewed:\n", "reviewed: 2026-11-21\n"), ("status: draft\n", "status: published\n"),
                               ("nothing at all.", "nothing at all [@review]."),  # published entries cite
                               ("prescriber anyway.", "prescriber anyway [@review].")]:
        text = text.replace(placeholder, value)
    path.write_text(text.replace("aliases: []", "aliases: []\norigin: Zeta was first written down here."),
                    encoding="utf-8")
    assert run("check", cwd=project).returncode == 0
    built = build(project)
    assert built.ok, built.output
    article = built.html("glossary/zeta-messenger/index.html").find("article")
    headings = [h.get_text(strip=True).rstrip("¶") for h in article("h2")]
    assert headings[headings.index("Origin") + 1:headings.index("Origin") + 3] == ["History", "Further reading"]
    assert headings.index("Further reading") < headings.index("Related concepts")
    assert article.find("a", href="../alpha/") is not None


def test_term_from_a_definition_with_an_abbreviation(tmp_path: Path) -> None:
    """'Full name (ABBR) is …' gives the term and the abbreviation as an alias."""
    project = make_project(tmp_path / "p")
    source = tmp_path / "abbr.txt"
    source.write_text("The Omega-amino messenger (OAM) is a made-up messenger.\nContext\nSomewhere.\n",
                      encoding="utf-8")
    result = run("import", str(source), cwd=project)
    assert result.returncode == 0, result.stdout
    glossary, _problems = load_glossary(project)
    entry = glossary.entries["omega-amino-messenger"]
    assert (entry.term, entry.aliases) == ("Omega-amino messenger", ["OAM"])
