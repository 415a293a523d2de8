"""The production build and what a web server needs to serve it: ``make dist`` and ``make preview-dist``.

``make dist`` refuses to build unless ``SITE_URL`` is the site's public ``https://``
address (canonical links, ``sitemap.xml``, Open Graph, JSON-LD and ``glossary.json``
all carry it), builds strictly into ``site/`` and writes the HTTP headers that a
``<meta>`` tag cannot carry, twice from one list so the two never drift:

- ``site/_headers``: the format Netlify and Cloudflare Pages read;
- ``deploy/nginx/glossary.conf``: an include for an nginx ``server`` block (headers,
  gzip, the site's ``404.html`` as the error page, long caching of hashed assets).

The Content-Security-Policy header is the pages' own ``<meta>`` policy (every
page's sources together) plus ``frame-ancestors 'none'``, which only a header can
carry. ``make preview-dist`` serves ``site/`` through a real nginx with that include.

Nothing here imports MkDocs: the build runs as a command.
"""

from __future__ import annotations

import ipaddress
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlsplit

__all__ = ["CACHE_IMMUTABLE", "HEADERS_FILE", "NGINX_INCLUDE", "header_policy", "hashed_assets", "local_notice",
           "nginx_include", "nginx_preview_config", "parse_headers_file", "security_headers", "site_url_problem"]

HEADERS_FILE = "_headers"
NGINX_INCLUDE = "deploy/nginx/glossary.conf"
PREVIEW_DIR = ".preview-dist"
LOCAL_DEFAULT = "http://127.0.0.1:8000/"
CACHE_IMMUTABLE = "public, max-age=31536000, immutable"
#: Browser features the site never uses, switched off for it and for anything it could embed.
PERMISSIONS = ("accelerometer=(), autoplay=(), camera=(), display-capture=(), encrypted-media=(), fullscreen=(), "
               "geolocation=(), gyroscope=(), magnetometer=(), microphone=(), midi=(), payment=(), "
               "picture-in-picture=(), publickey-credentials-get=(), screen-wake-lock=(), usb=(), "
               "xr-spatial-tracking=(), browsing-topics=()")
#: Material's content-hashed file names (``bundle.a5f9d56c.min.js``): safe to cache for a year.
_HASHED = re.compile(r"\.[0-9a-f]{8}\.min\.(?:js|css)$")
_META_CSP = re.compile(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)"')
#: What nginx compresses (text/html always is, once gzip is on).
GZIP_TYPES = ("text/css", "application/javascript", "application/json", "image/svg+xml", "application/xml",
              "text/plain")
MIME_TYPES = {"text/html": "html", "text/css": "css", "application/javascript": "js",
              "application/json": "json map", "image/svg+xml": "svg", "application/xml": "xml",
              "text/plain": "txt", "image/png": "png", "image/x-icon": "ico", "application/gzip": "gz",
              "font/woff2": "woff2", "application/manifest+json": "webmanifest"}


def site_url_problem(value: str | None) -> str | None:
    """Why ``value`` cannot be the public address of a production build, or None when it can."""
    if not value or not value.strip():
        return ("SITE_URL is not set: make dist builds for the site's public address; "
                "run it as SITE_URL=https://glossary.example.org/ make dist")
    parts = urlsplit(value.strip())
    if parts.scheme != "https" or not parts.hostname:
        return f"SITE_URL must be the site's public https:// address, not '{value}'"
    host = parts.hostname
    try:
        address = ipaddress.ip_address(host)
        local = address.is_loopback or address.is_unspecified or address.is_link_local
    except ValueError:
        local = host == "localhost" or host.endswith(".localhost")
    if local:
        return f"SITE_URL '{value}' points at this machine ({host}); set it to the site's public https:// address"
    return None


def local_notice() -> str | None:
    """What ``make build`` and ``make serve`` say once when they build for local preview (SITE_URL unset)."""
    if os.environ.get("SITE_URL", "").strip():
        return None
    return (f"SITE_URL is not set: this build is for local preview (links, sitemap.xml and glossary.json point at "
            f"{LOCAL_DEFAULT}). To deploy, run SITE_URL=https://your.site/ make dist")


