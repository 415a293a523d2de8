"""Scale guards: pages stay the same size as the glossary grows, and the fast paths agree with the slow ones.

Timing belongs to ``make bench`` (see BENCHMARKS.md); these tests are structural. The
last ones check that the shortcuts taken for speed in the loader, the validator and the
renderer give exactly what the general code gives.
"""

from __future__ import annotations

import copy
import datetime as dt
import itertools
import json
import posixpath
import random
import statistics
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import ROOT, build, run_cli

from bench.synth import entry_files, make_project
from macros.loader import EntryLoader, _construct, _walk, read_yaml, to_json_compatible
from macros.model import SourceMap
from macros.registry import load_glossary
from macros.render import _relpath
from macros.validate import quick_validator, schema_validator


def _concept_sizes(site: Path, project: Path) -> list[int]:
    slugs = [p.stem for p in (project / "glossary").glob("*.yaml") if not p.name.startswith("_")]
    return [(site / "glossary" / slug / "index.html").stat().st_size for slug in slugs]


@pytest.fixture(scope="module")
def scaled_sites(tmp_path_factory: pytest.TempPathFactory) -> dict[int, tuple[Path, Path]]:
    """Synthetic glossaries of 50 and 200 entries, each built once: ``{n: (project, site)}``."""
    out = {}
    for n in (50, 200):
        project = make_project(tmp_path_factory.mktemp(f"scale{n}") / "project", n)
        result = build(project)
        assert result.ok, result.output
        out[n] = (project, result.site)
    return out


def test_synthetic_glossary_is_valid(tmp_path: Path) -> None:
    """The benchmark's entries pass every check, so the benchmark measures a real, clean build."""
    project = make_project(tmp_path / "project", 120)
    glossary, problems = load_glossary(project)
    assert problems == []
    assert len(glossary.published()) == 120
    assert all(len(e.related) == 3 and len(e.references) == 1 for e in glossary.entries.values())


def test_entry_text_does_not_depend_on_glossary_size() -> None:
    """Entry i has the same term and section lengths whatever n is: only link targets are drawn from n."""
    small, large = entry_files(30), entry_files(300)
    assert list(small) == list(large)[:30]
    for slug in small:
        a, b = yaml.safe_load(small[slug]), yaml.safe_load(large[slug])
        assert a["term"] == b["term"]
        assert abs(len(a["context"]) - len(b["context"])) < 80


def test_concept_page_size_does_not_grow_with_the_glossary(scaled_sites: dict[int, tuple[Path, Path]]) -> None:
    """A concept page of a 200-entry glossary is the size (±10 %) of one of a 50-entry glossary.

    It fails if anything that lists the whole glossary (the navigation, an index, every
    backlink) creeps into every concept page, which would make the build quadratic.
    """
    small = statistics.median(_concept_sizes(scaled_sites[50][1], scaled_sites[50][0]))
    large = statistics.median(_concept_sizes(scaled_sites[200][1], scaled_sites[200][0]))
    assert abs(large - small) / small <= 0.10, (small, large)


def test_only_the_index_pages_grow_with_the_glossary(scaled_sites: dict[int, tuple[Path, Path]]) -> None:
    """The A-Z index lists every entry (it grows about 4x from 50 to 200); a concept page does not link them all."""
    sizes = {n: (site / "glossary" / "index.html").stat().st_size for n, (_p, site) in scaled_sites.items()}
    assert sizes[200] > 2.5 * sizes[50]
    project, site = scaled_sites[200]
    slug = sorted(p.stem for p in (project / "glossary").glob("*.yaml") if not p.name.startswith("_"))[0]
    html = (site / "glossary" / slug / "index.html").read_text(encoding="utf-8")
    linked = {s for s in (p.stem for p in (project / "glossary").glob("*.yaml")) if f"/{s}/\"" in html}
    assert len(linked) < 40  # its related entries, mentions and map: a few dozen at most, not 200


# -- the fast paths give what the general code gives ------------------------------------------

def _instances() -> list[dict[str, Any]]:
    """Valid entries as loaded from YAML (dates as dates): synthetic ones and the real glossary's."""
    out = [yaml.load(text, Loader=EntryLoader) for text in entry_files(3).values()]
    for path in sorted((ROOT / "glossary").glob("*.yaml"))[:6]:
        if not path.name.startswith("_"):
            out.append(yaml.load(path.read_text("utf-8"), Loader=EntryLoader))
    return out


