"""The quality gates, shared by the real-site tests and the planted-fault tests.

Every gate returns ``Finding``s; a finding names the page, the gate and the element or URL,
so a failing test says where to look. The gates:

- ``Watch``: a browser context that records every request (and aborts any to another host),
  every Content-Security-Policy violation, script error, console error and failed response,
  each attributed to the page the reader is on; ``Watch.check_state`` reports cookies and
  anything in localStorage, sessionStorage, IndexedDB, Cache Storage or service workers beyond
  Material's palette preference.
- ``axe_findings``: axe-core (bundled by ``axe-playwright-python``) with the WCAG 2.0/2.1/2.2
  A and AA tags plus the best-practice rules the site promises.
- ``link_findings``: LinkChecker (an independent crawler, not MkDocs' own validation) over the
  served site, with anchor checking on.
- ``policy_findings``: the CSP and referrer ``<meta>`` tags of a built page, read with
  BeautifulSoup and checked against the page's own inline scripts.
"""

from __future__ import annotations

import base64
import csv
import functools
import hashlib
import http.server
import io
import json
import os
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from bs4 import BeautifulSoup

CHROMIUM = Path("/usr/bin/chromium")
# Headless Debian Chromium, with nothing of its own phoning home during the tests.
LAUNCH_ARGS = [
    "--no-sandbox", "--disable-background-networking", "--disable-component-update",
    "--disable-gpu", "--no-first-run", "--disable-sync",
]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
# Best-practice rules run on top of the tags. aria-dialog-name is the one stock Material fails
# (its search dialog has no name): it is fixed in overrides/partials/search.html and kept checked.
# label-content-name-mismatch (WCAG 2.5.3, experimental in axe, so named here): a link's visible text is in
# its accessible name, which the concept maps' labelled boxes must keep (issue 14).
AXE_EXTRA_RULES = ["landmark-one-main", "region", "heading-order", "page-has-heading-one", "aria-dialog-name",
                   "label-content-name-mismatch"]
AXE_OPTIONS: dict[str, Any] = {
    "runOnly": {"type": "tag", "values": AXE_TAGS},
    "rules": {rule: {"enabled": True} for rule in AXE_EXTRA_RULES},
}
# Material's palette preference (localStorage "<scope path>.__palette") is the one thing a page
# may keep in the browser, and only with these fields.
PALETTE_KEY = "__palette"
PALETTE_FIELDS = {"index", "color"}
PALETTE_COLOR_FIELDS = {"media", "scheme", "primary", "accent"}
# Script types a browser runs (the WHATWG list of JavaScript MIME types, plus "module").
JAVASCRIPT_TYPES = {
    "", "module", "application/ecmascript", "application/javascript", "application/x-ecmascript",
    "application/x-javascript", "text/ecmascript", "text/javascript", "text/javascript1.0",
    "text/javascript1.1", "text/javascript1.2", "text/javascript1.3", "text/javascript1.4",
    "text/javascript1.5", "text/jscript", "text/livescript", "text/x-ecmascript", "text/x-javascript",
}


@dataclass(frozen=True, order=True)
class Finding:
    """One thing a gate objects to: where (page), which gate, and the element or URL."""

    page: str
    gate: str
    detail: str

    def __str__(self) -> str:
        return f"{self.page or '/'}: {self.gate}: {self.detail}"


def report(findings: list[Finding] | set[Finding]) -> str:
    """The findings, one per line, sorted by page; empty when there are none."""
    return "\n".join(str(finding) for finding in sorted(set(findings)))


# -- environment --------------------------------------------------------------

def in_ci() -> bool:
    """True when running in CI (``CI`` set to anything but empty/0/false/no)."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def browser_problem() -> str | None:
    """Why the browser gates cannot run here, or None when they can."""
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        return f"{CHROMIUM} is missing: install Debian's chromium (`apt-get install -y chromium`, as .ci/run does)"
    try:
        import axe_playwright_python  # noqa: F401
        import playwright.sync_api  # noqa: F401
    except ImportError as error:
        return f"{error.name} is not installed: run `make test` (it installs the pinned test dependencies)"
    return None


def linkchecker_command() -> list[str] | None:
    """How to run LinkChecker from this environment, or None when it is not installed."""
    beside = Path(sys.executable).parent / "linkchecker"
    if beside.is_file():
        return [str(beside)]
    found = shutil.which("linkchecker")
    return [found] if found else None


# -- serving a built site ------------------------------------------------------

class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the site folder; no access log. The ``LinkChecker`` header tells LinkChecker it may
    check this (local, test-only) server without its politeness delay of up to 0.6 s per request."""

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        pass

    def end_headers(self) -> None:
        self.send_header("LinkChecker", "local test server")
        self.send_header("Cache-Control", "no-store")
        super().end_headers()


