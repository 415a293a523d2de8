"""Hostile and careless input (issue 17): every class of the report, with inputs of our own.

1. Raw HTML and script links judged on the HTML the site's Markdown makes, not on the source.
2. The bibliography is escaped text on pages (never Markdown); its url and identifiers are checked.
3. Names: every character checked; the title escaped wherever the theme prints it; ``new`` refuses too.
4. The CSP lists only the scripts the templates write; a planted script fails the build.
5. No input crashes or hangs the tools: YAML limits, the file system, linear link scanning.
6. ``check`` and the strict build agree on tricky but legitimate Markdown; tooltips keep the text.
7. Nothing from outside the project is published; file names cannot inject workflow commands.
8. The README states the security model.

The golden cases (tests/golden/) hold the exact messages; these tests build the sites and run the
command line as an author or a CI job would.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup
from conftest import ROOT, BuildResult, build, make_project, run_cli

from macros.loader import FileProblem, read_file_bytes, read_yaml
from macros.markup import field_markdown, judge, render, site_markdown
from macros.registry import load_glossary
from macros.validate import _stand_in_link

SCHEMA = "# yaml-language-server: $schema=../macros/schemas/entry.schema.json\n"


def entry(slug: str, term: str, summary: str, **fields: str) -> str:
    """A valid published entry file, with some fields replaced."""
    data: dict[str, object] = {
        "term": term, "summary": summary, "context": f"{term} context.", "significance": f"{term} significance.",
        "mechanism": f"{term} mechanism [@textbook].", "application": f"{term} application.",
        "metric": f"{term} metric.",
        "risk": {"level": "low", "text": f"{term} is a made-up test entry [@textbook]."}, "related": [],
        "evidence": "limited", "references": ["textbook"], "reviewed": "2026-10-01",
    }
    data.update(fields)
    return SCHEMA + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000)


def problems_of(project: Path) -> list[str]:
    """Every problem the check reports, as printed."""
    return [str(p) for p in load_glossary(project)[1]]


def judged(text: str) -> list[str]:
    """The allow-list's messages for one field's text, rendered with this repository's Markdown."""
    findings, relative, _html = judge(field_markdown(text, _stand_in_link), site_markdown(ROOT))
    return [f.message for f in findings] + [f"relative {href}" for href in relative]


# -- 1. what reaches the page --------------------------------------------------------------------

PLANTED = [
    "Text \\`<script>alert(1)</script>` after an escaped backtick.",          # no code span opens
    "`open\n\n<script>alert(1)</script>` a code span cannot cross paragraphs.",
    "An <x-y onclick=alert(1)>unusual</x-y> tag name.",
    "A <svg/onload=alert(1)> without a closing bracket of its own.",
    "<details open ontoggle=alert(1)>block-level raw HTML</details>",
    "[ref][k] style.\n\n[k]: javascript:alert(1)",
    "[ent](&#106;avascript:alert(1)) with an entity.",
    "[tab](java\tscript:alert(1)) with a tab.",
    "[nl](java\nscript:alert(1)) with a line break.",
    "[ctl](\x01javascript:alert(1)) after a control character.",
    "[img][k] by reference.\n\n[k]: data:text/html;base64,PHNjcmlwdD4=",
    "![pixel](https://tracker.example/p.png)",
    "<!-- hidden --> comment",
    "<javascript:alert(1)>",
]


@pytest.mark.parametrize("text", PLANTED, ids=range(len(PLANTED)))
def test_class1_every_way_in_is_refused(text: str) -> None:
    """Each input that put HTML or a script link on the page through a construct the old regular
    expressions mis-read is refused by the allow-list, which judges Python-Markdown's own output."""
    assert judged(text), text


def test_class1_ordinary_markdown_passes() -> None:
    """Emphasis, code, lists, our own links, https links and citations pass untouched."""
    for text in ["*a* **b** `<script>` [[alpha]] [[alpha|the alpha]] [web](https://example.org/a_(b))",
                 "- one\n- two\n\n1. first\n2. second", "5*3 and a_b_c; 3 < 4 > 2 & done.", "[@textbook, p. 212]",
                 "<https://example.org/page>", "{{ config }} and {% raw %} shown as text."]:
        assert judged(text) == [], text


