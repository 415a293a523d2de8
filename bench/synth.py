"""Synthetic glossaries for the benchmark and the scale test.

``make_project(dest, n)`` writes a complete project (``mkdocs.yml``, ``glossary/``
with ``n`` valid entries, ``content/``, links to the real ``macros/`` and
``overrides/``) that builds exactly like the real site. ``make_baseline(ours, dest)``
writes the same site as plain MkDocs + Material: every page, generated or
hand-written, is the Markdown our macros would produce, written out as an
ordinary file, with no macros plugin and no hook.

Entry text is made of sentences taken from the real glossary, so word lengths,
punctuation and Markdown look like the real thing. Everything is seeded: the same
``n`` and ``seed`` give the same files, and entry ``i`` has the same text at every
``n`` (only its link targets, drawn from all ``n`` entries, differ).
"""

from __future__ import annotations

import copy
import datetime as _dt
import random
import re
import shutil
import textwrap
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import yaml

from macros.index import macro_call
from macros.model import EVIDENCE_LEVELS, RISK_LABELS, SCHEMA_LINE, SECTIONS, WIKILINK, link_parts

ROOT = Path(__file__).resolve().parents[1]
TAGS = ("neurotransmitters", "receptors", "enzymes", "medicines", "supplements", "safety", "withdrawal",
        "assessment", "body-systems", "signalling", "precursors-and-cofactors", "sleep")
_ONSETS = ("b", "c", "d", "f", "g", "h", "k", "l", "m", "n", "p", "pr", "r", "s", "st", "t", "tr", "v", "z", "gl")
_VOWELS = ("a", "e", "i", "o", "u", "y", "ae", "io")
_ENDINGS = ("ine", "ase", "ate", "ol", "amide", "onin", "oid", "ium", "ide", "an", "in", "ex")
_KINDS = ("", "", "", "", "receptor", "transporter", "syndrome", "pathway", "channel")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z(])")
_FRONT = re.compile(r"\A(---\n.*?\n---\n)(.*)\Z", re.S)
_CITATION = re.compile(r"[ \t]*\[@[^\]\n]*\]")

__all__ = ["harvest_sentences", "make_baseline", "make_plain", "make_project", "entry_files"]


def harvest_sentences(root: Path = ROOT) -> list[str]:
    """Every sentence of the real glossary's text fields, with ``[[links]]`` turned into plain words."""
    sentences: set[str] = set()
    for path in sorted((root / "glossary").glob("*.yaml")):
        if path.name.startswith("_"):
            continue
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
        if not isinstance(data, dict):
            continue
        texts = [data.get(name) for name in ("context", "significance", "mechanism", "application", "metric",
                                             "origin", "summary")]
        risk = data.get("risk")
        if isinstance(risk, dict):
            texts.append(risk.get("text"))
        for text in texts:
            if not isinstance(text, str):
                continue
            text = WIKILINK.sub(lambda m: m.group(2) or m.group(1).replace("-", " "), _CITATION.sub("", text))
            for sentence in _SENTENCE_END.split(" ".join(text.split())):
                if 6 <= len(sentence.split()) <= 45 and not any(c in sentence for c in "[]{}<>`|#"):
                    sentences.add(sentence)
    if len(sentences) < 20:
        raise RuntimeError(f"too few sentences in {root / 'glossary'} to make realistic text")
    return sorted(sentences)


def _terms(n: int, seed: int) -> list[str]:
    """``n`` distinct pseudo-scientific terms spread over the alphabet (the first ones do not depend on n)."""
    rng = random.Random(f"terms:{seed}")
    seen: set[str] = set()
    terms: list[str] = []
    while len(terms) < n:
        word = "".join(rng.choice(_ONSETS) + rng.choice(_VOWELS) for _ in range(rng.choice((1, 2, 2, 3))))
        word = (word + rng.choice(_ENDINGS)).capitalize()
        kind = rng.choice(_KINDS)
        term = f"{word} {kind}" if kind else word
        if term.casefold() not in seen:
            seen.add(term.casefold())
            terms.append(term)
    return terms