@contextmanager
def serve(root: Path) -> Iterator[str]:
    """Serve ``root`` on 127.0.0.1 at a free port; yields the base URL (ending in ``/``)."""
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="site-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def site_pages(root: Path) -> list[str]:
    """Every HTML page of a built site as a path below its root: ``""`` (home), ``"glossary/x/"``, ``"404.html"``."""
    pages = []
    for path in sorted(root.rglob("*.html")):
        rel = path.relative_to(root).as_posix()
        if rel == "index.html":
            rel = ""
        elif rel.endswith("/index.html"):
            rel = rel[: -len("index.html")]
        pages.append(rel)
    return pages


def origin(url: str) -> str:
    """``scheme://host:port`` of ``url``."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def page_of(url: str, base_url: str) -> str:
    """The site path of ``url`` (``glossary/x/``), or the URL itself when it is elsewhere."""
    if url.startswith(base_url):
        return url[len(base_url):].split("#", 1)[0].split("?", 1)[0]
    return url


# -- the browser: requests, policy violations, errors, storage ---------------------

_VIOLATION_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.__gateReportViolation({
    directive: event.effectiveDirective || event.violatedDirective,
    blocked: event.blockedURI, source: event.sourceFile, line: event.lineNumber, sample: event.sample,
  });
}, true);
"""

_STORAGE_SNAPSHOT = """async () => {
  const entries = (store) => {
    const found = {};
    for (let i = 0; i < store.length; i++) { const key = store.key(i); found[key] = store.getItem(key); }
    return found;
  };
  return {
    localStorage: entries(window.localStorage),
    sessionStorage: entries(window.sessionStorage),
    indexedDB: indexedDB.databases ? (await indexedDB.databases()).map((db) => db.name) : [],
    cacheStorage: self.caches ? await caches.keys() : [],
    serviceWorkers: navigator.serviceWorker
      ? (await navigator.serviceWorker.getRegistrations()).map((registration) => registration.scope) : [],
  };
}"""


class Watch:
    """Everything one browser context does that a reader did not ask for, page by page.

    Set ``where`` to the page (or action) under way; every request, violation or error seen
    meanwhile is attributed to it. Requests to another host are recorded and aborted.
    """

    def __init__(self, context: Any, base_url: str) -> None:
        self.context = context
        self.base_url = base_url
        self.origin = origin(base_url)
        self.where = ""
        self.findings: list[Finding] = []
        self.requests: list[str] = []
        self._seen: set[tuple[str, str]] = set()
        scope = urlsplit(base_url).path
        self.allowed_local_key = f"{scope}.{PALETTE_KEY}"
        context.expose_function("__gateReportViolation", self._violation)
        context.add_init_script(_VIOLATION_LISTENER)
        context.on("request", self._request)
        context.on("response", self._response)
        context.on("page", self._attach)
        context.route(lambda url: self._offsite(url), lambda route: route.abort("blockedbyclient"))
        for page in context.pages:
            self._attach(page)

    def _offsite(self, url: str) -> bool:
        return not url.startswith(("data:", "blob:", "about:")) and origin(url) != self.origin

    def _add(self, gate: str, detail: str) -> None:
        self.findings.append(Finding(self.where, gate, detail))

    def _request(self, request: Any) -> None:
        self.requests.append(request.url)
        if self._offsite(request.url):
            self._add("request to another host", request.url)

    def _response(self, response: Any) -> None:
        if response.status >= 400:
            self._add("failed response", f"HTTP {response.status} for {response.url}")

    def _violation(self, report: dict[str, Any]) -> None:
        source = f" (in {report.get('source') or 'the page'}:{report.get('line') or 0})"
        blocked = report.get("blocked") or "?"
        sample = f" «{report['sample']}»" if report.get("sample") else ""
        gate = "CSP violation"
        if blocked.startswith(("http://", "https://")) and origin(blocked) != self.origin:
            self._add("request to another host", f"{blocked} (blocked by the Content-Security-Policy)")
        self._add(gate, f"{report.get('directive')} blocked {blocked}{sample}{source}")

    def _attach(self, page: Any) -> None:
        page.on("pageerror", lambda error: self._add("script error", str(error).splitlines()[0]))
        page.on("console", self._console)

    def _console(self, message: Any) -> None:
        if message.type != "error":
            return
        text = message.text
        if text.startswith("Failed to load resource"):
            return  # the failed response itself is a finding, with its URL
        self._add("CSP violation" if "Content Security Policy" in text else "console error", text)

    def check_state(self, page: Any) -> list[Finding]:
        """Report (once each) cookies and stored data beyond the palette preference; returns new findings."""
        before = len(self.findings)
        for cookie in self.context.cookies():
            self._once("cookie", f"{cookie['name']}={cookie['value'][:60]} (domain {cookie['domain']})")
        state = page.evaluate(_STORAGE_SNAPSHOT)
        for key, value in state["localStorage"].items():
            if key != self.allowed_local_key:
                self._once("localStorage", f"{key} = {value[:80]}")
            elif not _is_palette(value):
                self._once("localStorage", f"{key} holds more than the palette preference: {value[:120]}")
        for key, value in state["sessionStorage"].items():
            self._once("sessionStorage", f"{key} = {value[:80]}")
        for name in state["indexedDB"]:
            self._once("IndexedDB", f"database {name}")
        for name in state["cacheStorage"]:
            self._once("Cache Storage", f"cache {name}")
        for scope in state["serviceWorkers"]:
            self._once("service worker", f"registered for {scope}")
        return self.findings[before:]

    def _once(self, gate: str, detail: str) -> None:
        if (gate, detail) not in self._seen:
            self._seen.add((gate, detail))
            self._add(gate, detail)

    def visit(self, page: Any, path: str) -> None:
        """Open ``path`` like a reader, wait until the network is quiet, then check cookies and storage."""
        self.where = path or "/"
        page.goto(self.base_url + path, wait_until="networkidle")
        self.check_state(page)