def test_class1_every_text_field_is_judged(tmp_path: Path) -> None:
    """Summary, sections, risk text, the 'When to get help' items, origin and extra sections are all judged."""
    risk = {"level": "high", "text": "Risk <b>text</b>.", "urgent": ["Call for help.", "Watch <i>this</i>."]}
    project = make_project(tmp_path / "p", {"glossary/beta.yaml": entry(
        "beta", "Beta Precursor", "A <u>made-up</u> precursor.", risk=risk, origin="<s>Old</s> name.",
        extra_sections=[{"heading": "Notes", "text": "<q>Quoted</q> note."}])})
    found = [p.split(": ", 2)[:2] for p in problems_of(project) if "raw HTML" in p]
    assert sorted(found) == sorted([["glossary/beta.yaml:3", "summary"], ["glossary/beta.yaml:11", "risk.text"],
                                    ["glossary/beta.yaml:14", "risk.urgent[1]"], ["glossary/beta.yaml:20", "origin"],
                                    ["glossary/beta.yaml:23", "extra_sections[0].text"]]), problems_of(project)


def test_class1_another_markdown_extension_turns_the_shortcut_off(tmp_path: Path) -> None:
    """With an extension the shortcut does not know (nl2br makes <br> of every line break), every field is
    rendered and judged with it: the site's own configuration decides, not our guess."""
    config = (ROOT / "tests/fixtures/site/mkdocs.yml").read_text(encoding="utf-8").replace(
        "markdown_extensions: [", "markdown_extensions: [nl2br, ")
    project = make_project(tmp_path / "p", {"mkdocs.yml": config, "glossary/beta.yaml": entry(
        "beta", "Beta Precursor", "A made-up precursor.", context="Two lines\nof context.")})
    assert not site_markdown(project).fast_path
    assert any("line breaks" in p and "context" in p for p in problems_of(project)), problems_of(project)


def test_class1_a_planted_script_is_rejected_by_check_and_the_build(tmp_path: Path) -> None:
    """A script in an entry field: `check` names its line and exits 1, the strict build stops before
    writing any page, and no page carries it."""
    project = make_project(tmp_path / "p", {"glossary/beta.yaml": entry(
        "beta", "Beta Precursor", "A made-up precursor.", mechanism="It works \\`<script>alert(1)</script>` well.")})
    result = run_cli("check", cwd=project)
    assert result.returncode == 1
    assert "glossary/beta.yaml:6: mechanism: raw HTML '<script>' is not allowed" in result.stdout
    built = build(project)
    assert not built.ok and "raw HTML '<script>'" in built.output
    assert not (project / "site" / "glossary" / "beta" / "index.html").exists()


def test_class1_and_4_a_script_that_got_past_fails_the_builds_csp_check(tmp_path: Path) -> None:
    """If an inline script reaches a page anyway (here through an article, which may hold raw HTML), the
    build fails naming that page instead of allowing the script by its own hash."""
    project = make_project(tmp_path / "p", {"content/articles/planted.md":
                                            "# Planted\n\n<script>document.title = 'owned'</script>\n"})
    result = build(project)
    assert not result.ok
    assert "content/articles/planted.md: the page holds code that no template writes" in result.output
    assert "document.title = 'owned'" in result.output


# -- 2. the bibliography --------------------------------------------------------------------------

HOSTILE_REFERENCES = """references:
- key: textbook
  type: textbook
  title: A Textbook <script>alert(1)</script> of Neuroscience
  authors: Example A <img src=x onerror=alert(2)>
  year: '2020 <b onmouseover=alert(3)>x</b>'
  publisher_or_journal: Example Press
  url: 'https://example.org/a'
- key: review
  type: review
  title: A Review of Messengers
  authors: Example C
  year: 2021
  identifiers:
    doi: '10.0000/x)<script>alert(5)</script>('
"""
#: An address that would break out of its attribute: the bibliography schema refuses it at its line.
HOSTILE_ADDRESSES = HOSTILE_REFERENCES.replace("url: 'https://example.org/a'",
                                              "url: 'https://example.org/a\" onmouseover=\"alert(4)'")


