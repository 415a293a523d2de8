"""`make dist` and `make preview-dist`: a production build on the public address, with the HTTP
security headers a <meta> tag cannot carry, served through a real nginx; and ProperDocs as the way out
if MkDocs 1.x or Material stop working."""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import ROOT, make_project, preview_dist

from macros.deploy import CACHE_IMMUTABLE, NGINX_INCLUDE, parse_headers_file, parse_nginx_headers, site_url_problem

PUBLIC = "https://glossary.example.org/"
LOCAL = "http://127.0.0.1:8000/"
EXPECTED_HEADERS = {"Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy", "Permissions-Policy",
                    "Cross-Origin-Opener-Policy", "Cross-Origin-Resource-Policy", "Strict-Transport-Security",
                    "X-Frame-Options"}


def _env(**extra: str) -> dict[str, str]:
    env = {"PYTHONPATH": str(ROOT), "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "NO_MKDOCS_2_WARNING": "1",
           "HOME": os.environ.get("HOME", "/tmp")}
    env.update(extra)
    return env


def run_macros(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """``python -m macros ARGS`` as a person would run it, with only the given environment."""
    return subprocess.run([sys.executable, "-m", "macros", *args], cwd=cwd, capture_output=True, text=True,
                          env=_env(**env), timeout=300, check=False)


def deploy_project(dest: Path) -> Path:
    """The fixture site, with its public address taken from SITE_URL like the real mkdocs.yml."""
    project = make_project(dest)
    config = project / "mkdocs.yml"
    config.write_text(f'site_url: !ENV [SITE_URL, "{LOCAL}"]\n' + config.read_text(encoding="utf-8"),
                      encoding="utf-8")
    return project


@pytest.fixture(scope="module")
def dist_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture project after ``SITE_URL=https://glossary.example.org/ make dist``."""
    project = deploy_project(tmp_path_factory.mktemp("dist") / "project")
    result = run_macros("dist", cwd=project, SITE_URL=PUBLIC)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"built site/ for {PUBLIC}" in result.stderr
    return project


@pytest.mark.parametrize("value", [None, "", "http://glossary.example.org/", "https://localhost/",
                                   "https://127.0.0.5:8443/", "https://[::1]/", "https://docs.localhost/",
                                   "glossary.example.org"])
def test_dist_refuses_a_missing_or_local_site_url(value: str | None, tmp_path: Path) -> None:
    """Without the public https:// address, dist exits 2 with one line naming SITE_URL and builds nothing."""
    project = deploy_project(tmp_path / "p")
    env = {} if value is None else {"SITE_URL": value}
    result = run_macros("dist", cwd=project, **env)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "SITE_URL" in lines[0], result.stderr
    assert not (project / "site").exists()


def test_make_dist_is_the_command_line_dist() -> None:
    """`make dist` and `make preview-dist` exist and run the dist commands (the README's commands)."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "\ndist: $(STAMP)\n\t$(PY) -m macros dist\n" in makefile
    assert "\npreview-dist: $(STAMP)\n\t$(PY) -m macros preview-dist --port $(PORT)\n" in makefile
    result = subprocess.run(["make", "-s", "dist"], cwd=ROOT, capture_output=True, text=True, timeout=300,
                            env={k: v for k, v in os.environ.items() if k != "SITE_URL"}, check=False)
    assert result.returncode == 2 and "SITE_URL is not set" in result.stderr


def test_a_public_https_address_is_accepted() -> None:
    """Real public addresses pass, with or without a path."""
    assert site_url_problem("https://glossary.example.org/") is None
    assert site_url_problem("https://example.org/glossary/") is None


def test_every_absolute_url_is_on_the_public_address(dist_project: Path) -> None:
    """Canonical links, the sitemap, Open Graph, JSON-LD and glossary.json all name the public address;
    nothing names the local preview address."""
    site = dist_project / "site"
    leaks = [p.relative_to(site).as_posix() for p in site.rglob("*")
             if p.is_file() and p.suffix in {".html", ".xml", ".json"}
             and "127.0.0.1" in p.read_text(encoding="utf-8", errors="replace")]
    assert leaks == []
    alpha = (site / "glossary/alpha/index.html").read_text(encoding="utf-8")
    assert f'<link rel="canonical" href="{PUBLIC}glossary/alpha/">' in alpha
    assert f"<loc>{PUBLIC}glossary/alpha/</loc>" in (site / "sitemap.xml").read_text(encoding="utf-8")
    assert PUBLIC in (site / "glossary.json").read_text(encoding="utf-8")


def test_headers_file_and_nginx_include_carry_the_same_headers(dist_project: Path) -> None:
    """site/_headers (Netlify, Cloudflare Pages) and deploy/nginx/glossary.conf give every response the
    same security headers; the CSP header is the pages' meta policy plus frame-ancestors 'none'; only
    Material's content-hashed assets are cached for a year."""
    site = dist_project / "site"
    netlify = parse_headers_file((site / "_headers").read_text(encoding="utf-8"))
    nginx = parse_nginx_headers((dist_project / NGINX_INCLUDE).read_text(encoding="utf-8"))
    assert set(netlify["/*"]) == EXPECTED_HEADERS
    assert nginx["/"] == netlify["/*"]
    hashed = {k for k in netlify if k != "/*"}
    assert hashed and all(".min." in path for path in hashed)
    assert all(netlify[path] == {"Cache-Control": CACHE_IMMUTABLE} for path in hashed)
    assert nginx[r'~ "\.[0-9a-f]{8}\.min\.(js|css)$"'] == {**netlify["/*"], "Cache-Control": CACHE_IMMUTABLE}
    policy = netlify["/*"]["Content-Security-Policy"]
    assert policy.endswith("; frame-ancestors 'none'")
    meta = (site / "index.html").read_text(encoding="utf-8").split('http-equiv="Content-Security-Policy" content="')[1]
    meta_directives = dict(d.strip().split(" ", 1) for d in meta.split('"')[0].split(";"))
    header_directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    for name, sources in meta_directives.items():
        assert set(sources.split()) <= set(header_directives[name].split()), name
    assert netlify["/*"]["X-Content-Type-Options"] == "nosniff"
    assert netlify["/*"]["Referrer-Policy"] == "no-referrer"
    assert "camera=()" in netlify["/*"]["Permissions-Policy"]
    assert netlify["/*"]["Strict-Transport-Security"].startswith("max-age=")


@pytest.mark.slow
def test_local_builds_say_once_that_they_are_for_preview(tmp_path: Path) -> None:
    """`make build` without SITE_URL says once that the site is for local preview; with it, nothing."""
    project = deploy_project(tmp_path / "p")
    command = [sys.executable, "-m", "mkdocs", "build", "--strict"]
    local = subprocess.run(command, cwd=project, capture_output=True, text=True, env=_env(), timeout=300,
                           check=False)
    assert local.returncode == 0, local.stderr
    assert local.stderr.count("SITE_URL is not set: this build is for local preview") == 1
    public = subprocess.run(command, cwd=project, capture_output=True, text=True, env=_env(SITE_URL=PUBLIC),
                            timeout=300, check=False)
    assert public.returncode == 0 and "SITE_URL is not set" not in public.stderr


# -- through a real nginx ----------------------------------------------------------------

def test_preview_serves_with_the_headers_gzip_and_our_404(dist_project: Path) -> None:
    """Through nginx: every response carries the headers; HTML, CSS, JS, JSON and SVG are compressed;
    a missing page answers 404 with the site's own page; hashed assets are cached for a year, pages not."""
    with preview_dist(dist_project) as base:
        home = fetch(base)
        assert home.status == 200 and EXPECTED_HEADERS <= set(home.headers)
        assert home.headers["Content-Security-Policy"].endswith("frame-ancestors 'none'")
        assert "Cache-Control" not in home.headers
        css = next((dist_project / "site/assets/stylesheets").glob("main.*.min.css")).name
        compressed = {
            "": "text/html", "glossary.json": "application/json", f"assets/stylesheets/{css}": "text/css",
            "assets/javascripts/glossary-tooltips.js": "application/javascript",
        }
        svg = next((dist_project / "site").rglob("*.svg"), None)
        if svg is not None:
            compressed[svg.relative_to(dist_project / "site").as_posix()] = "image/svg+xml"
        for path, mime in compressed.items():
            response = fetch(base + path, gzip_ok=True)
            assert response.headers.get("Content-Encoding") == "gzip", path
            assert response.headers["Content-Type"].startswith(mime), path
            assert response.body == (dist_project / "site" / (path or "index.html")).read_bytes(), path
        asset = fetch(base + f"assets/stylesheets/{css}")
        assert asset.headers["Cache-Control"] == CACHE_IMMUTABLE
        assert EXPECTED_HEADERS <= set(asset.headers)
        missing = fetch(base + "no/such/page/")
        assert missing.status == 404
        assert missing.body == (dist_project / "site/404.html").read_bytes()
        assert EXPECTED_HEADERS <= set(missing.headers)
        moved = fetch(base + "glossary/alpha")
        assert moved.status == 301 and moved.headers["Location"] == "/glossary/alpha/"


def test_preview_without_a_dist_build_says_what_to_run(tmp_path: Path) -> None:
    """preview-dist before dist: exit 2 and the command to run, no server started."""
    result = run_macros("preview-dist", "--port", "8999", cwd=deploy_project(tmp_path / "p"))
    assert result.returncode == 2 and "make dist first" in result.stderr


@dataclass
class Response:
    """One HTTP response, body decompressed."""

    status: int
    headers: dict[str, str]
    body: bytes


def fetch(url: str, *, gzip_ok: bool = False) -> Response:
    """GET ``url`` without following redirects; ``gzip_ok`` asks for a compressed body."""
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: object, **kwargs: object) -> None:
            return None

    opener = urllib.request.build_opener(NoRedirect)
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"} if gzip_ok else {})
    try:
        with opener.open(request, timeout=10) as answer:
            status, headers, body = answer.status, dict(answer.headers), answer.read()
    except urllib.error.HTTPError as error:
        status, headers, body = error.code, dict(error.headers), error.read()
    if headers.get("Content-Encoding") == "gzip":
        body = gzip.decompress(body)
    return Response(status, headers, body)
