"""Each gate fails when its fault is planted, and names the page and the element or URL.

The planted faults are the pages in tests/browser/faults/, added to a copy of the fixture site;
the gates are the same functions the real-site tests use (tests/browser/gates.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from . import gates
from .conftest import ServedSite
from .gates import Finding


@pytest.fixture(scope="module")
def fault_crawl(browser: object, fault_site: ServedSite) -> list[Finding]:
    """Every page of the planted-fault site visited once, with the Content-Security-Policy in force."""
    context = gates.new_context(browser)
    try:
        watch = gates.Watch(context, fault_site.base_url)
        page = context.new_page()
        for path in fault_site.pages:
            watch.visit(page, path)
        return watch.findings
    finally:
        context.close()


def on(findings: list[Finding], page: str, gate: str) -> list[Finding]:
    """The findings of one gate on one page."""
    return [finding for finding in findings if finding.page == page and finding.gate == gate]


def test_clean_pages_of_the_fault_site_pass_every_browser_gate(fault_crawl: list[Finding]) -> None:
    """The gates are precise: only the planted pages are reported, so a finding is never noise."""
    elsewhere = [finding for finding in fault_crawl if not finding.page.startswith("faults/")]
    assert not elsewhere, gates.report(elsewhere)


def test_request_gate_reports_an_external_image_with_the_policy_in_force(fault_crawl: list[Finding]) -> None:
    """With the CSP in force the browser refuses the image; the gate still names the page and the URL."""
    found = on(fault_crawl, "faults/external-image/", "request to another host")
    assert found, gates.report(fault_crawl)
    assert {f.detail.split()[0] for f in found} == {"https://tracker.example/pixel.png"}, gates.report(found)
    csp = on(fault_crawl, "faults/external-image/", "CSP violation")
    assert any("img-src blocked https://tracker.example/pixel.png" in f.detail for f in csp), gates.report(csp)


def test_request_gate_reports_an_external_image_without_the_policy(browser: object, fault_site: ServedSite) -> None:
    """With the CSP bypassed the request reaches the network layer, where the gate records and aborts it:
    the tracking gate does not depend on the policy being right."""
    context = gates.new_context(browser, bypass_csp=True)
    try:
        watch = gates.Watch(context, fault_site.base_url)
        watch.visit(context.new_page(), "faults/external-image/")
    finally:
        context.close()
    assert [str(f) for f in watch.findings if f.gate == "request to another host"] == [
        "faults/external-image/: request to another host: https://tracker.example/pixel.png"]
    assert "https://tracker.example/pixel.png" in watch.requests


def test_cookie_gate_reports_a_cookie_setting_script(fault_crawl: list[Finding]) -> None:
    """A script that sets a cookie is reported on its page, with the cookie's name and value."""
    found = on(fault_crawl, "faults/cookie-script/", "cookie")
    assert [f.detail for f in found] == ["visitor=42 (domain 127.0.0.1)"]


def test_storage_gate_reports_identifiers_kept_without_cookies(fault_crawl: list[Finding]) -> None:
    """localStorage (beyond the palette preference), sessionStorage, IndexedDB and Cache Storage
    are each reported on the page that wrote them, with the key or name."""
    found = sorted((f.gate, f.detail) for f in fault_crawl if f.page == "faults/browser-storage/")
    assert found == [("Cache Storage", "cache visitor-cache"), ("IndexedDB", "database visitor-db"),
                     ("localStorage", "visitor-id = 42"), ("sessionStorage", "visit = 1")], gates.report(fault_crawl)


def test_policy_gate_reports_eval(fault_crawl: list[Finding]) -> None:
    """The CSP has no 'unsafe-eval': the browser refuses eval() and the gate reports the violation on its page."""
    found = on(fault_crawl, "faults/eval-script/", "CSP violation")
    assert found, gates.report(fault_crawl)
    assert any("script-src" in f.detail and "eval" in f.detail for f in found), gates.report(found)