def _is_palette(value: str) -> bool:
    try:
        data = json.loads(value)
    except ValueError:
        return False
    return (isinstance(data, dict) and set(data) <= PALETTE_FIELDS
            and isinstance(data.get("color", {}), dict) and set(data.get("color", {})) <= PALETTE_COLOR_FIELDS)


def new_context(browser: Any, **options: Any) -> Any:
    """A fresh, private browser context (no cookies or storage from another test)."""
    return browser.new_context(viewport={"width": 1280, "height": 900}, **options)


# Playwright evaluates a wait_for_function *expression* with eval(), which the site's policy
# refuses ('unsafe-eval'); a function is called directly. So every predicate here is a function.

def settle(page: Any) -> None:
    """Wait until every CSS transition and animation has finished (colours are final)."""
    page.wait_for_function("() => document.getAnimations().every((a) => a.playState !== 'running')")


# -- reader actions -----------------------------------------------------------

def search(page: Any, query: str, base_url: str) -> list[str]:
    """Type ``query`` into the search box like a reader; the site paths of the listed results, in order."""
    field = page.locator(".md-search__input")
    field.click()
    field.fill("")
    field.press_sequentially(query, delay=15)
    page.wait_for_function(
        """(query) => {
          const meta = document.querySelector('.md-search-result__meta');
          return document.querySelector('.md-search__input').value === query && meta
            && !/Type to start searching|Initializing search/i.test(meta.textContent);
        }""", arg=query)
    # The list is rendered just after the count, by a worker: on a busy machine it can lag behind what was
    # typed, so read it until it has stayed the same for 400 ms (at most 10 s).
    def listed() -> list[str]:
        return list(page.eval_on_selector_all(".md-search-result__item > .md-search-result__link",
                                              "links => links.map((a) => a.href)"))

    hrefs, steady = listed(), 0
    for _ in range(100):
        page.wait_for_timeout(100)
        now = listed()
        steady = steady + 1 if now == hrefs else 0
        hrefs = now
        if steady >= 4:
            break
    return [page_of(href, base_url) for href in hrefs]


def close_search(page: Any) -> None:
    """Leave the search dialog with Escape, as a keyboard user does."""
    page.keyboard.press("Escape")
    page.wait_for_function("() => !document.querySelector('#__search').checked")


def visible_tooltip(page: Any) -> str | None:
    """The text of the tooltip now shown, or None."""
    return page.evaluate("""() => {
      const shown = [...document.querySelectorAll('[role="tooltip"]')].filter((tip) => {
        const style = getComputedStyle(tip);
        return style.visibility !== 'hidden' && style.display !== 'none' && Number(style.opacity) > 0
          && tip.getBoundingClientRect().height > 0;
      });
      return shown.length ? shown[shown.length - 1].textContent.trim() : null;
    }""")


