"""Shared fixtures: tiny sites built in a temporary folder, in process, and parsed as HTML; the real
site, built once per run; the real glossary; headless Chromium, launched once per run.

Every fixture lives here (or in tests/browser/conftest.py), never imported from a test module: an
imported fixture is a second fixture, and a session-scoped build would run again.

Markers (pyproject.toml): ``browser`` (drives Chromium; given here to every test that asks for the
``browser`` fixture or lives in tests/browser/) and ``slow`` (given here to every test that uses one of
SLOW_FIXTURES, and written on the others that take many seconds). ``make test-fast`` runs everything else.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from macros.registry import Glossary, load_glossary

ROOT = Path(__file__).resolve().parents[1]
FIXTURE_SITE = ROOT / "tests" / "fixtures" / "site"
#: The real site is built for deployment under a sub-path, so every URL test must keep it.
SITE_URL = "https://example.org/neuro/"
#: What this run spent on the expensive fixtures (printed at the end of the run).
SPENT = {"real-site builds": 0, "browser launches": 0}
os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")


@dataclass
class BuildResult:
    """The outcome of one in-process ``mkdocs build --strict``."""

    ok: bool
    output: str          # everything printed and logged (warnings, errors, problems)
    site: Path

    def html(self, path: str) -> BeautifulSoup:
        """The built page at ``path`` (e.g. ``glossary/alpha/index.html``), parsed."""
        return BeautifulSoup((self.site / path).read_text(encoding="utf-8"), "html.parser")


def make_project(dest: Path, files: dict[str, str | None] | None = None, source: Path = FIXTURE_SITE) -> Path:
    """Copy a fixture project to ``dest``, link in the real ``macros/`` and ``overrides/``,
    then write (or, for ``None``, delete) the given files."""
    shutil.copytree(source, dest)
    for name in ("macros", "overrides"):
        (dest / name).symlink_to(ROOT / name, target_is_directory=True)
    for rel, text in (files or {}).items():
        path = dest / rel
        if text is None:
            path.unlink()
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    return dest


def build(project: Path) -> BuildResult:
    """Build ``project`` in process with ``--strict``; never raises for a failed build."""
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setLevel(logging.WARNING)
    logger = logging.getLogger("mkdocs")
    logger.addHandler(handler)
    ok = False
    cwd = os.getcwd()
    try:
        os.chdir(project)
        with contextlib.redirect_stderr(stream), contextlib.redirect_stdout(stream):
            config = load_config(str(project / "mkdocs.yml"), strict=True, site_dir=str(project / "site"))
            mkdocs_build(config)
        ok = True
    except SystemExit as exit_:  # mkdocs Abort and mkdocs-macros' exit() on a failing macro
        stream.write(f"\n[exit] {exit_}\n")
    except Exception as error:  # noqa: BLE001 - report every failure as a failed build
        stream.write(f"\n[error] {type(error).__name__}: {error}\n")
    finally:
        os.chdir(cwd)
        logger.removeHandler(handler)
    return BuildResult(ok=ok, output=stream.getvalue(), site=project / "site")


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run ``python -m macros`` as an author would, from ``cwd``, with this repository's code."""
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run([sys.executable, "-m", "macros", *args], cwd=cwd, capture_output=True, text=True,
                          env=env, timeout=60, check=False)


def checksums(project: Path) -> dict[str, str]:
    """sha256 of every file of the project (the linked code excluded), to prove nothing changed."""
    out = {}
    for path in sorted(project.rglob("*")):
        rel = path.relative_to(project).as_posix()
        if path.is_file() and not rel.startswith(("macros/", "overrides/", "site/")):
            out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


@pytest.fixture
def site_factory(tmp_path: Path) -> Callable[..., BuildResult]:
    """Build a copy of the fixture site, changed by ``files``, and return the result."""
    counter = iter(range(1000))

    def factory(files: dict[str, str | None] | None = None) -> BuildResult:
        return build(make_project(tmp_path / f"site{next(counter)}", files))

    return factory


