"""macros/security.py: the Content-Security-Policy and referrer tags written into each built page."""

from __future__ import annotations

import base64
import hashlib

from bs4 import BeautifulSoup

from macros import security
from macros.state import Session

PAGE = """<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <title>t</title>
    <script>__md_scope=new URL("..",location)</script>
    <script type="application/ld+json">{"@type": "DefinedTerm"}</script>
    <script src="assets/bundle.js"></script>
  </head>
  <body>
    <h1>t</h1>
    <script id="__config" type="application/json">{"base": ".."}</script>
    <script>var target=document.getElementById(location.hash.slice(1))</script>
  </body>
</html>
"""


def sha(text: str) -> str:
    """The CSP hash source of ``text``, computed here independently of the module."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"


def policy_of(html: str) -> dict[str, list[str]]:
    """The directives of the page's CSP <meta>."""
    meta = BeautifulSoup(html, "html.parser").find("meta", attrs={"http-equiv": "Content-Security-Policy"})
    assert meta is not None, html[:400]
    return {part.split()[0]: part.split()[1:] for part in str(meta["content"]).split(";") if part.strip()}


def test_policy_and_referrer_come_first_in_the_head() -> None:
    """The two tags follow <meta charset> directly, before any script, so the policy governs them all."""
    soup = BeautifulSoup(security.secure_html(PAGE), "html.parser")
    assert soup.head is not None
    head = list(soup.head.find_all(name=True, recursive=False))
    assert head[0].get("charset") == "utf-8"
    assert head[1].get("http-equiv") == "Content-Security-Policy"
    assert head[2].get("name") == "referrer" and head[2].get("content") == "no-referrer"


def test_only_executable_inline_scripts_are_allowed_by_their_hash() -> None:
    """Each inline JavaScript block is hashed; JSON and JSON-LD data blocks and external scripts are not."""
    policy = policy_of(security.secure_html(PAGE))
    assert policy["script-src"] == ["'self'", sha('__md_scope=new URL("..",location)'),
                                    sha("var target=document.getElementById(location.hash.slice(1))")]
    assert policy["default-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert not any("'unsafe-eval'" in sources or "'unsafe-inline'" in sources for sources in policy.values())


def test_style_attributes_written_by_the_build_are_allowed_one_by_one() -> None:
    """A style attribute in the built HTML (e.g. a Markdown table's column alignment) is allowed by its
    hash with 'unsafe-hashes', never by 'unsafe-inline'."""
    page = PAGE.replace("<h1>t</h1>", '<table><tr><td style="text-align: right;">1</td></tr></table>')
    assert policy_of(security.secure_html(page))["style-src"] == [
        "'self'", "'unsafe-hashes'", sha("text-align: right;")]


def test_a_document_without_head_is_left_alone() -> None:
    """A fragment or redirect stub without <head> comes back unchanged (nothing is lost)."""
    assert security.secure_html("<p>fragment</p>") == "<p>fragment</p>"


def test_theme_pages_are_secured_and_the_sitemap_is_not() -> None:
    """on_post_template secures 404.html and leaves sitemap.xml as it was."""
    assert "Content-Security-Policy" in security.on_post_template(PAGE, "404.html", session=Session())
    sitemap = '<?xml version="1.0"?><urlset></urlset>'
    assert security.on_post_template(sitemap, "sitemap.xml", session=Session()) == sitemap


def test_live_preview_relaxes_only_inline_scripts() -> None:
    """Under `mkdocs serve` the live-reload script (new text on every response) may run: script-src is
    'self' 'unsafe-inline' with no hash (a hash would disable 'unsafe-inline'); the rest stays strict.
    A build, in another command, is strict."""
    serving = Session()
    security.on_startup(command="serve", dirty=False, session=serving)
    policy = policy_of(security.on_post_page(PAGE, session=serving))
    assert policy["script-src"] == ["'self'", "'unsafe-inline'"]
    assert policy["default-src"] == ["'self'"] and "'unsafe-eval'" not in policy["script-src"]
    building = Session()
    security.on_startup(command="build", dirty=False, session=building)
    assert "'unsafe-inline'" not in policy_of(security.on_post_page(PAGE, session=building))["script-src"]
