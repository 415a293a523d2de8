"""`mkdocs serve`'s partial rebuilds leave exactly the site a full build makes.

The serve loop is driven in this process: MkDocs' own serve builder (its ``build`` name
looked up when called, as ``mkdocs serve`` does), our ``Rebuilder`` around it, and a
stand-in for the live-reload server. After every edit, the served folder is compared file
by file with a fresh full build of the same sources (the search index as the same set of
sections, in whatever order).
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import make_project as make_fixture_project

from bench.synth import make_project

SERVE_URL = "http://127.0.0.1:8000/"
pytestmark = pytest.mark.slow  # builds sites of 40 entries again and again


def _builder(project: Path, site: Path) -> Callable[[], None]:
    """What ``mkdocs serve`` builds with: the config read afresh, the build called by name."""
    import mkdocs.commands.serve as serve_command
    from mkdocs.config import load_config

    def builder() -> None:
        config = load_config(config_file=str(project / "mkdocs.yml"), site_dir=str(site))
        config.site_url = SERVE_URL
        serve_command.build(config, serve_url=SERVE_URL, dirty=False)

    return builder


def _files(site: Path) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for path in sorted(p for p in site.rglob("*") if p.is_file()):
        rel = path.relative_to(site).as_posix()
        if rel == "search/search_index.json":
            data = json.loads(path.read_text(encoding="utf-8"))
            out[rel] = (data["config"], sorted(json.dumps(d, sort_keys=True) for d in data["docs"]))
        else:
            out[rel] = path.read_bytes()
    return out


class FakeLiveReloadServer:
    """What macros/serve.py and mkdocs_compat.py use of MkDocs' LiveReloadServer: its folder, builder,
    watch list and build epochs."""

    def __init__(self, root: str, builder: Any) -> None:
        self.root, self.builder = root, builder
        self._wanted_epoch = self._visible_epoch = 1
        self._epoch_cond = threading.Condition()

    def watch(self, path: str) -> None:
        """Nothing to watch: the tests call the builder themselves."""

    def start_rebuild(self) -> None:
        """As MkDocs does when it sees a change: the site it wants is newer than the one it shows."""
        self._wanted_epoch += 1


class Serving:
    """A project served the way `mkdocs serve` serves it, rebuilt on demand."""

    def __init__(self, project: Path, work: Path) -> None:
        config = _config(project, work / "served")
        hooks = next(iter(config.hooks.values()))  # macros/hooks.py as MkDocs loaded it, with its session
        hooks.on_startup(command="serve")  # the serve-mode CSP, in the served and in the reference builds alike
        self.project, self.work = project, work
        self.site = work / "served"
        self.site.mkdir()
        self.reference_count = 0
        build = _builder(project, self.site)
        build()  # the first build, made by MkDocs before on_serve
        self.server = FakeLiveReloadServer(str(self.site), build)
        hooks.on_serve(self.server, config=config, builder=build)
        self.rebuilder = self.server.builder

    def rebuild(self) -> None:
        self.server.start_rebuild()
        self.server.builder()

    def full_build(self) -> dict[str, Any]:
        self.reference_count += 1
        site = self.work / f"reference{self.reference_count}"
        _builder(self.project, site)()
        return _files(site)


def _config(project: Path, site: Path) -> Any:
    from mkdocs.config import load_config

    config = load_config(config_file=str(project / "mkdocs.yml"), site_dir=str(site))
    config.site_url = SERVE_URL
    return config


@pytest.fixture
def serving(tmp_path: Path) -> Serving:
    return Serving(make_project(tmp_path / "project", 40), tmp_path)


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (old, path)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _assert_same_as_full_build(serving: Serving) -> None:
    served, reference = _files(serving.site), serving.full_build()
    assert sorted(served) == sorted(reference), set(served) ^ set(reference)
    different = [name for name in reference if served[name] != reference[name]]
    assert different == [], f"partial rebuild differs from a full build in {different[:5]}"


def test_partial_rebuilds_give_the_full_build(serving: Serving, caplog: pytest.LogCaptureFixture) -> None:
    """Section text, summary, tags, a new entry, unpublished, then deleted, a broken edit and its fix: each partial
    rebuild leaves the folder a full build would make, and only the changed pages are rebuilt."""
    caplog.set_level(logging.INFO, logger="mkdocs.glossary")
    glossary = serving.project / "glossary"
    entries = sorted(p for p in glossary.glob("*.yaml") if not p.name.startswith("_"))
    first, second = entries[3], entries[17]

    _edit(first, "\nmetric: >-\n  ", "\nmetric: >-\n  Edited section text. ")
    serving.rebuild()
    assert serving.rebuilder.partial_rebuilds == 1
    rebuilt = int(caplog.records[-1].getMessage().split(": ")[1].split()[0])
    assert rebuilt < 15, caplog.records[-1].getMessage()  # the page and the hand-written ones, not all 40+
    _assert_same_as_full_build(serving)

    _edit(second, "\nsummary: >-\n  ", "\nsummary: >-\n  A changed summary that neighbours show. ")
    _edit(second, "\ntags: [", "\ntags: [only-here, ")
    serving.rebuild()
    assert serving.rebuilder.partial_rebuilds == 2
    assert (serving.site / "tags" / "only-here" / "index.html").is_file()
    _assert_same_as_full_build(serving)

    new = glossary / "zz-new-entry.yaml"
    copy = re.sub(r"\naliases: \[[^\]]*\]", "", first.read_text(encoding="utf-8"), count=1)  # names stay unique
    new.write_text(copy.replace(f"term: {_term(first)}", "term: Zz new entry", 1)
                   .replace("\ntags: [", "\ntags: [brand-new-topic, ", 1), encoding="utf-8")
    serving.rebuild()
    assert serving.rebuilder.partial_rebuilds == 3
    assert (serving.site / "glossary" / "zz-new-entry" / "index.html").is_file()
    _assert_same_as_full_build(serving)

    _edit(new, "\nevidence: ", "\nstatus: draft\nevidence: ")  # unpublished: a draft preview, off the indexes
    serving.rebuild()
    assert serving.rebuilder.partial_rebuilds == 4
    assert "Draft preview" in (serving.site / "glossary" / "zz-new-entry" / "index.html").read_text("utf-8")
    _assert_same_as_full_build(serving)

    new.unlink()
    serving.rebuild()
    assert serving.rebuilder.partial_rebuilds == 5
    assert not (serving.site / "glossary" / "zz-new-entry").exists()
    assert not (serving.site / "tags" / "brand-new-topic").exists()
    _assert_same_as_full_build(serving)

    good = first.read_text(encoding="utf-8")
    _edit(first, "\nevidence: ", "\nevidence: not-a-level-")
    before = _files(serving.site)
    serving.rebuild()
    assert "still serving the last good build" in caplog.text
    assert _files(serving.site) == before, "a failed rebuild must leave the last good site untouched"
    first.write_text(good.replace("Edited section text.", "Fixed section text."), encoding="utf-8")
    serving.rebuild()
    assert serving.rebuilder.partial_rebuilds == 6
    assert "Fixed section text." in (serving.site / "glossary" / first.stem / "index.html").read_text("utf-8")
    _assert_same_as_full_build(serving)


def test_a_rebuild_renders_again_only_the_concept_pages_an_edit_touches(serving: Serving,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """A concept page is made from its entry, its neighbours and its references: after a section edit only
    the edited entry's page and its neighbours' are rendered again, and the site is still a full build's."""
    import sys

    renderer = sys.modules["macros.render"].Renderer  # as the served build loaded it
    rendered: list[str] = []
    real = renderer.concept

    def counting(self: Any, slug: str) -> Any:
        rendered.append(slug)
        return real(self, slug)

    monkeypatch.setattr(renderer, "concept", counting)
    glossary = serving.project / "glossary"
    entries = sorted(p for p in glossary.glob("*.yaml") if not p.name.startswith("_"))
    _edit(entries[5], "\nmetric: >-\n  ", "\nmetric: >-\n  Edited once more. ")
    serving.rebuild()
    assert serving.rebuilder.partial_rebuilds == 1
    assert entries[5].stem in rendered and 0 < len(rendered) < len(entries) // 2, rendered
    rendered.clear()
    serving.rebuild()  # nothing changed: no concept page is rendered again
    assert rendered == []
    _assert_same_as_full_build(serving)


def test_changes_outside_the_glossary_rebuild_everything(tmp_path: Path) -> None:
    """An edit to a hand-written page (or anything but glossary/) gets a full rebuild, and the same site."""
    project = make_fixture_project(tmp_path / "project")
    serving = Serving(project, tmp_path)
    about = next(p for p in sorted((project / "content").rglob("*.md")) if p.name != "index.md")
    about.write_text(about.read_text(encoding="utf-8") + "\nA new closing line.\n", encoding="utf-8")
    serving.rebuild()
    assert serving.rebuilder.partial_rebuilds == 0
    _assert_same_as_full_build(serving)
    _edit(project / "glossary" / "alpha.yaml", "context: Alpha context text.", "context: Alpha context edited.")
    serving.rebuild()
    assert serving.rebuilder.partial_rebuilds == 1
    _assert_same_as_full_build(serving)


def _term(path: Path) -> str:
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("term: "):
            return line[len("term: "):]
    raise AssertionError(f"no term in {path}")