def test_class2_bibliography_fields_reach_the_page_as_text(tmp_path: Path) -> None:
    """Year, URL, DOI, title and authors holding markup are written as text and URL-encoded addresses:
    the References list of the built page has no element or attribute they could have added."""
    refused = make_project(tmp_path / "refused", {"glossary/_references.yaml": HOSTILE_ADDRESSES})
    assert [p.split(": ")[1] for p in problems_of(refused)] == ["references[0].url"]
    project = make_project(tmp_path / "p", {"glossary/_references.yaml": HOSTILE_REFERENCES})
    assert problems_of(project) == []  # as text, each is harmless: the check judges what reaches the page
    result = build(project)
    assert result.ok, result.output
    page = result.html("glossary/beta/index.html")
    references = page.find(id="references").find_next("ol")
    # Only what the References renderer writes: list items, the title in <cite>, spans, links.
    assert {tag.name for tag in references.find_all(name=True)} <= {"li", "p", "em", "a", "cite", "span"}
    allowed = {"href", "class", "id", "title", "aria-label"}
    assert all(set(tag.attrs) <= allowed for tag in references.find_all(name=True))
    assert all(a["href"].startswith(("https://", "#cite-")) for a in references.find_all("a"))
    text = references.get_text(" ")
    assert "<script>alert(1)</script>" in text and "<img src=x onerror=alert(2)>" in text and "2020 <b" in text
    # No script runs it; the JSON-LD data block carries the title as data, its "<" escaped (\\u003c).
    scripts = page.find_all("script", string=re.compile("alert"))
    assert all(script.get("type") == "application/ld+json" and "<" not in script.string for script in scripts)


#: Markdown an author might paste into a bibliography record: pages show it as written.
MARKDOWN_REFERENCES = HOSTILE_REFERENCES.replace(
    "title: A Textbook <script>alert(1)</script> of Neuroscience",
    "title: |-\n    A *Textbook* of [Neuro](https://example.org/n)\n\n    ---\n\n    # Science").replace(
    "authors: Example A <img src=x onerror=alert(2)>", "authors: |-\n    Example A\n    ===")


def test_class2_bibliography_markdown_is_shown_as_written(tmp_path: Path) -> None:
    """The check judges what pages show: a bibliography field is escaped text (``reference_html``), never
    Markdown, so a title holding emphasis, a link, a rule or a heading is no problem for the check and the
    References item of the built page shows those characters as written, on one line."""
    from macros.citations import reference_html

    project = make_project(tmp_path / "p", {"glossary/_references.yaml": MARKDOWN_REFERENCES})
    assert problems_of(project) == []
    record = yaml.safe_load(MARKDOWN_REFERENCES)["references"][0]
    # A concept page puts the list in place after Markdown; an article holds it as a raw HTML block, which
    # Markdown leaves as it is: either way the record is the HTML reference_html writes.
    item = BeautifulSoup(render(f'<ol class="glossary-references">\n<li id="ref-textbook">{reference_html(record)}'
                                "</li>\n</ol>", project), "html.parser").li
    assert [tag.name for tag in item.find_all(name=True)] == ["cite", "a"]  # the title, the record's own url
    assert item.cite.get_text() == "A *Textbook* of [Neuro](https://example.org/n) --- # Science"
    assert item.get_text().startswith("Example A === (2020 <b onmouseover=alert(3)>x</b>).")


# -- 3. names -------------------------------------------------------------------------------------

@pytest.mark.parametrize("term", ["a<svg/onload=alert(1)", "Zero\u200bwidth", "Bidi \u202eevil", "Two\nlines",
                                  "Bell\x07", "Dоpamine", "&lt;/title&gt;", "Pipe|name"])