@pytest.fixture(scope="session")
def fixture_build(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    """The unchanged fixture site, built once per session."""
    result = build(make_project(tmp_path_factory.mktemp("fixture") / "site"))
    assert result.ok, result.output
    return result


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def preview_dist(project: Path) -> Iterator[str]:
    """``make preview-dist`` for ``project`` (after ``make dist``): nginx serving its site/; yields the base URL.

    A missing nginx fails under CI=true (.ci/run installs Debian's nginx) and skips elsewhere.
    """
    if not (shutil.which("nginx") or Path("/usr/sbin/nginx").is_file()):
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail("CI is set and nginx is not installed (.ci/run installs Debian's nginx)", pytrace=False)
        pytest.skip("nginx is not installed (Debian: apt-get install nginx)")
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PATH": os.environ.get("PATH", "") + ":/usr/sbin"}
    process = subprocess.Popen([sys.executable, "-m", "macros", "preview-dist", "--port", str(port)], cwd=project,
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    output = process.stdout.read() if process.stdout else ""
                    pytest.fail(f"nginx did not start on {base}:\n{output}", pytrace=False)
                time.sleep(0.1)
        yield base
    finally:
        process.send_signal(signal.SIGQUIT)  # nginx: graceful stop
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def real_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real site, built once per run with `mkdocs build --strict` as `make build` does, for deployment
    under SITE_URL (the variable mkdocs.yml reads); no warning allowed."""
    SPENT["real-site builds"] += 1
    out = tmp_path_factory.mktemp("real-site") / "site"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SITE_URL": SITE_URL}
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(out)], cwd=ROOT,
                            capture_output=True, text=True, env=env, timeout=600, check=False)
    if result.returncode != 0 or "WARNING" in result.stderr:
        pytest.fail(f"the real site does not build cleanly:\n{result.stdout}\n{result.stderr}", pytrace=False)
    return out


@pytest.fixture(scope="session")
def glossary() -> Glossary:
    """The real glossary, loaded once; it must have no problems."""
    loaded, problems = load_glossary(ROOT)
    assert problems == [], "\n".join(map(str, problems))
    return loaded


def require(problem: str | None) -> None:
    """Fail (in CI) or skip (elsewhere) when a tool the browser tests need is missing."""
    from browser import gates

    if problem is None:
        return
    if gates.in_ci():
        pytest.fail(f"CI is set and {problem}", pytrace=False)
    pytest.skip(problem)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Headless Debian Chromium driven by Playwright (no browser download), launched once per run."""
    from browser import gates

    require(gates.browser_problem())
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        SPENT["browser launches"] += 1
        chromium = playwright.chromium.launch(executable_path=str(gates.CHROMIUM), args=gates.LAUNCH_ARGS,
                                              headless=True)
        yield chromium
        chromium.close()


#: Fixtures that cost many seconds: the real site's build, the synthetic sites of 50 and 200 entries, the
#: production build, a `mkdocs serve` session (in process or not). A test that uses one is ``slow``.
SLOW_FIXTURES = frozenset({"real_site", "scaled_sites", "dist_project", "serving", "server"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """``browser`` on the tests that drive Chromium, ``slow`` on those that use a SLOW_FIXTURES fixture."""
    browser_dir = Path(__file__).parent / "browser"
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if "browser" in fixtures or browser_dir in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.browser)
        if fixtures & SLOW_FIXTURES:
            item.add_marker(pytest.mark.slow)


def pytest_terminal_summary(terminalreporter: object, config: pytest.Config) -> None:
    """How many times this run built the real site and launched Chromium (each should be at most once)."""
    if getattr(config.option, "numprocesses", None):  # pytest-xdist: each worker counts its own
        terminalreporter.write_line("expensive fixtures: counted in each worker; run without -n to see them")  # type: ignore[attr-defined]
        return
    line = ", ".join(f"{what}: {count}" for what, count in SPENT.items())
    terminalreporter.write_line(f"expensive fixtures: {line}")  # type: ignore[attr-defined]
