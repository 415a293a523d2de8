"""ProperDocs canary: the maintained fork of MkDocs 1.6 builds our site unchanged, so it stays a working
escape route if MkDocs 1.x or Material for MkDocs stop working (README, "Deploy")."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, make_project

#: The one line the two builders write differently.
_GENERATOR = re.compile(rb'<meta name="generator" content="[^"]*">')


def _build(tool: str, project: Path, out: Path) -> None:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONPATH": str(ROOT)}
    env.pop("SITE_URL", None)
    result = subprocess.run([sys.executable, "-m", tool, "build", "--strict", "--site-dir", str(out)], cwd=project,
                            env=env, capture_output=True, text=True, timeout=900, check=False)
    assert result.returncode == 0, f"{tool} build --strict failed:\n{result.stdout}\n{result.stderr}"


def _same_site(project: Path, tmp_path: Path) -> None:
    pytest.importorskip("properdocs", reason="properdocs is pinned in pyproject.toml's canary group: run make test")
    mkdocs_site, properdocs_site = tmp_path / "mkdocs", tmp_path / "properdocs"
    _build("mkdocs", project, mkdocs_site)
    _build("properdocs", project, properdocs_site)
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


def test_properdocs_builds_the_fixture_site_the_same(tmp_path: Path) -> None:
    """`properdocs build --strict` on the fixture site: the same files, every page identical but for the
    generator tag, and the same glossary.json."""
    _same_site(make_project(tmp_path / "project"), tmp_path)


@pytest.mark.slow
def test_properdocs_builds_the_real_site_the_same(tmp_path: Path) -> None:
    """The same comparison on the real glossary."""
    project = tmp_path / "project"
    project.mkdir()
    shutil.copy2(ROOT / "mkdocs.yml", project / "mkdocs.yml")
    for folder in ("content", "glossary"):
        shutil.copytree(ROOT / folder, project / folder)
    for folder in ("macros", "overrides"):
        (project / folder).symlink_to(ROOT / folder, target_is_directory=True)
    _same_site(project, tmp_path)
