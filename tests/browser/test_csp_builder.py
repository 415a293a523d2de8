"""macros/security.py: the Content-Security-Policy and referrer tags written into each built page."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

import pytest
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


def test_live_preview_allows_live_reload_by_a_nonce_never_unsafe_inline() -> None:
    """Under `mkdocs serve` the live-reload script (new text on every response) runs by a nonce drawn for the
    serving process: script-src is 'self', the nonce and the hashes, never 'unsafe-inline'. A build, in
    another command, has no nonce."""
    serving = Session()
    security.on_startup(command="serve", dirty=False, session=serving)
    policy = policy_of(security.on_post_page(PAGE, session=serving))
    nonce = [s for s in policy["script-src"] if s.startswith("'nonce-")]
    assert len(nonce) == 1 and len(nonce[0]) > len("'nonce-'") + 16
    assert nonce[0] == f"'nonce-{serving.nonce}'"
    assert "'unsafe-inline'" not in policy["script-src"] and "'unsafe-eval'" not in policy["script-src"]
    assert policy["default-src"] == ["'self'"]
    building = Session()
    security.on_startup(command="build", dirty=False, session=building)
    strict = policy_of(security.on_post_page(PAGE, session=building))["script-src"]
    assert not any(s.startswith("'nonce-") for s in strict)


def test_the_served_live_reload_script_carries_the_nonce() -> None:
    """The preview server writes the process's nonce on the one script it injects, and on nothing else."""
    from macros.mkdocs_compat import sign_live_reload

    class Server:
        def _inject_js_into_html(self, content: bytes, epoch: int) -> bytes:  # MkDocs 1.6.1's shape
            at = content.rindex(b"</body>")
            return content[:at] + b"<script>livereload(%d, 1);</script>" % epoch + content[at:]

    server = Server()
    sign_live_reload(server, "abc123")
    served = server._inject_js_into_html(b"<html><body><script>planted()</script></body></html>", 7)  # noqa: SLF001
    assert served == (b'<html><body><script>planted()</script><script nonce="abc123">livereload(7, 1);</script>'
                      b"</body></html>")


def _theme_dirs() -> list[str]:
    """The template folders of the real build: overrides/, then Material's templates."""
    import material

    root = Path(__file__).resolve().parents[2]
    return [str(root / "overrides"), str(Path(material.__file__).parent / "templates")]


def test_only_scripts_the_templates_write_are_allowed() -> None:
    """Material's scope script is allowed at any depth (its {{ base_url }} is a value), an injected script is
    not, nor one that uses the template's text to break out of its string."""
    allowed = security.template_scripts(_theme_dirs())
    scope = ('__md_scope=new URL("{base}",location),__md_hash=e=>[...e].reduce(((e,_)=>(e<<5)-e+_.charCodeAt(0)),0),'
             '__md_get=(e,_=localStorage,t=__md_scope)=>JSON.parse(_.getItem(t.pathname+"."+e)),'
             '__md_set=(e,_,t=localStorage,a=__md_scope)=>{{try{{t.setItem(a.pathname+"."+e,JSON.stringify(_))}}'
             'catch(e){{}}}}')
    assert allowed.script(scope.format(base="../.."))
    assert allowed.script(scope.format(base="."))
    assert not allowed.script(scope.format(base='..",location),alert(1),("'))
    assert not allowed.script("alert(document.cookie)")
    assert not allowed.style("body{background:url(x)}")
    assert "text-align: right;" in allowed.style_attributes


def test_a_page_with_an_injected_script_is_refused_not_hashed() -> None:
    """With the templates' list, a page holding an inline script no template writes raises, naming it;
    the theme's own scripts pass and are hashed."""
    allowed = security.template_scripts(_theme_dirs())
    page = PAGE.replace('__md_scope=new URL("..",location)', "stolen()")
    with pytest.raises(security.UnknownInlineCode, match="stolen"):
        security.secure_html(page, allowed=allowed)
    real = ('var target=document.getElementById(location.hash.slice(1));'
            'target&&target.name&&(target.checked=target.name.startsWith("__tabbed_"))')
    theme = PAGE.replace('<script>__md_scope=new URL("..",location)</script>', "").replace(
        "var target=document.getElementById(location.hash.slice(1))", real)
    assert policy_of(security.secure_html(theme, allowed=allowed))["script-src"] == ["'self'", sha(real)]