def wait_for_tooltip(page: Any, timeout_ms: int = 3000, of: Any = None) -> str | None:
    """The tooltip text once one is shown (Material fades it in), or None after ``timeout_ms``.

    With ``of`` (a locator), the tooltip of that element (the one its ``aria-describedby`` names):
    another one still shown (the palette button's, while it keeps the focus) does not count.
    """
    if of is not None:
        try:
            of.evaluate("""(el, timeout) => new Promise((resolve, reject) => {
              const end = Date.now() + timeout;
              const poll = () => {
                const tip = document.getElementById(el.getAttribute('aria-describedby') || '');
                const style = tip && getComputedStyle(tip);
                if (tip && style.visibility !== 'hidden' && Number(style.opacity) > 0.9 && tip.textContent.trim()) {
                  resolve(true);
                } else if (Date.now() > end) { reject(new Error('no tooltip')); } else { setTimeout(poll, 50); }
              };
              poll();
            })""", timeout_ms)
        except Exception:  # noqa: BLE001 - no tooltip in time
            return None
        return str(of.evaluate(
            "(el) => document.getElementById(el.getAttribute('aria-describedby')).textContent.trim()"))
    try:
        page.wait_for_function("""() => [...document.querySelectorAll('[role="tooltip"]')].some((tip) => {
            const style = getComputedStyle(tip);
            return style.visibility !== 'hidden' && Number(style.opacity) > 0.9 && tip.textContent.trim();
          })""", timeout=timeout_ms)
    except Exception:  # noqa: BLE001 - playwright's TimeoutError: no tooltip
        return None
    return visible_tooltip(page)


# -- accessibility --------------------------------------------------------------

def axe_findings(page: Any, where: str) -> list[Finding]:
    """Run axe-core on the page as it is now; one finding per violating element.

    Also a finding when one of ``AXE_EXTRA_RULES`` did not run at all, so the configuration
    cannot silently drift into checking less than promised.
    """
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options=AXE_OPTIONS).response
    ran = {rule["id"] for kind in ("passes", "violations", "incomplete", "inapplicable") for rule in results[kind]}
    findings = [Finding(where, "axe configuration", f"rule {rule} did not run") for rule in AXE_EXTRA_RULES
                if rule not in ran]
    for violation in results["violations"]:
        for node in violation["nodes"]:
            target = " ".join(str(part) for part in node["target"])
            html = " ".join(node.get("html", "").split())[:160]
            findings.append(Finding(where, f"axe {violation['id']}",
                                    f"{target} — {violation['help']} — {html}"))
    return findings


# -- links ----------------------------------------------------------------------

_LINKCHECKER_CONFIG = """\
[checking]
threads=4
# Local test server only: it answers with a "LinkChecker" header, which lifts the per-host rate limit.
maxrequestspersecond=1000
robotstxt=0
[filtering]
checkextern=0
internlinks=^{base}
[AnchorCheck]
"""


@dataclass
class LinkCheck:
    """What LinkChecker saw: every URL it logged (``rows``) and the broken ones (``findings``)."""

    rows: list[dict[str, str]]
    findings: list[Finding]
    output: str


def link_findings(base_url: str, pages: list[str], workdir: Path) -> LinkCheck:
    """Check every link and ``#anchor`` of ``pages`` (and everything they link to on the site) with LinkChecker.

    Links to other hosts are only syntax-checked (no network); the site is checked over HTTP, as
    served, so navigation, theme assets and CSS ``url()``s count as much as content links.
    """
    command = linkchecker_command()
    if command is None:
        raise RuntimeError("linkchecker is not installed: run `make test` (it installs the pinned test dependencies)")
    config = workdir / "linkcheckerrc"
    config.write_text(_LINKCHECKER_CONFIG.format(base=re.escape(base_url)), encoding="utf-8")
    run = subprocess.run(
        [*command, "--config", str(config), "--no-status", "--verbose", "--output", "csv/utf-8",
         "--ignore-url", f"^(?!{re.escape(base_url)})", *[base_url + page for page in pages]],
        capture_output=True, text=True, encoding="utf-8", timeout=900, check=False,
    )
    rows = _csv_rows(run.stdout)
    findings = []
    for row in rows:
        page = page_of(row.get("parentname") or row.get("url", ""), base_url) or "/"
        where = f"{row.get('urlname', '')!r} (line {row.get('line') or '?'})"
        if row.get("valid") != "True":
            findings.append(Finding(page, "broken link", f"{where} -> {row.get('url')}: {row.get('result')}"))
        for warning in (row.get("warningstring") or "").splitlines():
            if "Anchor" in warning and "not found" in warning:
                anchor = unquote(urlsplit(row.get("url", "")).fragment)
                target = page_of(row.get("url", ""), base_url) or "/"
                findings.append(Finding(page, "broken anchor",
                                        f"{where}: no element with id or name {anchor!r} on {target}"))
            elif warning.strip():
                findings.append(Finding(page, "link warning", f"{where}: {warning.strip()}"))
    if run.returncode not in (0, 1) or not rows:   # 1 means "found errors or warnings"
        findings.append(Finding("/", "link checker", f"exit {run.returncode}: {run.stderr.strip()[-800:]}"))
    return LinkCheck(rows=rows, findings=findings, output=run.stderr)


