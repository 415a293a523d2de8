"""``python -m macros new``: start an entry file, and the helpers ``import`` shares with it.

Everything here protects what authors already wrote: a new file is created only
if no file has its name (an atomic, exclusive create), a term or slug that
collides with an existing entry or alias is refused before anything is written,
and every file is read back with the project's own loader before it is kept.
"""

from __future__ import annotations

import json
import os
import re
import textwrap
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .loader import read_yaml
from .model import SCHEMA_LINE, SLUG, slugify
from .registry import Glossary
from .validate import ENTRY_SCHEMA, name_character_problem, name_key, skeleton

__all__ = ["AuthoringError", "FIELD_HELP", "create_entry", "name_collisions", "name_error", "new_entry_text",
           "other_fields", "scalar", "slug_for", "write_entry"]

#: One short comment per field, shared by ``new`` and ``import`` so both teach the same thing.
FIELD_HELP: dict[str, str] = {
    "term": "The name readers look up.",
    "aliases": "Other names readers use, e.g. [GABA type A receptor]; each unique in the glossary. May stay [].",
    "summary": "One to three sentences, at most 600 characters: the page lead, the link tooltip and the search "
               "description.",
    "context": "Where the concept sits: the body system, the circuits, the neighbouring concepts.",
    "significance": "Why it matters.",
    "mechanism": "How it works. Cite the source of each claim inline, e.g. [@key] or [@key, p. 212]: "
                 "a published entry's mechanism must cite at least one.",
    "application": "How it is used or met in practice.",
    "metric": "How it is measured, and the limits of that.",
    "risk.level": "How serious the risk is: low | moderate | high",
    "risk.text": "Who is at risk, and what to do (never a dose: the site explains, it does not prescribe). "
                 "Cite inline, e.g. [@key]: a published entry's risk text must cite at least one source.",
    "origin": "Optional: the history of the term.",
    "extra_sections": "Optional: more sections, shown after Origin, each with its own heading.",
    "related": "Slugs of related entries{example}. May stay [].",
    "tags": "Optional topic tags in kebab-case, e.g. [neurotransmitters]; each gets a topic page. May stay [].",
    "evidence": "How strong the evidence is: established | emerging | limited | contested",
    "references": "Keys of glossary/_references.yaml{example}: every key the text cites as [@key], plus any "
                  "further reading.",
    "reviewed": "The date you last checked this entry against its references, as YYYY-MM-DD.",
    "next_review": "Optional: when the entry is next due for review, as YYYY-MM-DD (default: reviewed + 3 years).",
    "reviewed_by": "Optional: who reviewed it, as a name or a role. Only a real reviewer; never guess one.",
    "status": "draft: checked, and previewed by `make serve` with a Draft banner, but never published. "
              "Set it to published once `make check` reports no problems.",
}

class AuthoringError(Exception):
    """A request that was refused; the message says why and what to do. Nothing was written."""


def slug_for(term: str) -> str:
    """The file name slug of a term (``model.slugify``, the rule ``check`` suggests file names with too)."""
    return slugify(term)


def _name_schema() -> dict[str, Any]:
    schema = json.loads(ENTRY_SCHEMA.read_text(encoding="utf-8"))
    return dict(schema["$defs"]["name"])


def name_error(name: str) -> str | None:
    """Why ``name`` cannot be a term (the schema's own rule for names), or ``None`` if it can."""
    rule = _name_schema()
    if not name.strip():
        return "a term cannot be empty"
    if len(name) > int(rule["maxLength"]) or not re.fullmatch(rule["pattern"], name):
        return str(rule["x-message"])
    if name != name.strip():
        return "must not start or end with spaces"
    return name_character_problem(name)


def scalar(value: str) -> str:
    """``value`` as a one-line YAML scalar, quoted only when YAML needs it."""
    dumped = yaml.safe_dump(value, allow_unicode=True, width=1_000_000, default_flow_style=True)
    return dumped.removesuffix("\n...\n").rstrip("\n")


