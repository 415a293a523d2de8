"""Every page of the real site is valid HTML: 0 errors from the W3C Nu Html Checker (vnu).

vnu is the npm package ``vnu-jar`` (pinned in .ci/run, installed into .vnu/), run with Debian's Java
(``default-jre-headless``). With ``CI=true`` a missing Java or vnu fails the test; elsewhere it is skipped
with the command that installs them. The errors Material's own templates produced are fixed in
``overrides/`` (see tests/test_overrides.py); this test keeps them, and any new ones, at zero.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

# The whole real site built and run through Java: not for `make test-fast`.
pytestmark = pytest.mark.slow

CI_RUN = ROOT / ".ci" / "run"
VNU_JAR = Path(os.environ.get("VNU_JAR") or ROOT / ".vnu" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar")


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def _pinned_version() -> str:
    match = re.search(r"^VNU_VERSION=(\S+)$", CI_RUN.read_text(encoding="utf-8"), re.M)
    assert match, ".ci/run must pin VNU_VERSION"
    return match.group(1)


def _require_vnu() -> list[str]:
    java = shutil.which("java")
    problem = None
    if java is None:
        problem = "java is missing: `apt-get install -y default-jre-headless` (as .ci/run does)"
    elif not VNU_JAR.is_file():
        problem = (f"{VNU_JAR} is missing: `npm install --no-save --prefix .vnu vnu-jar@{_pinned_version()}` "
                   "(as .ci/run does)")
    if problem:
        if _in_ci():
            pytest.fail(f"CI is set and {problem}", pytrace=False)
        pytest.skip(problem)
    return [str(java), "-jar", str(VNU_JAR)]


@pytest.fixture(scope="module")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real site, built with `mkdocs build --strict` as `make build` does (only when vnu can check it)."""
    _require_vnu()
    out = tmp_path_factory.mktemp("valid") / "site"
    run = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(out)], cwd=ROOT,
                         capture_output=True, text=True, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"}, timeout=600)
    assert run.returncode == 0, run.stderr
    return out


def test_vnu_is_the_pinned_version() -> None:
    """The checker that runs is the version .ci/run installs, so its verdicts are reproducible."""
    vnu = _require_vnu()
    found = subprocess.run([*vnu, "--version"], capture_output=True, text=True, timeout=120).stdout.strip()
    assert found.split()[0] == _pinned_version(), found


def test_every_built_page_is_valid_html(built_site: Path) -> None:
    """vnu finds no error on any HTML page of the site (concept, topic, index, article, hand-written, 404)."""
    vnu = _require_vnu()
    pages = sorted(built_site.rglob("*.html"))
    assert len(pages) > 40 and (built_site / "404.html") in pages
    run = subprocess.run([*vnu, "--errors-only", "--format", "json", *map(str, pages)],
                         capture_output=True, text=True, timeout=900)
    messages = json.loads(run.stderr or '{"messages": []}')["messages"]
    errors = [f"{Path(m.get('url', '')).as_posix().split(built_site.as_posix())[-1]}:{m.get('lastLine', '?')}: "
              f"{m['message']}" for m in messages if m.get("type") in ("error", "non-document-error")]
    assert errors == [], "\n".join(errors[:50]) + (f"\n... {len(errors)} in all" if len(errors) > 50 else "")
    assert run.returncode == 0, run.stderr[-2000:]