def test_class3_new_refuses_names_the_check_refuses(tmp_path: Path, term: str) -> None:
    """`new` refuses every name the check would refuse (markup, invisible, control and look-alike
    characters), exits 2 and writes nothing."""
    project = make_project(tmp_path / "p")
    before = sorted(p.name for p in (project / "glossary").iterdir())
    result = run_cli("new", term, "--slug", "new-term", cwd=project)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "nothing was written" in result.stderr
    assert sorted(p.name for p in (project / "glossary").iterdir()) == before


def test_class3_new_refuses_a_look_alike_of_an_existing_name(tmp_path: Path) -> None:
    """A term that reads like an existing alias but is written in Cyrillic letters is refused by `new`."""
    project = make_project(tmp_path / "p")
    result = run_cli("new", "Аlрhаmіnе", cwd=project)  # Cyrillic А, р, а, і, е
    assert result.returncode == 2
    assert "Alphamine" in result.stderr or "Latin" in result.stderr


def test_class3_the_title_shows_as_text_in_head_and_header(tmp_path: Path) -> None:
    """A term with quotation marks and an apostrophe is shown exactly, in <title>, in the header and in
    the page heading (the theme prints page.meta.title without escaping; it arrives escaped)."""
    term = 'Beta "Precursor" d\'Or'
    project = make_project(tmp_path / "p", {"glossary/beta.yaml": entry("beta", term, "A made-up precursor.")})
    result = build(project)
    assert result.ok, result.output
    page = result.html("glossary/beta/index.html")
    assert page.title.get_text() == f"{term} - Fixture Glossary"
    assert page.find(class_="md-header__topic", attrs={"data-md-component": "header-topic"}).get_text(strip=True) \
        == term
    assert page.find("h1").get_text(strip=True).rstrip("¶") == term


def test_class3_the_escape_holds_for_markup_in_a_title() -> None:
    """Whatever a title holds, on_page_context hands the theme an escaped Markup value (idempotent)."""
    import markupsafe

    title = markupsafe.escape("</title><script>alert(1)</script>")
    assert str(title) == "&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;"
    assert markupsafe.escape(title) == title


# -- 4. the CSP (see also tests/browser/test_csp_builder.py) --------------------------------------

def test_class4_the_policy_hashes_only_the_templates_scripts(fixture_build: BuildResult) -> None:
    """Every built page's script-src is 'self' plus the hashes of the theme's own inline scripts on it:
    as many hashes as the page has inline scripts, and all of them instances of a template script."""
    import material

    from macros.security import fast_scan, template_scripts

    allowed = template_scripts([str(ROOT / "overrides"), str(Path(material.__file__).parent / "templates")])
    for path in ["index.html", "glossary/alpha/index.html", "404.html"]:
        html = (fixture_build.site / path).read_text(encoding="utf-8")
        facts = fast_scan(html)
        assert facts.scripts and all(allowed.script(s) for s in facts.scripts), path
        policy = BeautifulSoup(html, "html.parser").find("meta", attrs={"http-equiv": "Content-Security-Policy"})
        script_src = next(p.split()[1:] for p in policy["content"].split(";") if p.split()[0] == "script-src")
        assert script_src[0] == "'self'" and len(script_src) == 1 + len(set(facts.scripts)), path
        assert "'unsafe-inline'" not in script_src


# -- 5. no crash, no hang ---------------------------------------------------------------------------

def billion_laughs() -> str:
    """Ten lines that expand to a billion values."""
    lines = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for i in range(1, 10):
        lines.append(f"{chr(97 + i)}: &{chr(97 + i)} [{', '.join([f'*{chr(96 + i)}'] * 10)}]")
    return SCHEMA + "\n".join(lines) + "\n"