_ODD_VALUES: list[Any] = [None, "", " ", "x", "x" * 700, 0, 1.5, True, [], ["a", "a"], ["a", 1], {}, {"a": 1},
                          "2025-02-30", "2025-13-01", "not a date", "UPPER", "two words", "<b>", "5-htp",
                          [{"heading": "H", "text": "T"}], [{"heading": "", "text": "T"}], [{"heading": "H"}],
                          {"level": "high", "text": "t"}, {"level": "severe", "text": "t"}, {"level": "low"},
                          {"level": "low", "text": "t", "extra": 1}, ["x-y"], ["Bad_Tag"], [None],
                          dt.date(2025, 1, 2), dt.datetime(2025, 1, 2, 3, 4), [dt.date(2025, 1, 2)],
                          {1: "x"}, {"level": "low", "text": "t", 2: "x"}]


@pytest.mark.slow
def test_quick_schema_check_never_accepts_what_jsonschema_rejects() -> None:
    """Every mutation of valid entries that jsonschema rejects, the quick check rejects too (it may only defer).

    ``schema_problems`` trusts a "valid" from the quick check and skips jsonschema, so a single
    disagreement would let a broken entry through. Valid entries must pass quickly. The quick
    check reads the loaded data; jsonschema reads ``to_json_compatible`` of it, as in the loader.
    """
    quick, full = quick_validator(), schema_validator()
    assert quick is not None
    rng = random.Random(5)
    checked = rejected = 0
    for instance in _instances():
        assert quick(instance), "a valid entry should take the quick path"
        fields: list[Any] = [*full.schema["properties"], "unknown_field", 7]
        mutations: list[dict[str, Any]] = []
        for name in fields:
            for value in _ODD_VALUES:
                changed = copy.deepcopy(instance)
                changed[name] = value
                mutations.append(changed)
            if name in instance:
                changed = copy.deepcopy(instance)
                del changed[name]
                mutations.append(changed)
        for _ in range(25):  # nested changes: inside risk, lists and extra sections
            changed = copy.deepcopy(instance)
            target = rng.choice([k for k, v in changed.items() if isinstance(v, (dict, list))])
            if isinstance(changed[target], dict):
                changed[target][rng.choice([*changed[target], "other", 3])] = rng.choice(_ODD_VALUES)
            elif changed[target]:
                changed[target][rng.randrange(len(changed[target]))] = rng.choice(_ODD_VALUES)
            mutations.append(changed)
        for changed in mutations:
            checked += 1
            if not full.is_valid(to_json_compatible(changed)):
                rejected += 1
                assert not quick(changed), changed
    assert rejected > checked // 2  # the mutations really do break entries


def _tricky_documents() -> list[str]:
    return [
        "a: 1\nb: true\nc: ~\nd: 2025-01-02\ne: 1.5\nf: 0x1f\ng: [x, 'y', 3]\n",
        "base: &b {x: 1}\nother:\n  <<: *b\n  y: 2\n",                       # merge key
        "a: &l [1, 2]\nb: *l\n",                                                # shared list
        "a: &s text\nb: *s\n",                                                  # shared text
        "? [a, b]\n: c\n",                                                      # list as a key
        "1: one\ntrue: yes\nnull: none\n2025-01-01: day\n",                     # non-text keys
        "a: !!set {x, y}\nb: !!omap [{k: v}]\nc: !!binary aGVsbG8=\n",         # other tags
        "a: !!str 12\nb: !!int '7'\nc: !!float '1'\n",                          # explicit tags
        "- a\n- {b: [c, {d: e}]}\n",
        "text: |\n  two\n  lines\nfolded: >-\n  one\n  line\n",
        "? [a]\n: b\nd: 2025-02-30\n",                                      # two errors: which comes first
        "d: 2025-02-30\n? [a]\n: b\n",
        "r: {deep: {date: 2025-02-30}}\nk: {? [x] : y}\n",
        "a: !!int nope\nb: 2025-02-30\n",
    ]


