"""Fixtures for the browser gates: the real site and the planted-fault site, served.

The real site is tests/conftest.py's one build of the run; the planted-fault site is built once per
session into a temporary folder; each is served on 127.0.0.1 at a free port. Chromium is
tests/conftest.py's ``browser``. With ``CI=true`` a missing browser or link checker fails the run;
elsewhere it skips with the reason.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from conftest import SITE_URL, require  # tests/conftest.py

from . import gates

ROOT = Path(__file__).resolve().parents[2]
FAULTS = Path(__file__).resolve().parent / "faults"
FIXTURE_SITE = ROOT / "tests" / "fixtures" / "site"


@dataclass
class ServedSite:
    """A built site being served: its folder, base URL and every page."""

    root: Path
    base_url: str
    pages: list[str]

    def url(self, page: str) -> str:
        """The address of ``page`` (``"glossary/x/"``)."""
        return self.base_url + page

    def html(self, page: str) -> str:
        """The built HTML of ``page``."""
        path = self.root / page
        return (path / "index.html" if page == "" or page.endswith("/") else path).read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def linkchecker() -> None:
    """LinkChecker is installed (it is pinned in pyproject.toml)."""
    require(None if gates.linkchecker_command() else
            "linkchecker is not installed: run `make test` (it installs the pinned test dependencies)")


@pytest.fixture(scope="session")
def served(real_site: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedSite]:
    """The real site (tests/conftest.py's one strict build of the run), served at the path of the SITE_URL
    it was built for (``/neuro/``), where its 404 page looks for its styles and scripts."""
    mount = tmp_path_factory.mktemp("served")
    prefix = urlsplit(SITE_URL).path.strip("/")
    (mount / prefix).symlink_to(real_site, target_is_directory=True)
    with gates.serve(mount) as origin:
        yield ServedSite(real_site, f"{origin}{prefix}/", gates.site_pages(real_site))


def fault_project_files() -> dict[str, str | None]:
    """The fixture site, set up like the real one (palette toggle, the glossary CSS), plus one page
    per planted fault."""
    config = yaml.safe_load((FIXTURE_SITE / "mkdocs.yml").read_text(encoding="utf-8"))
    config["theme"]["palette"] = [
        {"media": "(prefers-color-scheme: light)", "scheme": "default",
         "toggle": {"icon": "material/weather-night", "name": "Switch to dark mode"}},
        {"media": "(prefers-color-scheme: dark)", "scheme": "slate",
         "toggle": {"icon": "material/weather-sunny", "name": "Switch to light mode"}},
    ]
    config["extra_css"] = ["assets/glossary.css"]
    files: dict[str, str | None] = {
        "mkdocs.yml": yaml.safe_dump(config, sort_keys=False, allow_unicode=True),
        "content/assets/glossary.css": (ROOT / "content" / "assets" / "glossary.css").read_text(encoding="utf-8"),
    }
    for fault in sorted(p for p in [*FAULTS.glob("*.md"), *FAULTS.glob("*.js")] if p.name != "README.md"):
        files[f"content/faults/{fault.name}"] = fault.read_text(encoding="utf-8")
    return files


@pytest.fixture(scope="session")
def fault_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedSite]:
    """A copy of the fixture site with every planted fault (tests/browser/faults/*.md), built and served."""
    from conftest import build, make_project  # tests/conftest.py: the fixture-site harness

    project = make_project(tmp_path_factory.mktemp("fault-site") / "project", fault_project_files())
    result = build(project)
    if not result.ok:
        pytest.fail(f"the planted-fault site does not build:\n{result.output}", pytrace=False)
    with gates.serve(result.site) as base_url:
        yield ServedSite(result.site, base_url, gates.site_pages(result.site))