def test_class5_yaml_bombs_end_fast_with_a_message(tmp_path: Path) -> None:
    """A billion laughs, a recursive alias and 100,000 nested brackets each end in well under a second,
    as `path:line: (file): ...`, with no traceback."""
    project = make_project(tmp_path / "p", {
        "glossary/beta.yaml": billion_laughs(),
        "glossary/gamma.yaml": SCHEMA + "term: &x {a: [*x]}\n",
        "glossary/delta.yaml": SCHEMA + "term: " + "[" * 100_000 + "]" * 100_000 + "\n",
    })
    start = time.perf_counter()
    result = run_cli("check", cwd=project)
    elapsed = time.perf_counter() - start
    assert result.returncode == 1 and "Traceback" not in result.stderr
    lines = result.stdout.splitlines()
    assert any(re.match(r"glossary/beta\.yaml:\d+: \(file\): this file expands to more than", x) for x in lines)
    assert "glossary/gamma.yaml:2: (file): this file holds an alias to a list or mapping that contains it" \
        in result.stdout
    assert "glossary/delta.yaml:2: (file): this file nests lists or mappings more than 100 levels deep" \
        in result.stdout
    assert elapsed < 5, elapsed  # a whole process, Python start-up included; the loader itself takes milliseconds
    start = time.perf_counter()
    read_yaml(project / "glossary" / "beta.yaml", "beta")
    assert time.perf_counter() - start < 0.5


def test_class5_file_system_oddities_are_problems_not_tracebacks(tmp_path: Path) -> None:
    """A FIFO (which must not block), a folder named *.yaml, a dangling link and a link loop, each
    `glossary/<name>:1: (file): ...`, in a check that ends."""
    project = make_project(tmp_path / "p")
    folder = project / "glossary"
    os.mkfifo(folder / "fifo.yaml")
    (folder / "folder.yaml").mkdir()
    (folder / "dangling.yaml").symlink_to("missing.yaml")
    (folder / "loop.yaml").symlink_to("loop.yaml")
    os.mkfifo(project / "content" / "pipe.md")
    result = run_cli("check", cwd=project)
    assert "Traceback" not in result.stderr and result.returncode == 1
    assert sorted(result.stdout.splitlines()) == [
        "content/pipe.md:1: (file): is not a regular file (a FIFO, socket or device); the site publishes files: "
        "remove it",
        "glossary/dangling.yaml:1: (file): is a symbolic link to 'missing.yaml', which does not exist; replace "
        "it with the file itself or remove it",
        "glossary/fifo.yaml:1: (file): is a FIFO (named pipe), not a regular file; only text files are read: "
        "remove it",
        "glossary/folder.yaml:1: (file): is a folder, not a file; an entry is one file glossary/<slug>.yaml: "
        "remove or rename the folder",
        "glossary/loop.yaml:1: (file): is a symbolic link that leads back to itself (a loop); replace it with "
        "the file itself",
    ]