def _load_both(text: str) -> tuple[Any, Any]:
    def general() -> Any:
        loader = EntryLoader(text)
        try:
            return loader.get_single_data()
        except Exception as error:  # noqa: BLE001 - the error itself is what is compared
            return (type(error), str(error))
        finally:
            loader.dispose()

    def fast() -> Any:
        loader = EntryLoader(text)
        try:
            return _construct(loader.get_single_node(), loader)
        except Exception as error:  # noqa: BLE001
            return (type(error), str(error))
        finally:
            loader.dispose()

    return general(), fast()


def test_fast_yaml_construction_gives_what_pyyaml_gives() -> None:
    """The loader's direct construction equals PyYAML's constructor on entries and on tricky documents."""
    texts = list(entry_files(25).values()) + _tricky_documents()
    texts += [p.read_text("utf-8") for p in sorted((ROOT / "glossary").glob("*.yaml"))]
    for text in texts:
        general, fast = _load_both(text)
        assert fast == general, text


def test_one_pass_reader_gives_what_the_two_passes_give(tmp_path: Path) -> None:
    """read_yaml builds data, lines and problems in one walk; the separate walk and construction agree."""
    texts = list(entry_files(25).values()) + _tricky_documents()
    texts += [p.read_text("utf-8") for p in sorted((ROOT / "glossary").glob("*.yaml"))]
    texts += ["a: 1\nb: 2\na: 3\nc: !!python/name:os.system x\n", "l:\n  - !!python/tuple [1]\n  - {k: v, k: w}\n"]
    path = tmp_path / "x.yaml"
    for text in texts:
        path.write_text(text, encoding="utf-8")
        data, smap, _text, problems = read_yaml(path, "x.yaml")
        loader = EntryLoader(text)
        try:
            node = loader.get_single_node()
            expected_map, expected_problems = SourceMap(), []
            _walk(node, "", expected_map, expected_problems, "x.yaml")
            expected = None if expected_problems else _construct(node, loader)
        except Exception:  # noqa: BLE001 - a document that fails: read_yaml reports it, checked elsewhere
            assert data is None and problems, text
            continue
        finally:
            loader.dispose()
        assert problems == expected_problems, text
        if not problems:
            assert data == expected and smap == expected_map, text


def test_shared_lists_stay_shared_like_pyyaml() -> None:
    """An alias to a list is one object in PyYAML; the fast path hands such documents to PyYAML."""
    general, fast = _load_both("a: &l [1, 2]\nb: *l\n")
    assert fast["a"] is fast["b"] and general["a"] is general["b"]


def test_read_yaml_reports_the_same_date_problem(tmp_path: Path) -> None:
    """An impossible date still becomes a located problem through the fast path."""
    path = tmp_path / "x.yaml"
    path.write_text("term: X\nreviewed: 2025-02-30\n", encoding="utf-8")
    data, _smap, _text, problems = read_yaml(path, "glossary/x.yaml")
    assert data is None
    assert [(p.line, p.field) for p in problems] == [(2, "reviewed")]
    assert "is not a real date" in problems[0].message


def test_relpath_without_the_file_system_matches_posixpath() -> None:
    """The renderer's relative links equal ``posixpath.relpath`` for every kind of path pair."""
    paths = ["index.md", "about.md", "glossary/a.md", "glossary/", "tags/t.md", "a/b/c.md", "a/./b", "a//b",
             ".", "./x", "../x", "x/../y", "/", "/glossary/a/", "/glossary/", "/tags/x/", "//a/b", "glossary/a/b/"]
    for path, start in itertools.product(paths, paths):
        try:
            expected: Any = posixpath.relpath(path, start)
        except ValueError as error:
            expected = type(error)
        try:
            got: Any = _relpath(path, start)
        except ValueError as error:
            got = type(error)
        assert got == expected, (path, start)


def test_one_scan_of_links_gives_what_the_regex_gives() -> None:
    """The cached link scan returns the links ``finditer`` finds and the text ``sub`` leaves, on odd bracket soups."""
    from macros.model import WIKILINK, link_parts
    from macros.model import scan_links as _scan_links

    rng = random.Random(11)
    pieces = ["[", "]", "[[", "]]", "|", "a", " ", "\n", "b-c", "{{", "`"]
    for _ in range(5000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randrange(0, 16)))
        links, rest = _scan_links(text)
        assert rest == WIKILINK.sub("", text), text
        assert links == [(*link_parts(m), m.group(0)) for m in WIKILINK.finditer(text)], text