def test_link_gate_reports_broken_anchors(fault_site: ServedSite, linkchecker: None, tmp_path: Path) -> None:
    """LinkChecker reports an anchor missing on another page and on the same page, naming the page and the link."""
    check = gates.link_findings(fault_site.base_url, fault_site.pages, tmp_path)
    lines = fault_site.html("faults/broken-anchor/").splitlines()
    line_of = {href: next(n for n, text in enumerate(lines, 1) if f'href="{href}"' in text)
               for href in ("../../about/#no-such-section", "#nowhere-on-this-page")}
    assert sorted(str(f) for f in check.findings) == [
        f"faults/broken-anchor/: broken anchor: '#nowhere-on-this-page' (line {line_of['#nowhere-on-this-page']}): "
        "no element with id or name 'nowhere-on-this-page' on faults/broken-anchor/",
        f"faults/broken-anchor/: broken anchor: '../../about/#no-such-section' "
        f"(line {line_of['../../about/#no-such-section']}): no element with id or name 'no-such-section' on about/",
    ]
    assert len(check.rows) > 50 and sum("#" in row["url"] for row in check.rows) > 10   # it really crawled


def test_link_gate_reports_a_missing_page(fault_site: ServedSite, linkchecker: None, tmp_path: Path) -> None:
    """A link to a page that does not exist is reported with the page it is on and the address it points to."""
    html = fault_site.root / "about" / "index.html"
    original = html.read_text(encoding="utf-8")
    try:
        html.write_text(original.replace("</article>", '<a href="../no-such-page/">gone</a></article>', 1),
                        encoding="utf-8")
        check = gates.link_findings(fault_site.base_url, ["about/"], tmp_path)
    finally:
        html.write_text(original, encoding="utf-8")
    broken = [f for f in check.findings if f.gate == "broken link"]
    assert len(broken) == 1, gates.report(check.findings)
    assert broken[0].page == "about/"
    assert "'../no-such-page/'" in broken[0].detail and "404" in broken[0].detail


def test_axe_gate_reports_an_unlabelled_button(browser: object, fault_site: ServedSite) -> None:
    """axe-core reports the button with no accessible name, naming the page and the element;
    a clean page of the same site has no violation at all."""
    context = gates.new_context(browser)
    try:
        page = context.new_page()
        page.goto(fault_site.url("faults/unlabelled-button/"), wait_until="networkidle")
        faulty = gates.axe_findings(page, "faults/unlabelled-button/")
        page.goto(fault_site.url("glossary/alpha/"), wait_until="networkidle")
        clean = gates.axe_findings(page, "glossary/alpha/")
    finally:
        context.close()
    assert [(f.page, f.gate) for f in faulty] == [("faults/unlabelled-button/", "axe button-name")], \
        gates.report(faulty)
    assert faulty[0].detail.startswith(".planted-fault — Buttons must have discernible text")
    assert not clean, gates.report(clean)


def test_policy_meta_gate_reports_a_page_without_policy_or_with_an_unhashed_script() -> None:
    """The static check of the CSP <meta> names a missing policy, a missing referrer policy,
    'unsafe-eval', and an inline script the policy's hashes do not cover."""
    bare = "<!doctype html><html><head><title>t</title></head><body><h1>t</h1></body></html>"
    assert [str(f) for f in gates.policy_findings(bare, "bare/")] == [
        'bare/: policy: <meta name="referrer" content="no-referrer"> is missing',
        'bare/: policy: <meta http-equiv="Content-Security-Policy"> is missing',
    ]
    loose = ("<!doctype html><html><head><meta charset='utf-8'><meta http-equiv='Content-Security-Policy' "
             "content=\"default-src 'self'; script-src 'self' 'unsafe-eval'\">"
             "<meta name='referrer' content='no-referrer'></head>"
             "<body><script>track()</script></body></html>")
    assert [str(f) for f in gates.policy_findings(loose, "loose/")] == [
        "loose/: policy: script-src allows 'unsafe-eval'",
        "loose/: policy: inline <script> (line 1) «track()» is not allowed by a hash in script-src",
    ]


def test_every_planted_fault_page_passes_the_static_policy_check(fault_site: ServedSite) -> None:
    """The build adds the policy to pages with author scripts too (hashing them): the planted
    cookie and eval scripts are caught by the browser gates, not by a missing policy."""
    findings = [f for page in fault_site.pages for f in gates.policy_findings(fault_site.html(page), page)]
    assert not findings, gates.report(findings)
