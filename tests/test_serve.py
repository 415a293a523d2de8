"""`mkdocs serve` as an author uses it: edits to entries, templates and macros appear without a restart,
and a broken edit is named in the terminal while the last good build stays online.

The server runs as a subprocess on a free port against a copy of the fixture project (with its own
copies of ``macros/`` and ``overrides/``, so editing them here cannot touch the repository). Every wait
is bounded; the server is stopped at the end whatever happens.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import ROOT, make_project
from test_authoring import FILLED


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def fetch(url: str) -> tuple[int, str]:
    """``(status, body)``; a request the server holds for more than 5 seconds fails the test."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, ""
    except (ConnectionError, urllib.error.URLError) as error:
        if isinstance(getattr(error, "reason", None), TimeoutError):
            raise AssertionError(f"{url}: the server held the request for more than 5 s (stuck)") from None
        return 0, ""
    except TimeoutError:
        raise AssertionError(f"{url}: the server held the request for more than 5 s (stuck)") from None


def wait_for(what: str, condition: Callable[[], bool], timeout: float = 30.0) -> float:
    """Poll ``condition`` until it holds; returns the seconds it took, fails after ``timeout``."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if condition():
            return time.monotonic() - start
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for: {what}")


class Server:
    """A running ``mkdocs serve`` and its terminal output."""

    def __init__(self, project: Path, log: Path) -> None:
        self.project = project
        self.log = log
        self.base = f"http://127.0.0.1:{_free_port()}"
        env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
        self._out = log.open("w", encoding="utf-8")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "mkdocs", "serve", "--dev-addr", self.base.removeprefix("http://"), "--livereload"],
            cwd=project, stdout=self._out, stderr=subprocess.STDOUT, env=env)

    def output(self) -> str:
        """Everything the server printed so far."""
        return self.log.read_text(encoding="utf-8", errors="replace")

    def page(self, path: str) -> tuple[int, str]:
        """``(status, body)`` of a page of the site."""
        assert self.process.poll() is None, "the server stopped:\n" + self.output()
        return fetch(f"{self.base}/{path}")

    def shows(self, path: str, text: str) -> bool:
        """Whether the page is served (200) and contains ``text``."""
        status, body = self.page(path)
        return status == 200 and text in body

    def stop(self) -> None:
        """Stop the server (only this process) and close its log."""
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self._out.close()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    """``mkdocs serve`` on a free port, serving a copy of the fixture project with its own code."""
    project = make_project(tmp_path / "p")
    for name in ("macros", "overrides"):
        (project / name).unlink()
        shutil.copytree(ROOT / name, project / name, ignore=shutil.ignore_patterns("__pycache__"))
    running = Server(project, tmp_path / "serve.log")
    try:
        wait_for("the first build", lambda: running.shows("glossary/alpha/", "Alpha context text."), timeout=90)
        yield running
    finally:
        running.stop()


def edit(path: Path, old: str, new: str) -> None:
    """Change one piece of a file, as an author saving in an editor."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} not once in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_broken_entry_keeps_last_good_build_and_a_fix_recovers(server: Server) -> None:
    """An edit to an entry appears; a broken edit prints `path:line: field: message` while the last good
    page is still served; the fix appears without a restart."""
    alpha = server.project / "glossary/alpha.yaml"
    edit(alpha, "context: Alpha context text.", "context: Alpha context edited.")
    took = wait_for("the edited entry", lambda: server.shows("glossary/alpha/", "Alpha context edited."))
    print(f"entry edit visible after {took:.2f} s")
    assert "Partial rebuild after a change to glossary/alpha.yaml" in server.output()

    edit(alpha, "context: Alpha context edited.", 'context: ""')
    wait_for("the problem in the terminal", lambda: "still serving the last good build" in server.output())
    assert "glossary/alpha.yaml:6: context: must not be empty: write the text of this section" in server.output()
    assert "Traceback" not in server.output()
    status, body = server.page("glossary/alpha/")
    assert status == 200 and "Alpha context edited." in body, "the last good build is not served"
    assert server.shows("glossary/beta/", "Beta context text.")

    edit(alpha, 'context: ""', "context: Alpha context fixed.")
    took = wait_for("the fixed entry", lambda: server.shows("glossary/alpha/", "Alpha context fixed."))
    print(f"fix visible after {took:.2f} s")
    assert server.output().count("Partial rebuild after a change to glossary/alpha.yaml") == 2  # after a failure too
    assert server.process.poll() is None


def test_new_entry_while_serving_appears_once_complete(server: Server) -> None:
    """`new` while the server runs: the terminal names the fields to fill, the site stays up; once the
    author fills them in and publishes, the page is served."""
    result = subprocess.run([sys.executable, "-m", "macros", "new", "Epsilon Messenger"], cwd=server.project,
                            capture_output=True, text=True, timeout=60,
                            env={"PYTHONPATH": str(server.project), "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr
    wait_for("the new entry's problems in the terminal",
             lambda: "glossary/epsilon-messenger.yaml:13: context: must not be empty" in server.output())
    assert server.shows("glossary/alpha/", "Alpha context text.")
    path = server.project / "glossary/epsilon-messenger.yaml"
    text = path.read_text(encoding="utf-8")
    for placeholder, value in FILLED:
        text = text.replace(placeholder, value)
    path.write_text(text, encoding="utf-8")
    took = wait_for("the new page", lambda: server.shows("glossary/epsilon-messenger/", "Epsilon context text."))
    print(f"new page visible after {took:.2f} s")


def test_template_and_macro_edits_reload(server: Server) -> None:
    """A template edit and a macro (Python) edit both show up; a template that does not compile is named
    `path:line: (template): …` and the last good build stays online until it is fixed."""
    template = server.project / "overrides/glossary/concept.md"
    edit(template, "## Related concepts", "## Related entries")
    took = wait_for("the template edit", lambda: server.shows("glossary/alpha/", "Related entries"))
    print(f"template edit visible after {took:.2f} s")

    edit(template, "{% if origin %}", "{% if origin %")
    wait_for("the template problem", lambda: "still serving the last good build" in server.output())
    assert "overrides/glossary/concept.md:" in server.output() and ": (template): " in server.output()
    assert server.shows("glossary/alpha/", "Related entries")
    edit(template, "{% if origin %", "{% if origin %}")
    edit(template, "## Related entries", "## See also")
    wait_for("the repaired template", lambda: server.shows("glossary/alpha/", "See also"))

    render = server.project / "macros/render.py"
    edit(render, 'return tag.replace("-", " ").capitalize()', 'return tag.replace("-", " ").upper()')
    took = wait_for("the macro edit", lambda: server.shows("glossary/alpha/", "MESSENGERS"))
    print(f"macro edit visible after {took:.2f} s")


def test_drafts_are_previewed_by_serve_only(server: Server) -> None:
    """A valid draft gets a preview page, marked as a draft, under `mkdocs serve` (a strict build never
    publishes it: see test_build.test_drafts_are_not_published)."""
    status, body = server.page("glossary/delta/")
    assert status == 200, "the draft has no preview page"
    assert "Draft preview" in body and "Delta mechanism." in body
    assert "Delta Draft" not in server.page("glossary/")[1], "a draft must not be listed in the A–Z index"
