"""ProperDocs canary: the maintained fork of MkDocs 1.6 builds our site unchanged, so it stays a working
escape route if MkDocs 1.x or Material for MkDocs stop working (README, "Deploy")."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, SITE_URL, make_project

#: The one line the two builders write differently.
_GENERATOR = re.compile(rb'<meta name="generator" content="[^"]*">')


def _build(tool: str, project: Path, out: Path, site_url: str | None = None) -> None:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONPATH": str(ROOT)}
    env.pop("SITE_URL", None)
    if site_url is not None:
        env["SITE_URL"] = site_url
    result = subprocess.run([sys.executable, "-m", tool, "build", "--strict", "--site-dir", str(out)], cwd=project,
                            env=env, capture_output=True, text=True, timeout=900, check=False)
    assert result.returncode == 0, f"{tool} build --strict failed:\n{result.stdout}\n{result.stderr}"


def _same_site(project: Path, tmp_path: Path, mkdocs_site: Path | None = None, site_url: str | None = None) -> None:
    """ProperDocs' build of ``project`` against MkDocs' (``mkdocs_site`` when it is already built for ``site_url``)."""
    pytest.importorskip("properdocs", reason="properdocs is pinned in pyproject.toml's canary group: run make test")
    properdocs_site = tmp_path / "properdocs"
    if mkdocs_site is None:
        mkdocs_site = tmp_path / "mkdocs"
        _build("mkdocs", project, mkdocs_site)
    _build("properdocs", project, properdocs_site, site_url)
    files = sorted(p.relative_to(mkdocs_site).as_posix() for p in mkdocs_site.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(properdocs_site).as_posix() for p in properdocs_site.rglob("*")
                           if p.is_file())
    different = []
    for name in files:
        ours, theirs = (mkdocs_site / name).read_bytes(), (properdocs_site / name).read_bytes()
        if name.endswith(".html"):
            ours, theirs = _GENERATOR.sub(b"", ours), _GENERATOR.sub(b"", theirs)
        if ours != theirs and not name.endswith(".gz"):  # sitemap.xml.gz carries a timestamp
            different.append(name)
    assert different == [], f"ProperDocs builds these differently: {different[:10]}"
    assert (mkdocs_site / "glossary.json").read_bytes() == (properdocs_site / "glossary.json").read_bytes()
    assert (mkdocs_site / "glossary/alpha/index.html").is_file() or any(f.startswith("glossary/") for f in files)


@pytest.mark.slow  # two builds, by two tools
def test_properdocs_builds_the_fixture_site_the_same(tmp_path: Path) -> None:
    """`properdocs build --strict` on the fixture site: the same files, every page identical but for the
    generator tag, and the same glossary.json."""
    _same_site(make_project(tmp_path / "project"), tmp_path)


def test_properdocs_builds_the_real_site_the_same(real_site: Path, tmp_path: Path) -> None:
    """The same comparison on the real glossary (against the run's one MkDocs build of it; slow, as every
    test of the real site's build)."""
    _same_site(ROOT, tmp_path, mkdocs_site=real_site, site_url=SITE_URL)
