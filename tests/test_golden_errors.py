"""Golden tests: every class of author error gives its exact ``path:line: field: message``.

Each file in ``tests/golden/`` is one case: the files to change in the fixture
site and the complete expected output of the check. Set ``GOLDEN_UPDATE=1`` to
rewrite the expectations (then read the diff before committing it).
"""

from __future__ import annotations

import base64
import os
from pathlib import Path

import pytest
import yaml
from conftest import make_project

from macros.registry import load_glossary
from macros.style import unlinked_mentions

GOLDEN = Path(__file__).parent / "golden"
CASES = sorted(GOLDEN.glob("*.yaml"))


def _project(tmp_path: Path, case: dict) -> Path:
    project = make_project(tmp_path / "site", case.get("files") or {})
    for rel, data in (case.get("binary_files") or {}).items():
        (project / rel).write_bytes(base64.b64decode(data))
    return project


@pytest.mark.parametrize("case_file", CASES, ids=[c.stem for c in CASES])
def test_golden_error(case_file: Path, tmp_path: Path) -> None:
    """The check prints exactly the expected problems for this kind of mistake, and nothing else."""
    case = yaml.safe_load(case_file.read_text(encoding="utf-8"))
    glossary, problems = load_glossary(_project(tmp_path, case))
    actual = {"expected": [str(p) for p in problems],
              "expected_warnings": [w.as_warning() for w in glossary.warnings]}
    if "expected_mentions" in case:
        actual["expected_mentions"] = [f"{m.path}:{m.line}: {m.where}: '{m.written}' names {m.slug}"
                                       for m in unlinked_mentions(glossary, glossary.root)]
    if os.environ.get("GOLDEN_UPDATE"):
        case.update({key: value for key, value in actual.items() if key == "expected" or key in case})
        case_file.write_text(yaml.safe_dump(case, sort_keys=False, allow_unicode=True, width=1000), encoding="utf-8")
    assert actual["expected"] == case["expected"]
    # Warnings are compared where a case expects them, and must be absent where it does not.
    assert actual["expected_warnings"] == case.get("expected_warnings", [])
    if "expected_mentions" in case:
        assert actual["expected_mentions"] == case["expected_mentions"]
    assert any(actual.values()), "every golden case is a mistake and must produce at least one message"


def test_every_error_class_has_a_golden_case() -> None:
    """The classes the issue names each have a case file, so none can silently lose its test."""
    required = {"unknown-field", "empty-section", "unknown-related", "unknown-wikilink", "unknown-reference",
                "duplicate-names", "self-related", "links-to-draft", "python-tag", "tab-indent",
                "duplicate-key", "impossible-date", "non-utf8", "empty-file", "raw-html", "javascript-url",
                # plain language (issue 11): readability limits, the style file, person-first words, jargon
                "readability-summary", "readability-draft", "readability-article", "style-file-errors",
                "person-first-words", "unlinked-mention",
                # hostile input (issue 17): judged on the rendered HTML, names, YAML limits, the file system
                "raw-html-the-parser-sees", "script-url-disguised", "markdown-blocks", "relative-links",
                "name-characters", "confusable-names", "yaml-limits", "not-a-file", "bibliography-markup",
                # issue 13: citations, the typed bibliography, review dates and the style file
                "unknown-citation-key", "malformed-citation", "citation-not-in-references", "mechanism-cites-nothing",
                "article-section-cites-nothing", "next-review-before-reviewed", "reference-without-type",
                "style-unknown-setting"}
    assert required <= {c.stem for c in CASES}
