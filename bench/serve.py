"""How long an edit to one entry takes to show in ``mkdocs serve``.

Starts ``mkdocs serve --livereload`` (what ``make serve`` runs) on a free port of
127.0.0.1 in a project, waits for a concept page, then edits that entry's YAML
file and polls the page over HTTP until the edit shows. The server answers a page
request only once a rebuild in progress has finished, and it tells the browser to
reload at that same moment, so the time the edit first appears in the served page
is the time it appears in the browser.
"""

from __future__ import annotations

import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, TextIO

from .run import ENV, PY

_POLL = 0.05


def free_port() -> int:
    """A TCP port of 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def fetch(url: str) -> str | None:
    """The page at ``url``, or ``None`` while the server cannot answer it."""
    try:
        with urllib.request.urlopen(url, timeout=120) as response:
            return str(response.read().decode("utf-8", errors="replace"))
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return None


def wait_for(url: str, marker: str | None, deadline: float, server: subprocess.Popen[bytes]) -> float:
    """Poll ``url`` until it answers (and contains ``marker``); returns the moment it did."""
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"mkdocs serve stopped (exit status {server.returncode})")
        page = fetch(url)
        if page is not None and (marker is None or marker in page):
            return time.monotonic()
        time.sleep(_POLL)
    raise TimeoutError(f"{url} did not show {marker or 'a page'} in time")


#: The edits timed, each against the page where it shows. A section edit changes one concept page;
#: a summary edit also changes the tooltips of the pages linking to the entry, the A-Z and topic
#: pages; an edit to a hand-written page is the same-run baseline: MkDocs' full rebuild.
EDIT_KINDS = ("section", "summary", "full rebuild")


def _edit_for(kind: str, entry: Path, page: Path, marker: str) -> tuple[Path, str, str]:
    """``(file, its edited text, the URL path where the marker shows)`` for one kind of edit."""
    if kind == "section":
        text = entry.read_text(encoding="utf-8")
        return entry, text.replace("\nmetric: >-\n  ", f"\nmetric: >-\n  {marker} marks an edit. ", 1), \
            f"glossary/{entry.stem}/"
    if kind == "summary":
        text = entry.read_text(encoding="utf-8")
        return entry, text.replace("\nsummary: >-\n  ", f"\nsummary: >-\n  {marker} marks an edit. ", 1), "glossary/"
    text = page.read_text(encoding="utf-8")
    return page, text.rstrip("\n") + f"\n\n{marker} marks an edit.\n", f"{page.stem}/"


def measure_serve(project: Path, edits: int = 3, log: TextIO = sys.stderr, timeout: float = 300) -> dict[str, Any]:
    """Start ``mkdocs serve`` in ``project``; time ``edits`` edits of each kind until each shows.

    Kinds take turns (section, summary, full rebuild, section...), so all meet the same
    conditions. Every edited file is restored afterwards. Returns the seconds to the first
    served page and, per kind, the seconds of each edit.
    """
    entries = sorted(p for p in (project / "glossary").glob("*.yaml") if not p.name.startswith("_"))
    entry = entries[len(entries) // 2]
    page = project / "content" / "about.md"
    originals = {path: path.read_text(encoding="utf-8") for path in (entry, page)}
    if "\nmetric: >-\n  " not in originals[entry] or "\nsummary: >-\n  " not in originals[entry]:
        raise RuntimeError(f"{entry} has no folded 'summary' and 'metric' fields to edit")
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    seconds: dict[str, list[float]] = {kind: [] for kind in EDIT_KINDS}
    with tempfile.TemporaryFile() as output:
        start = time.monotonic()
        server = subprocess.Popen([PY, "-m", "mkdocs", "serve", "--dev-addr", f"127.0.0.1:{port}", "--livereload"],
                                  cwd=project, env=ENV, stdout=output, stderr=subprocess.STDOUT)
        try:
            try:
                startup = wait_for(f"{base}glossary/{entry.stem}/", None, start + timeout, server) - start
                print(f"serve: {len(entries)} entries, first page after {startup:.1f}s", file=log, flush=True)
                for number in range(edits):
                    for kind in EDIT_KINDS:
                        time.sleep(1.0)  # let the watcher settle between edits
                        marker = f"Benchedit{number}{secrets.token_hex(4)}"
                        path, text, where = _edit_for(kind, entry, page, marker)
                        written = time.monotonic()
                        path.write_text(text, encoding="utf-8")
                        seconds[kind].append(wait_for(base + where, marker, written + timeout, server) - written)
                        print(f"serve: {kind} edit {number + 1}/{edits} showed after {seconds[kind][-1]:.1f}s",
                              file=log, flush=True)
            except (RuntimeError, TimeoutError):
                output.seek(0)
                print(output.read().decode("utf-8", errors="replace")[-4000:], file=log)
                raise
        finally:
            for path, text in originals.items():
                path.write_text(text, encoding="utf-8")
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
    return {"n": len(entries), "startup_seconds": startup, "edit_seconds": seconds["section"],
            "kinds": seconds, "entry": entry.name}