@dataclass(frozen=True)
class _Name:
    name: str
    slug: str
    kind: str    # "the term" or "an alias"
    where: str   # "glossary/gaba.yaml:2"


def _names(glossary: Glossary) -> Iterable[_Name]:
    for entry in glossary.entries.values():
        yield _Name(entry.term, entry.slug, "the term", f"{entry.path}:{entry.source.line('term')}")
        for index, alias in enumerate(entry.aliases):
            yield _Name(alias, entry.slug, "an alias", f"{entry.path}:{entry.source.line(f'aliases[{index}]')}")


def name_collisions(glossary: Glossary, slug: str, names: Iterable[str], replacing: str | None = None) -> list[str]:
    """Why the names (a term, then its aliases) or the slug clash with the glossary; ``[]`` if they do not.

    ``replacing`` is the slug of an entry that is about to be replaced, whose own names do not count.
    """
    found: list[str] = []
    existing = [n for n in _names(glossary) if n.slug != replacing]
    for name in names:
        for other in existing:
            if name_key(name) == name_key(other.name):
                found.append(f"'{name}' is already {other.kind} of {other.where}; terms and aliases must be "
                             "unique (case-insensitive)")
            elif skeleton(name) == skeleton(other.name):
                found.append(f"'{name}' looks like '{other.name}', {other.kind} of {other.where}, but is written "
                             "with other characters; readers could not tell them apart")
    for other in existing:
        if slug_for(other.name) == slug and not any(n.casefold() == other.name.casefold() for n in names):
            found.append(f"its slug '{slug}' is the slug of '{other.name}', {other.kind} of {other.where}: "
                         "the two names are too close to tell apart")
    return list(dict.fromkeys(found))


def entry_path(root: Path, slug: str) -> Path:
    """``<root>/glossary/<slug>.yaml``."""
    return root / "glossary" / f"{slug}.yaml"


def write_entry(path: Path, text: str, *, replace: bool = False,
                verify: Callable[[Any, list[str]], str | None] | None = None) -> None:
    """Write ``text`` to ``path`` atomically, never over an existing file unless ``replace``.

    The text goes to a hidden temporary file beside ``path`` first and is read back with
    the project's loader; ``verify(data, problems)`` may refuse it with a reason. Only
    then is it linked into place (``os.link`` fails if the name was taken meanwhile).
    """
    if path.exists() and not replace:
        raise AuthoringError(f"glossary/{path.name} already exists")
    temp = path.with_name(f".{path.stem}.{os.getpid()}.tmp")
    try:
        temp.write_text(text, encoding="utf-8")
        data, _smap, _text, problems = read_yaml(temp, f"glossary/{path.name}")
        reason = verify(data, [str(p) for p in problems]) if verify else None
        if reason is None and (problems or data is None):
            reason = "; ".join(str(p) for p in problems) or "the file would be empty"
        if reason:
            raise AuthoringError(f"glossary/{path.name} would not read back as written ({reason}); "
                                 "nothing was written")
        if replace:
            os.replace(temp, path)
        else:
            try:
                os.link(temp, path)
            except FileExistsError:
                raise AuthoringError(f"glossary/{path.name} already exists") from None
    finally:
        temp.unlink(missing_ok=True)


def _comment(field: str, glossary: Glossary | None = None) -> str:
    help_text = FIELD_HELP[field]
    if "{example}" in help_text:
        example = ""
        if glossary is not None and field == "related" and len(glossary.entries) >= 2:
            example = f", e.g. [{', '.join(sorted(glossary.entries)[:2])}]"
        if glossary is not None and field == "references" and glossary.references:
            example = f", e.g. [{next(iter(glossary.references))}]"
        help_text = help_text.format(example=example)
    return f"# {help_text}"