def _slug(term: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", term.lower()).strip("-")


def _paragraph(rng: random.Random, sentences: list[str], words: int) -> list[str]:
    """Sentences adding up to about ``words`` words."""
    out: list[str] = []
    count = 0
    while count < words - 8:
        sentence = rng.choice(sentences)
        out.append(sentence)
        count += len(sentence.split())
    return out


def _link(rng: random.Random, text: str, slug: str) -> str:
    """``text`` with one word turned into ``[[slug|word]]``, or followed by ``([[slug]])``."""
    words = text.split(" ")
    spots = [i for i, w in enumerate(words) if w.isalpha() and len(w) >= 4] or [len(words) - 1]
    i = rng.choice(spots)
    words[i] = f"[[{slug}|{words[i]}]]" if rng.random() < 0.5 else f"{words[i]} ([[{slug}]])"
    return " ".join(words)


def _cite(text: str, key: str) -> str:
    """``text`` with an inline citation of ``key`` before its last full stop."""
    return f"{text[:-1]} [@{key}]." if text.endswith(".") else f"{text} [@{key}]"


def _block(key: str, text: str, indent: str = "") -> str:
    """A folded YAML block scalar, wrapped like a hand-written entry."""
    lines = textwrap.wrap(text, width=96, break_long_words=False, break_on_hyphens=False)
    return f"{indent}{key}: >-\n" + "".join(f"{indent}  {line}\n" for line in lines)


def _section_texts(rng: random.Random, sentences: list[str],
                   other: Callable[[set[int]], str] | None) -> tuple[dict[str, str], str]:
    """The sections' text (about 60 words each) and the risk text, with a link now and then (``other`` picks
    its target; None: no links)."""
    sections: dict[str, str] = {}
    for name in SECTIONS:
        text = " ".join(_paragraph(rng, sentences, 60))
        if name in ("context", "mechanism", "application") and other is not None:
            text = _link(rng, text, other(set()))
        sections[name] = text
    risk_text = " ".join(_paragraph(rng, sentences, 40))
    if rng.random() < 0.3 and other is not None:
        risk_text = _link(rng, risk_text, other(set()))
    return sections, risk_text


def entry_files(n: int, seed: int = 1, root: Path = ROOT) -> dict[str, str]:
    """The YAML text of ``n`` valid synthetic entries, keyed by slug.

    About 60 words in each section, three ``related``, one reference (cited inline at the end of the
    mechanism and of the risk text, as the check requires), and about four ``[[links]]`` per entry to
    entries drawn uniformly at random (seeded), so no entry becomes a hub that every page mentions.
    """
    sentences = harvest_sentences(root)
    short = [s for s in sentences if len(s) <= 280]
    keys = [item["key"] for item in yaml.safe_load((root / "glossary" / "_references.yaml").read_text("utf-8"))
            ["references"]]
    terms = _terms(n, seed)
    slugs = [_slug(t) for t in terms]
    files: dict[str, str] = {}
    for i, (term, slug) in enumerate(zip(terms, slugs, strict=True)):
        rng = random.Random(f"entry:{seed}:{i}")  # the text: the same at every n
        targets = random.Random(f"links:{seed}:{n}:{i}")  # where the links point: drawn from all n entries

        def other(taken: set[int], targets: random.Random = targets, i: int = i) -> str:
            while True:
                j = targets.randrange(n)
                if j != i and j not in taken:
                    taken.add(j)
                    return slugs[j]

        key = random.Random(f"cite:{seed}:{i}").choice(keys)
        linked: set[int] = set()
        related = [other(linked) for _ in range(min(3, n - 1))]
        summary = " ".join(rng.sample(short, 2))
        if rng.random() < 0.3 and n > 1:
            summary = _link(rng, summary, other(set()))
        sections, risk_text = _section_texts(rng, sentences, other if n > 1 else None)
        sections["mechanism"] = _cite(sections["mechanism"], key)
        risk_text = _cite(risk_text, key)
        parts = [SCHEMA_LINE + "\n", f"term: {term}\n"]
        if rng.random() < 0.25:
            parts.append(f"aliases: [{term[:3].upper()}-{i + 1}]\n")
        parts.append(_block("summary", summary))
        parts.extend(_block(name, text) for name, text in sections.items())
        level = rng.choice(tuple(RISK_LABELS))
        parts.append(f"risk:\n  level: {level}\n")
        parts.append(_block("text", risk_text, indent="  "))
        if level == "high" or (level == "moderate" and rng.random() < 0.5):  # required for high risk
            parts.append("  urgent:\n" + "".join(_block("-", sentence, indent="    ").replace("-: >-", "- >-", 1)
                                                 for sentence in rng.sample(short, rng.choice((2, 3)))))
        if rng.random() < 0.5:
            parts.append(_block("origin", " ".join(_paragraph(rng, sentences, 40))))
        parts.append(f"related: [{', '.join(related)}]\n")
        parts.append(f"tags: [{', '.join(rng.sample(TAGS, rng.choice((1, 1, 2, 2, 3))))}]\n")
        parts.append(f"evidence: {rng.choice(EVIDENCE_LEVELS)}\n")
        parts.append(f"references: [{key}]\n")
        parts.append(f"reviewed: {_dt.date(2025, 1, 1) + _dt.timedelta(days=rng.randrange(700))}\n")
        files[slug] = "".join(parts)
    return files


def _remap_content(docs: Path, slugs: list[str]) -> None:
    """Point the macro calls of the copied real pages at synthetic entries (same calls, same text)."""
    mapping: dict[str, str] = {}
    for path in sorted(docs.rglob("*.md")):
        text = path.read_text(encoding="utf-8")

        def swap(match: re.Match[str]) -> str:
            slug = mapping.setdefault(match.group(3), slugs[len(mapping) % len(slugs)])
            return f"{match.group(1)}({match.group(2)}{slug}{match.group(2)}"

        new = macro_call().sub(swap, text)
        if new != text:
            path.write_text(new, encoding="utf-8")


def make_project(dest: Path, n: int, seed: int = 1, root: Path = ROOT) -> Path:
    """Write a project with ``n`` synthetic entries at ``dest``; it builds like the real site.

    ``mkdocs.yml``, the bibliography and ``content/`` are the real ones (macro calls
    pointed at synthetic entries); ``macros/`` and ``overrides/`` are symbolic links to
    the real code, so the benchmark measures the generator as it is.
    """
    dest.mkdir(parents=True)
    shutil.copy2(root / "mkdocs.yml", dest / "mkdocs.yml")
    glossary = dest / "glossary"
    glossary.mkdir()
    shutil.copy2(root / "glossary" / "_references.yaml", glossary / "_references.yaml")
    _write_style(root, glossary)
    files = entry_files(n, seed, root)
    for slug, text in files.items():
        (glossary / f"{slug}.yaml").write_text(text, encoding="utf-8")
    docs_name = read_config(root / "mkdocs.yml").get("docs_dir", "docs")
    shutil.copytree(root / docs_name, dest / docs_name)
    _remap_content(dest / docs_name, list(files))
    for name in ("macros", "overrides"):
        (dest / name).symlink_to(root / name, target_is_directory=True)
    return dest


def _write_style(root: Path, glossary: Path) -> None:
    """The real writing rules, with the grade limits lifted: synthetic entries are shuffled sentences, so
    their grades are measured (that work is in the timings) but not held to the limits."""
    source = root / "glossary" / "_style.yaml"
    style = yaml.safe_load(source.read_text("utf-8")) if source.is_file() else {}
    style.setdefault("readability", {})["limits"] = {"summary": 99, "risk": 99, "section": 99, "article": 99}
    (glossary / "_style.yaml").write_text(yaml.safe_dump(style, sort_keys=False), encoding="utf-8")


def _baseline_config(config: dict[str, Any]) -> dict[str, Any]:
    """The same configuration without the macros plugin, the hook and the extra watched folders."""
    out = dict(config)
    out.pop("hooks", None)
    out.pop("watch", None)
    plugins = []
    for plugin in out.get("plugins") or []:
        name = plugin if isinstance(plugin, str) else next(iter(plugin))
        if name != "macros":
            plugins.append(plugin)
    out["plugins"] = plugins
    return out


class _MacroEnv:
    """The part of mkdocs-macros' ``env`` that ``macros.define_env`` uses: it collects the macros."""

    def __init__(self, conf: Any) -> None:
        self.macros: dict[str, Any] = {}
        self.filters: dict[str, Any] = {}
        self.variables: dict[str, Any] = {}
        self.conf = conf
        self.page: Any = None

    def macro(self, function: Any, name: str = "") -> Any:
        """Register a macro, as ``@env.macro`` does."""
        self.macros[name or function.__name__] = function
        return function

    def filter(self, function: Any, name: str = "") -> Any:
        """Register a filter, as ``@env.filter`` does."""
        self.filters[name or function.__name__] = function
        return function


def read_config(path: Path) -> dict[str, Any]:
    """A ``mkdocs.yml`` read as MkDocs reads it (``!ENV`` tags resolved)."""
    from mkdocs.utils.yaml import yaml_load

    with open(path, "rb") as handle:
        return yaml_load(handle)


def make_baseline(ours: Path, dest: Path) -> Path:
    """Write the plain MkDocs + Material twin of project ``ours`` at ``dest``.

    Every page our build would produce (hand-written pages after their macros
    run, concept pages, the A-Z index, topic pages, exported files) is written as
    the ordinary file our hook and macros would produce, so both sites hold the
    same text, theme, navigation and search index; only our loading,
    validation, macros and hooks are missing from the baseline's build.
    """
    import jinja2
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.files import Files

    import macros
    import macros.render
    from macros import site
    from macros.mkdocs_compat import no_current_plugin
    from macros.state import Session, build_state

    config = read_config(ours / "mkdocs.yml")
    docs_name = config.get("docs_dir", "docs")
    mk = MkDocsConfig(config_file_path=str(ours / "mkdocs.yml"))
    mk.load_dict({**copy.deepcopy(_baseline_config(config)), "docs_dir": str(ours / docs_name),
                  "site_dir": str(dest / "site")})
    failed, _warnings = mk.validate()
    if failed:
        raise RuntimeError(f"cannot read the configuration of {ours}: {failed}")
    no_current_plugin(mk.plugins)  # File.generated records which plugin made a file; none does here
    session = Session()
    site.on_config(mk, session=session)  # loads and validates the glossary; raises on any problem
    env = _MacroEnv(mk)
    macros.define_env(env)
    jinja = jinja2.Environment(undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    jinja.globals.update(env.macros)
    jinja.filters.update(env.filters)

    def render(src_uri: str, text: str) -> str:
        match = _FRONT.match(text)
        head, body = (match.group(1), match.group(2)) if match else ("", text)
        if re.search(r"^render_macros:\s*false\s*$", head, re.M | re.I):
            return text
        env.page = SimpleNamespace(file=SimpleNamespace(src_uri=src_uri, src_path=src_uri))
        return head + jinja.from_string(body).render()

    dest.mkdir(parents=True)
    shutil.copytree(ours / docs_name, dest / docs_name)
    for path in sorted((dest / docs_name).rglob("*.md")):
        src_uri = path.relative_to(dest / docs_name).as_posix()
        text = render(src_uri, path.read_text(encoding="utf-8"))
        if "[@" in text or "glossary:references" in text:  # what our on_page_markdown hook does after the macros
            text = build_state(mk).renderer.finish_citations(text, "Introduction")
        path.write_text(text, encoding="utf-8")
    existing = [p.relative_to(ours / docs_name).as_posix() for p in (ours / docs_name).rglob("*") if p.is_file()]
    for file in site.on_files(Files([]), config=mk, session=session):
        path = dest / docs_name / file.src_uri
        if file.src_uri in existing:
            continue  # an author's own index page wins, as in our build
        path.parent.mkdir(parents=True, exist_ok=True)
        if file.src_uri.endswith(".md"):
            # The map and lists our build puts in after Markdown go into the Markdown here, as raw HTML.
            text = file.content_string
            fragments = build_state(mk).fragments.get(file.src_uri)
            if fragments:
                text = macros.render.Renderer.inject(text, fragments)
            path.write_text(render(file.src_uri, text), encoding="utf-8")
        else:
            path.write_bytes(file.content_bytes)
    (dest / "mkdocs.yml").write_text(yaml.safe_dump(_baseline_config(config), allow_unicode=True, sort_keys=False),
                                     encoding="utf-8")
    (dest / "overrides").symlink_to(ours / "overrides", target_is_directory=True)
    return dest


def _plain_text(text: str) -> str:
    """Entry Markdown with ``[[links]]`` as ordinary Markdown links to the sibling pages."""
    def link(match: re.Match[str]) -> str:
        slug, shown = link_parts(match)
        return f"[{shown or slug.replace('-', ' ')}]({slug}.md)"

    return WIKILINK.sub(link, text)


def make_plain(ours: Path, base: Path, dest: Path) -> Path:
    """The second baseline: the plain twin ``base`` (of project ``ours``) with every concept page replaced by
    a PLAIN MkDocs page of the same entry: its title, summary and the same six sections (Context,
    Significance, Mechanism, Application, Metric, Risk) as ordinary Markdown, links included, and nothing
    else (no help box, evidence line, map, lists, references or structured data).

    Against this, our build shows the cost of everything we add to a concept page, not only of our
    code: what an author would get from plain MkDocs + Material with a page per concept.
    """
    shutil.copytree(base, dest, symlinks=True)
    docs_name = read_config(ours / "mkdocs.yml").get("docs_dir", "docs")
    for path in sorted((ours / "glossary").glob("*.yaml")):
        if path.name.startswith("_"):
            continue
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
        if data.get("status", "published") != "published":
            continue
        sections = [(name.capitalize(), data[name]) for name in ("context", "significance", "mechanism",
                                                                  "application", "metric")]
        sections.append(("Risk", data["risk"]["text"]))
        body = [f"# {data['term']}", "", _plain_text(data["summary"]), ""]
        for heading, text in sections:
            body += [f"## {heading}", "", _plain_text(text), ""]
        target = dest / docs_name / "glossary" / f"{path.stem}.md"
        target.write_text("\n".join(body), encoding="utf-8")
    return dest