def _pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def header_policy(policies: Iterable[str]) -> str:
    """One policy allowing what every page's ``<meta>`` policy allows, plus ``frame-ancestors 'none'``.

    Sources are merged directive by directive, in the order first seen, so a page's own
    hashes stay allowed; the browser enforces header and meta policy together.
    """
    merged: dict[str, list[str]] = {}
    for policy in policies:
        for directive in policy.split(";"):
            name, *sources = directive.split()
            if not name:
                continue
            bucket = merged.setdefault(name, [])
            bucket.extend(s for s in sources if s not in bucket)
    merged["frame-ancestors"] = ["'none'"]
    return "; ".join(f"{name} {' '.join(sources)}".strip() for name, sources in merged.items())


def meta_policies(site: Path) -> list[str]:
    """The Content-Security-Policy ``<meta>`` of every page of the built ``site``."""
    found = []
    for page in _pages(site):
        match = _META_CSP.search(page.read_text(encoding="utf-8", errors="replace"))
        if match:
            found.append(match.group(1).replace("&#x27;", "'").replace("&#39;", "'"))
    return found


def security_headers(policy: str) -> list[tuple[str, str]]:
    """The headers every response gets."""
    return [
        ("Content-Security-Policy", policy),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "no-referrer"),
        ("Permissions-Policy", PERMISSIONS),
        ("Cross-Origin-Opener-Policy", "same-origin"),
        ("Cross-Origin-Resource-Policy", "same-origin"),
        ("Strict-Transport-Security", "max-age=31536000"),
        ("X-Frame-Options", "DENY"),
    ]


def hashed_assets(site: Path) -> list[str]:
    """URL paths of Material's content-hashed assets in ``site`` (the only files cached for a year)."""
    return sorted("/" + p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file() and
                  _HASHED.search(p.name))


def headers_file(headers: list[tuple[str, str]], assets: list[str]) -> str:
    """``site/_headers`` in the Netlify / Cloudflare Pages format."""
    lines = ["# Written by `make dist` (macros/deploy.py): the same headers as deploy/nginx/glossary.conf.",
             "/*"]
    lines += [f"  {name}: {value}" for name, value in headers]
    for path in assets:
        lines += [path, f"  Cache-Control: {CACHE_IMMUTABLE}"]
    return "\n".join(lines) + "\n"


def parse_headers_file(text: str) -> dict[str, dict[str, str]]:
    """``path -> {header: value}`` of a ``_headers`` file (for the tests and the drift check)."""
    rules: dict[str, dict[str, str]] = {}
    current: dict[str, str] | None = None
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line[0].isspace():
            current = rules.setdefault(line.strip(), {})
        elif current is not None:
            name, _colon, value = line.strip().partition(":")
            current[name.strip()] = value.strip()
    return rules


def _nginx_quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def nginx_include(headers: list[tuple[str, str]]) -> str:
    """``deploy/nginx/glossary.conf``: the directives for a ``server { root /path/to/site; … }`` block."""
    adds = [f"        add_header {name} {_nginx_quote(value)} always;" for name, value in headers]
    types = "\n".join(f"    {mime} {exts};" for mime, exts in MIME_TYPES.items())
    return "\n".join([
        "# Written by `make dist` (macros/deploy.py): the same headers as site/_headers. Include it in a",
        "# server block whose root is the built site/:  server { root /srv/glossary/site; include glossary.conf; }",
        "charset utf-8;",
        "types {", types, "}",
        "default_type application/octet-stream;",
        "index index.html;",
        "absolute_redirect off;",
        "server_tokens off;",
        "gzip on;",
        "gzip_vary on;",
        "gzip_min_length 256;",
        f"gzip_types {' '.join(GZIP_TYPES)};",
        "error_page 404 /404.html;",
        "# add_header is not inherited into a location that has its own, so each location lists them all.",
        "location / {",
        *adds,
        "        try_files $uri $uri/ =404;",
        "}",
        "# Material's content-hashed assets never change under the same name.",
        r'location ~ "\.[0-9a-f]{8}\.min\.(js|css)$" {',
        *adds,
        f'        add_header Cache-Control "{CACHE_IMMUTABLE}" always;',
        "}",
        "",
    ])


def parse_nginx_headers(text: str) -> dict[str, dict[str, str]]:
    """``location -> {header: value}`` of the include (for the tests and the drift check)."""
    rules: dict[str, dict[str, str]] = {}
    current: dict[str, str] | None = None
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("location "):
            current = rules.setdefault(stripped[len("location "):-1].strip(), {})
        elif stripped.startswith("add_header ") and current is not None:
            name, _space, rest = stripped[len("add_header "):].partition(" ")
            value = rest.rsplit(" always;", 1)[0].strip()
            current[name] = value[1:-1].replace('\\"', '"').replace("\\\\", "\\")
    return rules


