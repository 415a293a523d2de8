"""The fast CSP scan finds exactly what Python's full HTML parser finds, on every page of the real site."""

from __future__ import annotations

from pathlib import Path

import pytest

from macros.security import PageFacts, fast_scan, reference_scan


def test_fast_scan_equals_the_html_parser_on_every_page(real_site: Path) -> None:
    """Same inline scripts, styles, style attributes and insertion point as html.parser, page by page."""
    pages = sorted(real_site.rglob("*.html"))
    assert len(pages) > 50
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert fast_scan(html) == reference_scan(html), page.relative_to(real_site)


@pytest.mark.parametrize("html", [
    '<html><head><meta charset="utf-8"><script>a()</script></head><body><p style="color: red">x</p></body></html>',
    "<html><head><!-- <script>not()</script> --><script type='module'>m()</script></head><body></body></html>",
    '<html><head><script src="x.js"></script><script type="application/ld+json">{"a":"</p>"}</script></head>'
    '<body><div title="a > b" style="width: 1px">y</div><style>p{}</style></body></html>',
    "<p>a fragment without a head</p>",
])
def test_fast_scan_edge_cases(html: str) -> None:
    """Comments, data blocks, external scripts, quoted '>' and fragments are handled like the parser does."""
    assert fast_scan(html) == reference_scan(html)
    assert isinstance(fast_scan(html), PageFacts)