def test_class5_an_unreadable_file_is_a_problem(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Permission denied (which root never sees, so it is simulated) becomes a message with what to do."""
    path = tmp_path / "x.yaml"
    path.write_text("term: x\n")
    real_open = os.open

    def denied(file: object, *args: object, **kwargs: object) -> int:
        if str(file) == str(path):
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", denied)
    with pytest.raises(FileProblem, match=r"cannot be read \(permission denied\); make it readable"):
        read_file_bytes(path)
    assert [str(p) for p in read_yaml(path, "glossary/x.yaml")[3]] == [
        "glossary/x.yaml:1: (file): cannot be read (permission denied); make it readable (chmod a+r) or remove it"]


def test_class5_nul_and_control_characters_are_reported_at_their_line(tmp_path: Path) -> None:
    """LibYAML reports a byte offset; the message still names the line the character is on."""
    path = tmp_path / "x.yaml"
    path.write_bytes(("term: " + "é" * 40 + "\nsummary: fine\ncontext: a\x1bb\nmetric: x\n").encode())
    assert [str(p) for p in read_yaml(path, "x.yaml")[3]] == [
        "x.yaml:3: context: the character U+001B (control characters are not allowed) is on this line; "
        "remove it (retype the line if you cannot see it)"]


def test_class5_link_scanning_is_linear(tmp_path: Path) -> None:
    """50,000 unclosed '[[' (and as many '[[ ' with spaces) are scanned in well under a second."""
    from macros.model import scan_links as _scan_links

    for text in ("[[" * 50_000, "[[ " * 50_000 + "x", "[[a" + " " * 100_000 + "b", "[[a|" + "[" * 100_000):
        _scan_links.cache_clear()
        start = time.perf_counter()
        _scan_links(text)
        assert time.perf_counter() - start < 0.5, text[:10]


def test_class5_bracket_soup_is_refused_before_the_markdown_parser_reads_it(tmp_path: Path) -> None:
    """20,000 '[' (which Python-Markdown would read for minutes) are a problem found in well under a second."""
    project = make_project(tmp_path / "p", {"glossary/beta.yaml": entry(
        "beta", "Beta Precursor", "A made-up precursor.", context="[" * 20_000, significance="[a](" * 5_000)})
    start = time.perf_counter()
    found = problems_of(project)
    assert time.perf_counter() - start < 3
    assert found == [
        "glossary/beta.yaml:4: context: holds 20000 '[' and '<' characters (links count one each); a field may "
        "hold at most 300: split the text, or write fewer brackets",
        "glossary/beta.yaml:5: significance: holds 5000 '[' and '<' characters (links count one each); a field "
        "may hold at most 300: split the text, or write fewer brackets"]


# -- 6. check and build agree -------------------------------------------------------------------------

#: Tricky but legitimate Markdown: (summary, what a tooltip shows).
CORPUS = [
    ("Sometimes called ('the brake') in older books.", "Sometimes called ('the brake') in older books."),
    ('GABA (the "main" brake) calms nerve cells.', 'GABA (the "main" brake) calms nerve cells.'),
    ("It is called 'the brake' (or \"the off switch\") by some.", "It is called 'the brake' (or \"the off switch\")"
     " by some."),
    ("5*3 is fifteen; a_b_c and snake_case stay.", "5*3 is fifteen; a_b_c and snake_case stay."),
    ("Levels rise > 5% in some (not all) people; 3 < 4 & 4 > 3.", "Levels rise > 5% in some (not all) people; "
     "3 < 4 & 4 > 3."),
    ("See [the NHS page](https://www.nhs.uk/ \"NHS (UK)\") for more (it is free).", "See the NHS page for more "
     "(it is free)."),
    ("A **strong** and *light* word, with `code <b>` and a \\* star.", "A strong and light word, with code <b> and "
     "a * star."),
    ("Braces {{ like this }} and {% this %} and a (half-open paren.", "Braces {{ like this }} and {% this %} and a "
     "(half-open paren."),
    ("Named after [[alpha|Alpha (the \"first\")]], see https://example.org/a_(b).", "Named after Alpha (the "
     "\"first\"), see https://example.org/a_(b)."),
]


def test_class6_check_and_strict_build_agree_on_tricky_markdown(tmp_path: Path) -> None:
    """Each summary of the corpus passes the check, the strict build passes too, and the tooltip of every
    link to it, the related list and the meta description show the text as a reader should see it."""
    files: dict[str, str | None] = {}
    slugs = []
    for index, (summary, _shown) in enumerate(CORPUS):
        slug = f"tricky-{index}"
        slugs.append(slug)
        files[f"glossary/{slug}.yaml"] = entry(
            slug, f"Tricky {index}", summary, context="Lists:\n\n- one (a)\n- two \"b\"\n\nAnd [About](../about.md).",
            significance="A *quote* (\"inside parentheses\") and 'single' ones.")
    files["glossary/hub.yaml"] = entry("hub", "Hub Entry", "Links to every tricky entry.",
                                       context=" ".join(f"[[{s}]]" for s in slugs), related=slugs)
    project = make_project(tmp_path / "p", files)
    assert problems_of(project) == []
    result = build(project)
    assert result.ok, result.output
    hub = result.html("glossary/hub/index.html")
    for index, (_summary, shown) in enumerate(CORPUS):
        links = hub.find_all("a", href=f"../tricky-{index}/", class_="glossary-term")
        assert len(links) >= 2, index  # in the text and in Related concepts
        assert {a.get("title") for a in links} == {shown}, (index, [a.get("title") for a in links])
        page = result.html(f"glossary/tricky-{index}/index.html")
        assert page.find("meta", attrs={"name": "description"})["content"] == shown


def test_class6_the_check_stops_what_the_strict_build_would(tmp_path: Path) -> None:
    """A link the strict build would reject (a page that does not exist) is a check problem at its line,
    and the build stops on it in on_config, naming the YAML file, not a generated page."""
    project = make_project(tmp_path / "p", {"glossary/beta.yaml": entry(
        "beta", "Beta Precursor", "A made-up precursor.", metric="See [the list](../missing.md) here.")})
    expected = ("glossary/beta.yaml:8: metric: the link '../missing.md' leads to 'missing.md', which is not a page "
                "of this site (the strict build would stop); link to an entry with [[slug]] or fix the file name")
    assert problems_of(project) == [expected]
    result = build(project)
    assert not result.ok and expected in result.output


def test_class6_tooltip_text_is_the_rendered_text() -> None:
    """The plain text of a field is what a reader sees once it is rendered."""
    from macros.markup import plain_text

    assert plain_text(render("5*3 **bold** `a_b` [x](https://e.org) &amp; \\*", ROOT)) == "5*3 bold a_b x & *"


# -- 7. publishing -------------------------------------------------------------------------------------

def test_class7_links_out_of_the_project_are_refused_and_never_published(tmp_path: Path) -> None:
    """A symbolic link under content/ to /proc/self/environ (the build's environment, CI secrets included)
    and one under glossary/ to a file elsewhere: the check names both, the build stops, site/ has neither."""
    outside = tmp_path / "secret.yaml"
    outside.write_text("token: hunter2\n")
    project = make_project(tmp_path / "p")
    (project / "content" / "environ.txt").symlink_to("/proc/self/environ")
    (project / "glossary" / "stolen.yaml").symlink_to(outside)
    result = run_cli("check", cwd=project)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "content/environ.txt:1: (file): is a symbolic link to '/proc/self/environ', outside the project; the site "
        "may only use and publish files of the project: copy the file in instead, or remove the link",
        f"glossary/stolen.yaml:1: (file): is a symbolic link to '{outside}', outside the project; the site may "
        "only use and publish files of the project: copy the file in instead, or remove the link",
    ]
    built = build(project)
    assert not built.ok
    assert not (project / "site" / "environ.txt").exists()
    assert "hunter2" not in built.output


def test_class7_a_file_name_cannot_inject_a_workflow_command(tmp_path: Path) -> None:
    """A newline (and ',' or ':') in a file name is escaped in `--format github`: one annotation, no second
    command; the text format shows the newline as an escape."""
    project = make_project(tmp_path / "p")
    (project / "glossary" / "x\n::warning file=a,line=1::pwned.yaml").write_text("term: x\n")
    result = run_cli("check", "--format", "github", cwd=project)
    lines = result.stdout.splitlines()
    assert len(lines) == 1 and lines[0].startswith("::error file=glossary/x%0A%3A%3Awarning file=a%2Cline=1")
    text = run_cli("check", cwd=project).stdout.splitlines()
    assert len(text) == 1 and text[0].startswith("glossary/x\\n::warning")


# -- 8. the security model is written down --------------------------------------------------------------

def test_class8_readme_states_what_is_trusted_and_how_to_review() -> None:
    """The README's Security model section says what is validated, that content/, macros/ and overrides/
    are trusted code, and how to review a pull request safely."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Security model"):]
    section = section[:section.find("\n## ", 3)] if "\n## " in section[3:] else section
    for phrase in ("content/", "macros/", "overrides/", "Jinja", "raw HTML", "pull request", "make check"):
        assert phrase in section, phrase