def nginx_preview_config(site: Path, include: Path, port: int, temp: Path) -> str:
    """A complete nginx.conf serving ``site`` on 127.0.0.1:``port`` in the foreground, nothing outside ``temp``."""
    paths = "\n".join(f"    {name}_temp_path {temp / name};" for name in
                      ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    # Started as root, nginx would run its workers as "nobody", who may not read a private folder
    # (a temporary directory, a home folder): run them as the owner of the built site instead.
    user = []
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        import grp
        import pwd

        stat = site.stat()
        user = [f"user {pwd.getpwuid(stat.st_uid).pw_name} {grp.getgrgid(stat.st_gid).gr_name};"]
    return "\n".join([
        "# Written by `make preview-dist` (macros/deploy.py); not for production.",
        *user,
        "daemon off;",
        "worker_processes 1;",
        f"pid {temp / 'nginx.pid'};",
        "error_log stderr warn;",
        "events { worker_connections 256; }",
        "http {",
        "    access_log off;",
        paths,
        "    server {",
        f"        listen 127.0.0.1:{port};",
        "        server_name localhost;",
        f"        root {site};",
        f"        include {include};",
        "    }",
        "}",
        "",
    ])


def write_deploy_files(root: Path, site: Path) -> tuple[Path, Path]:
    """Write ``site/_headers`` and ``deploy/nginx/glossary.conf`` for the built ``site``."""
    headers = security_headers(header_policy(meta_policies(site)))
    headers_path = site / HEADERS_FILE
    headers_path.write_text(headers_file(headers, hashed_assets(site)), encoding="utf-8")
    include = root / NGINX_INCLUDE
    include.parent.mkdir(parents=True, exist_ok=True)
    include.write_text(nginx_include(headers), encoding="utf-8")
    return headers_path, include


def _leaks(site: Path) -> list[str]:
    """Built files that still name the local preview address."""
    local = LOCAL_DEFAULT.rstrip("/")
    found = []
    for path in sorted(site.rglob("*")):
        if path.is_file() and path.suffix in {".html", ".xml", ".json", ".txt", ".js"}:
            if local in path.read_text(encoding="utf-8", errors="replace"):
                found.append(path.relative_to(site).as_posix())
    return found


def dist(root: Path) -> int:
    """``make dist``: 2 refused (SITE_URL), 1 the build failed, 0 built with its deployment files."""
    problem = site_url_problem(os.environ.get("SITE_URL"))
    if problem:
        print(f"make dist: {problem}", file=sys.stderr)
        return 2
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    build = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict"], cwd=root, env=env, check=False)
    if build.returncode != 0:
        print("make dist: the strict build failed (above); nothing to deploy", file=sys.stderr)
        return 1
    site = root / "site"
    leaks = _leaks(site)
    if leaks:
        print(f"make dist: {len(leaks)} built files still name {LOCAL_DEFAULT} (first: {leaks[0]})", file=sys.stderr)
        return 1
    headers_path, include = write_deploy_files(root, site)
    pages = len(_pages(site))
    print(f"built site/ for {os.environ['SITE_URL'].strip()} ({pages} pages); wrote "
          f"{headers_path.relative_to(root)} and {include.relative_to(root)}", file=sys.stderr)
    return 0


def preview(root: Path, port: int) -> int:
    """``make preview-dist``: serve ``site/`` through nginx on 127.0.0.1:``port`` until interrupted."""
    site = (root / "site").resolve()
    include = (root / NGINX_INCLUDE).resolve()
    if not (site / HEADERS_FILE).is_file() or not include.is_file():
        print("make preview-dist: no production build here; run SITE_URL=https://… make dist first", file=sys.stderr)
        return 2
    nginx = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx")
                                           if Path(p).is_file()), None)
    if nginx is None:
        print("make preview-dist: nginx is not installed (Debian: apt-get install nginx)", file=sys.stderr)
        return 2
    temp = (root / PREVIEW_DIR).resolve()
    temp.mkdir(exist_ok=True)
    config = temp / "nginx.conf"
    config.write_text(nginx_preview_config(site, include, port, temp), encoding="utf-8")
    print(f"serving site/ through nginx on http://127.0.0.1:{port}/ (Ctrl-C stops it)", file=sys.stderr,
          flush=True)
    os.execv(nginx, [nginx, "-p", str(temp), "-c", str(config), "-e", "stderr"])
    return 0  # not reached