_BROKEN_SCHEMAS: list[dict[str, Any]] = [
    {"type": "strin"}, {"type": []}, {"minLength": -1}, {"maxItems": 1.5}, {"required": ["a", "a"]},
    {"pattern": "("}, {"$id": "x#part"}, {"title": 5}, {"$defs": {"a": {"type": 3}}}, {"properties": {"a": 5}},
    {"items": [{"type": "string"}]}, {"format": "email"}, {"properties": {"a": {"$ref": "#/$defs/missing"}}},
]


def test_quick_check_hands_broken_or_unknown_schemas_to_jsonschema(tmp_path: Path) -> None:
    """A schema the quick check does not fully understand (or that is broken) is left to jsonschema.

    jsonschema checks a schema itself before using it, so a broken schema file still stops the check.
    """
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import SchemaError

    for index, schema in enumerate(_BROKEN_SCHEMAS):
        path = tmp_path / f"schema{index}.json"
        path.write_text(json.dumps({"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}), "utf-8")
        assert quick_validator(path) is None, schema
        if index < 10:  # the first ones are invalid schemas, the last ones valid but beyond the quick check
            with pytest.raises(SchemaError):
                Draft202012Validator.check_schema(json.loads(path.read_text("utf-8")))
    for path in (ROOT / "macros" / "schemas").glob("*.schema.json"):
        if path.name != "glossary-export.schema.json":
            assert quick_validator(path) is not None, path  # our own schemas take the quick path


@pytest.mark.slow
def test_quick_check_of_the_bibliography_never_accepts_what_jsonschema_rejects() -> None:
    """The same guarantee for glossary/_references.yaml and its schema (whole numbers, nested mappings)."""
    from macros.validate import REFERENCES_SCHEMA

    quick, full = quick_validator(REFERENCES_SCHEMA), schema_validator(REFERENCES_SCHEMA)
    assert quick is not None
    data = yaml.load((ROOT / "glossary" / "_references.yaml").read_text("utf-8"), Loader=EntryLoader)
    assert quick(data)
    rng = random.Random(3)
    odd: list[Any] = [None, "", 1, 1.0, True, "Not-A-Key", "http:/x", "https://x", [], {}, {"doi": 1}, {2: "x"},
                      dt.date(2020, 1, 1), 2021, "2021"]
    for _ in range(600):
        changed = copy.deepcopy(data)
        item = rng.choice(changed["references"])
        item[rng.choice([*item, "new_field"])] = rng.choice(odd)
        if not full.is_valid(to_json_compatible(changed)):
            assert not quick(changed), item


def test_text_checks_skip_only_fields_that_render_as_plain_paragraphs() -> None:
    """A field the check does not render (``needs_judging`` false) renders, with the site's Markdown, to
    paragraphs, emphasis and our own term links only (citations read as their own text until the page numbers
    them); one ``is_plain`` calls plain renders to exactly its text.
    The shortcuts never skip anything the allow-list would judge, nor change a tooltip."""
    from bs4 import BeautifulSoup

    from macros.markup import field_markdown, is_plain, needs_judging, plain_text, render
    from macros.validate import _stand_in_link

    rng = random.Random(7)
    pieces = ["text", " ", "\n", "\n\n", "  \n", "[[a]]", "[[a|b c]]", "1. ", "12. ", "5-HT", "- ", ": ", "> ",
              "    ", "#", "=", "---", "|", "(", ")", '"', "'", "5", ".", ",", "-", "+", "*", "**", "_", "`", "<",
              "&", "[", "]", "!", "{", "\u00e9", "\u2014", "\t", "~~~", "x:", "@", "***", "___",
              "[@k]", "[@k, p. 2]", "[@a; @b]", "[@", "[@k]: "]
    skipped = plain = cited = 0
    for _ in range(6000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randrange(1, 9)))
        if needs_judging(text):
            continue
        skipped += 1
        cited += "[@" in text
        html = render(field_markdown(text, _stand_in_link), ROOT)
        soup = BeautifulSoup(html, "html.parser")
        assert {tag.name for tag in soup.find_all(name=True)} <= {"p", "a", "em", "strong"}, text
        assert all(a.get("class") == ["glossary-term"] for a in soup.find_all("a")), text
        if is_plain(text):
            plain += 1
            assert {tag.name for tag in soup.find_all(name=True)} <= {"p", "a"}, text
            shown = field_markdown(text, lambda slug, shown, **_: shown or slug)
            assert plain_text(html) == " ".join(shown.split()), text
    assert skipped > 200 and plain > 100 and cited > 50
    for hostile in ("[@k](javascript:alert(1))", "[@k]: javascript:alert(1)\n\n[@k]", "[@k] [x]", "[@<b>]"):
        assert needs_judging(hostile), hostile


def _plant_faults(project: Path) -> None:
    """One file for each way an entry can fail to load or check, among the valid synthetic ones."""
    glossary = project / "glossary"
    names = sorted(p.name for p in glossary.glob("*.yaml") if not p.name.startswith("_"))
    first = (glossary / names[0]).read_text(encoding="utf-8")
    (glossary / names[1]).write_text(first.replace("evidence:", "term: Again\nevidence:", 1), encoding="utf-8")
    (glossary / names[2]).write_text(first + "broken: [unclosed\n", encoding="utf-8")
    (glossary / names[3]).write_text("- a list\n- not a mapping\n", encoding="utf-8")
    (glossary / names[4]).write_text(first.replace("evidence:", "extra: !!python/object:os.system {}\nevidence:", 1),
                                     encoding="utf-8")
    text = (glossary / names[5]).read_text(encoding="utf-8")
    (glossary / names[5]).write_text(text.replace("related: [", "related: [no-such-entry, ", 1), encoding="utf-8")
    (glossary / "Bad Name.yaml").write_text(first, encoding="utf-8")
    (glossary / "old-style.yml").write_text(first, encoding="utf-8")


@pytest.mark.slow
def test_parallel_check_gives_the_same_result_as_one_process(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """`check` reads a large glossary in several processes: the output, problems and entries are those of one."""
    import macros.parallel as parallel
    import macros.read as read  # as loaded now (the serve tests reload the package)
    import macros.registry as registry
    from macros.parallel import PARALLEL_MIN

    # Fork as a single-threaded process does (a browser test earlier in the run may have left a thread).
    monkeypatch.setattr(parallel.threading, "active_count", lambda: 1)
    project = make_project(tmp_path / "project", PARALLEL_MIN + 100)
    _plant_faults(project)
    one, many = run_cli("check", "--jobs", "1", cwd=project), run_cli("check", "--jobs", "3", cwd=project)
    assert one.returncode == many.returncode == 1
    assert one.stdout == many.stdout
    for fault in ("duplicate key 'term'", "not valid YAML", "not list", "!!python/object", "unknown entry 'no-such",
                  "Bad Name.yaml", "old-style.yml"):  # every planted fault is reported
        assert fault in one.stdout, (fault, one.stdout)

    read_here: list[str] = []
    real_read = read.read_chunk

    def recording_read(folder: Path, names: list[str]) -> Any:
        read_here.extend(names)  # recorded in this process only: a forked worker records in its own copy
        return real_read(folder, names)

    monkeypatch.setattr(read, "read_chunk", recording_read)
    serial, serial_problems = registry.load_glossary(project, jobs=1)
    files = len(serial.entries) + len(serial.unreadable)
    assert len(read_here) == files
    read_here.clear()
    parallel, parallel_problems = registry.load_glossary(project, jobs=3)
    assert 0 < len(read_here) <= files // 3 + 1  # two thirds were read by the two workers
    assert parallel_problems == serial_problems
    assert list(parallel.entries) == list(serial.entries)
    assert all(parallel.entries[s].data == e.data and parallel.entries[s].source == e.source
               and parallel.entries[s].text == e.text for s, e in serial.entries.items())
    assert parallel.unreadable == serial.unreadable and len(serial.unreadable) == 4
    assert dict(parallel.backlinks) == dict(serial.backlinks)