def new_entry_text(term: str, glossary: Glossary | None = None) -> str:
    """The complete starting file of a new entry: every field, each with a short comment.

    Required fields are left empty, so ``check`` names each one, with its line, until it is written.
    """
    c = lambda field: _comment(field, glossary)  # noqa: E731 - a local shorthand
    lines = [
        SCHEMA_LINE,
        "# A new glossary entry. Fill in every empty field; `make check` names each one still missing, with",
        "# its line. Text fields are Markdown: link another entry with [[slug]] or [[slug|shown text]]. For",
        "# text over several lines, write >- after the colon and indent the lines below it by two spaces.",
        "",
        c("term"), f"term: {scalar(term)}",
        c("aliases"), "aliases: []",
        c("summary"), "summary:",
        c("context"), "context:",
        c("significance"), "significance:",
        c("mechanism"), "mechanism:",
        c("application"), "application:",
        c("metric"), "metric:",
        "risk:",
        "  " + c("risk.level"), "  level:",
        "  " + c("risk.text"), "  text:",
        "  # When to get help: the box under the summary (required for high risk): short plain sentences,",
        "  # emergency signs first, each saying what to watch for and what to do. To use it, remove the '# '",
        "  # on the next two lines.",
        "  # urgent:", "  # - Call your local emergency number if ...",
        c("origin") + " To use it, remove the '# ' before 'origin:'.", "# origin:",
        c("extra_sections"), "# To use them, remove the '# ' on the next three lines.",
        "# extra_sections:", "# - heading: The heading", "#   text: The text of the section.",
        c("related"), "related: []",
        c("tags"), "tags: []",
        c("evidence"), "evidence:",
        c("references"), "references: []",
        c("reviewed"), "reviewed:",
        c("next_review") + " To use it, remove the '# '.", "# next_review:",
        c("reviewed_by") + " To use it, remove the '# '.", "# reviewed_by:",
        c("status"), "status: draft",
    ]
    return "\n".join(lines + other_fields()) + "\n"


def other_fields() -> list[str]:
    """Fields of the schema that the template above does not know yet, with the schema's description.

    Optional ones are written commented out; a required one is written empty, so ``check`` names it.
    """
    schema = json.loads(ENTRY_SCHEMA.read_text(encoding="utf-8"))
    known = {name.split(".")[0] for name in FIELD_HELP}
    lines = []
    for name, rule in schema.get("properties", {}).items():
        if name in known:
            continue
        description = str(rule.get("description", "")).strip()
        if name in schema.get("required", []):
            text, field_line = description or f"Required: {name}.", f"{name}:"
        else:
            text, field_line = f"{description} To use it, remove the '# ' before '{name}:'.", f"# {name}:"
        lines += [f"# {part}" for part in textwrap.wrap(text, 100)] + [field_line]
    return lines


def create_entry(root: Path, term: str, slug: str | None, glossary: Glossary) -> Path:
    """Create ``glossary/<slug>.yaml`` for ``term`` from :func:`new_entry_text`; returns its path.

    Raises :class:`AuthoringError`, having written nothing, when the term is not a valid name,
    the file exists, or the term or slug collides with an existing entry or alias.
    """
    problem = name_error(term)
    if problem:
        raise AuthoringError(f"'{term}' cannot be a term: it {problem}" if problem.startswith("must")
                             else f"'{term}' cannot be a term: {problem}")
    if slug is None and not slug_for(term):
        raise AuthoringError(f"'{term}' gives no file name (a slug needs letters or digits); pass --slug")
    slug = slug or slug_for(term)
    if not SLUG.match(slug):
        raise AuthoringError(f"'{slug}' cannot be a file name: a slug is lowercase letters and digits joined by "
                             "single hyphens, such as 'gaba-a-receptor'")
    path = entry_path(root, slug)
    for taken in (path, path.with_suffix(".yml")):
        if taken.exists():
            raise AuthoringError(f"glossary/{taken.name} already exists; edit that file, or choose another term "
                                 "(or --slug)")
    clashes = name_collisions(glossary, slug, [term])
    if clashes:
        raise AuthoringError(f"'{term}' cannot be added: " + "; ".join(clashes))

    def verify(data: Any, problems: list[str]) -> str | None:
        if problems or not isinstance(data, dict) or data.get("term") != term:
            return "; ".join(problems) or "the term did not read back unchanged"
        return None

    write_entry(path, new_entry_text(term, glossary), verify=verify)
    return path
