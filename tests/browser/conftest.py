"""Fixtures for the browser gates: Debian's Chromium, the real site and the planted-fault site.

Each site is built once per session into a temporary folder and served on 127.0.0.1 at a free
port. With ``CI=true`` a missing browser or link checker fails the run; elsewhere it skips with
the reason.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from . import gates

ROOT = Path(__file__).resolve().parents[2]
FAULTS = Path(__file__).resolve().parent / "faults"
FIXTURE_SITE = ROOT / "tests" / "fixtures" / "site"


def require(problem: str | None) -> None:
    """Fail (in CI) or skip (elsewhere) when a tool the gates need is missing."""
    if problem is None:
        return
    if gates.in_ci():
        pytest.fail(f"CI is set and {problem}", pytrace=False)
    pytest.skip(problem)


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
def browser() -> Iterator[object]:
    """Headless Debian Chromium driven by Playwright (no browser download)."""
    require(gates.browser_problem())
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(gates.CHROMIUM), args=gates.LAUNCH_ARGS,
                                              headless=True)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def linkchecker() -> None:
    """LinkChecker is installed (it is pinned in pyproject.toml)."""
    require(None if gates.linkchecker_command() else
            "linkchecker is not installed: run `make test` (it installs the pinned test dependencies)")


@pytest.fixture(scope="session")
def real_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedSite]:
    """The real glossary, built with ``mkdocs build --strict`` into a temporary folder, and served."""
    out = tmp_path_factory.mktemp("real-site") / "site"
    run = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=ROOT, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        capture_output=True, text=True, timeout=600, check=False,
    )
    if run.returncode != 0:
        pytest.fail(f"the real site does not build:\n{run.stdout}\n{run.stderr}", pytrace=False)
    with gates.serve(out) as base_url:
        yield ServedSite(out, base_url, gates.site_pages(out))


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