def _csv_rows(text: str) -> list[dict[str, str]]:
    rows = [row for row in csv.reader(io.StringIO(text), delimiter=";")
            if row and not (len(row) == 1 and row[0].startswith("#"))]
    if not rows:
        return []
    header, *body = rows
    return [dict(zip(header, row, strict=False)) for row in body]   # the last column is often left off


# -- the Content-Security-Policy and referrer meta tags ------------------------------

def _directives(policy: str) -> dict[str, list[str]]:
    directives: dict[str, list[str]] = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            directives.setdefault(words[0].lower(), words[1:])
    return directives


def _directive_findings(page: str, directives: dict[str, list[str]]) -> list[Finding]:
    """default-src 'self', no 'unsafe-eval', no other origin, no 'unsafe-inline' for scripts."""
    findings: list[Finding] = []
    if directives.get("default-src") != ["'self'"]:
        findings.append(Finding(page, "policy", f"default-src is {directives.get('default-src')}, not 'self'"))
    for name, sources in directives.items():
        if "'unsafe-eval'" in sources:
            findings.append(Finding(page, "policy", f"{name} allows 'unsafe-eval'"))
        if "*" in sources or any(s.startswith(("http:", "https:")) for s in sources):
            findings.append(Finding(page, "policy", f"{name} allows another origin: {' '.join(sources)}"))
    if "'unsafe-inline'" in directives.get("script-src", directives.get("default-src", [])):
        findings.append(Finding(page, "policy", "script-src allows 'unsafe-inline'"))
    return findings


def _script_findings(soup: BeautifulSoup, page: str, csp: Any, script_src: list[str]) -> list[Finding]:
    """The policy comes before every script, and each inline script the browser runs is allowed by its hash."""
    findings: list[Finding] = []
    first_script = soup.head.find("script") if soup.head is not None else None
    if first_script is not None and first_script.sourceline is not None and csp.sourceline is not None \
            and (first_script.sourceline, first_script.sourcepos) < (csp.sourceline, csp.sourcepos):
        findings.append(Finding(page, "policy", "a <script> comes before the Content-Security-Policy <meta>"))
    for script in soup.find_all("script"):
        kind = str(script.get("type") or "").strip().lower()
        if script.get("src") or kind not in JAVASCRIPT_TYPES:
            continue
        text = script.string or ""
        digest = base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")
        if f"'sha256-{digest}'" not in script_src:
            findings.append(Finding(page, "policy",
                                    f"inline <script> (line {script.sourceline}) «{' '.join(text.split())[:60]}» "
                                    "is not allowed by a hash in script-src"))
    return findings


def policy_findings(html: str, page: str) -> list[Finding]:
    """Check a built page's CSP and referrer ``<meta>`` tags against the page's own inline scripts.

    Independent of ``macros/security.py``: the page is parsed with BeautifulSoup, and the hashes
    are recomputed here from the scripts the browser would run.
    """
    soup = BeautifulSoup(html, "html.parser")
    findings: list[Finding] = []
    head = soup.head
    if head is None:
        return [Finding(page, "policy", "the page has no <head>")]
    csp = head.find("meta", attrs={"http-equiv": lambda v: bool(v) and str(v).lower() == "content-security-policy"})
    referrer = head.find("meta", attrs={"name": "referrer"})
    if referrer is None or referrer.get("content") != "no-referrer":
        findings.append(Finding(page, "policy", '<meta name="referrer" content="no-referrer"> is missing'))
    if csp is None:
        return [*findings, Finding(page, "policy", "<meta http-equiv=\"Content-Security-Policy\"> is missing")]
    directives = _directives(str(csp.get("content", "")))
    findings += _directive_findings(page, directives)
    script_src = directives.get("script-src", directives.get("default-src", []))
    return findings + _script_findings(soup, page, csp, script_src)
