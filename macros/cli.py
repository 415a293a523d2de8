"""``python -m macros``: the authoring command line.

Commands: ``check`` (validate), ``new`` (start an entry), ``import`` (turn
plaintext glossary pages into drafts) and ``report`` (the editor's overview).

Exit status:

- ``check``: 0 clean, 1 content problems, 2 usage error.
- ``new`` and ``import``: 0 done, 2 refused (a bad argument, a file that exists, a term that
  collides, a source that cannot be read or is not a glossary page); what was refused
  is never written, and no existing file is ever changed (unless ``import --force``).
- ``report``: 0, or 2 for a usage error.
- ``dist``: 0 built, 1 the build failed, 2 refused (SITE_URL unset, not https:// or local).
- ``preview-dist``: runs nginx until interrupted; 2 when there is no production build or no nginx.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from .model import Problem
from .parallel import usable_cpus
from .registry import load_glossary
from .review import build_date

if TYPE_CHECKING:  # the import and new commands load their modules only when run: check starts faster
    from .importer import ImportResult

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2
PROG = "python -m macros"


def _github_data(text: str) -> str:
    """A workflow command's message, escaped as GitHub Actions reads it back (no line can start a new command)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _github_property(text: str) -> str:
    """A workflow command's property value (``file=``), escaped: a comma, colon or newline in a file name
    cannot end the value or start another command."""
    return _github_data(text).replace(":", "%3A").replace(",", "%2C")


def _github(problem: Problem, kind: str = "error") -> str:
    message = _github_data(f"{problem.field}: {problem.message}")
    return f"::{kind} file={_github_property(problem.path)},line={problem.line}::{message}"


def _visible(text: str) -> str:
    """A line of output with control characters (from a file name) shown as escapes, so a file name
    cannot forge a line of the output."""
    return text if text.isprintable() else "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode()
                                                   for ch in text)


def _jobs(value: str) -> int:
    try:
        jobs = int(value)
    except ValueError:
        jobs = 0
    if jobs < 1:
        raise argparse.ArgumentTypeError(f"'{value}' is not a number of processes (1 or more)")
    return jobs


def cmd_check(args: argparse.Namespace) -> int:
    """Validate every entry, the bibliography and the macro calls of the pages."""
    start = time.perf_counter()
    from .review import review_warnings

    glossary, problems = load_glossary(args.root, jobs=args.jobs or usable_cpus())
    glossary.warnings = sorted([*glossary.warnings, *review_warnings(glossary, args.today or build_date())])
    for problem in problems:
        print(_github(problem) if args.format == "github" else _visible(str(problem)))
    for warning in glossary.warnings:
        print(_github(warning, "warning") if args.format == "github" else _visible(warning.as_warning()))
    elapsed = time.perf_counter() - start
    published = sum(1 for e in glossary.entries.values() if e.published)
    drafts = len(glossary.entries) - published
    summary = (f"checked {len(glossary.entries)} entries ({published} published, {drafts} drafts) "
               f"and {len(glossary.references)} references in {elapsed:.2f}s: ")
    summary += f"{len(problems)} problem{'s' if len(problems) != 1 else ''}" if problems else "no problems"
    if glossary.warnings:
        count = len(glossary.warnings)
        summary += f", {count} warning{'s' if count != 1 else ''} (they do not fail the check)"
    print(summary, file=sys.stderr)
    return EXIT_PROBLEMS if problems else EXIT_OK


def cmd_new(args: argparse.Namespace) -> int:
    """Create ``glossary/<slug>.yaml`` with every field, print its path; refuse to overwrite or collide."""
    from .authoring import AuthoringError, create_entry

    glossary, _problems = load_glossary(args.root)
    try:
        path = create_entry(args.root, args.term, args.slug, glossary)
    except AuthoringError as error:
        print(f"{args.prog} new: {error}; nothing was written", file=sys.stderr)
        return EXIT_USAGE
    print(path.relative_to(args.root).as_posix())
    _glossary, problems = load_glossary(args.root)
    mine = [p for p in problems if p.path == f"glossary/{path.name}"]
    print(f"Created with status: draft. Fill in the {len(mine)} empty fields `make check` names, with their "
          "lines; then set status: published and see the page with `make serve`.", file=sys.stderr)
    return EXIT_OK


def cmd_import(args: argparse.Namespace) -> int:
    """Import plaintext glossary pages as draft entries, reporting per file."""
    if args.term and len(args.files) > 1:
        print(f"{args.prog} import: --term names the term of one file; give one FILE with it", file=sys.stderr)
        return EXIT_USAGE
    from .importer import import_file

    glossary, _problems = load_glossary(args.root)
    results = []
    written: list[str] = []
    for name in args.files:
        result = import_file(args.root, Path(name), name, glossary, force=args.force, dry_run=args.dry_run,
                             term=args.term, taken=[Path(t).stem for t in written])
        results.append(result)
        if result.ok:
            written.append(result.target)
    problems: list[Problem] = []
    if written and not args.dry_run:
        _glossary, problems = load_glossary(args.root)
    for result in results:
        _print_import(result, [p for p in problems if p.path == result.target], dry_run=args.dry_run)
    refused = sum(1 for r in results if not r.ok)
    verb = "would import" if args.dry_run else "imported"
    print(f"{verb} {len(results) - refused} of {len(results)} file{'s' if len(results) != 1 else ''} as drafts"
          + (f"; {refused} refused (listed above)" if refused else ""), file=sys.stderr)
    return EXIT_USAGE if refused else EXIT_OK


def _print_import(result: ImportResult, problems: list[Problem], *, dry_run: bool) -> None:
    if not result.ok:
        print(f"{result.error}")
        print()
        return
    page = result.page
    assert page is not None
    action = "would become" if dry_run else ("replaced" if result.replaced else "became")
    print(f"{result.source}: {action} {result.target} (status: draft)")
    aliases = f", alias '{page.aliases[0]}'" if page.aliases else ""
    print(f"  term '{page.term}'{aliases} (line {page.term_line}); summary from the definition "
          f"(line {page.summary.line})")
    for name, section in page.fields.items():
        print(f"  {name} from '{section.heading}' (line {section.line}): {len(section.paragraphs)} "
              f"paragraph{'s' if len(section.paragraphs) != 1 else ''}")
    if result.replaced:
        print(f"  note: the previous {result.target} was {'to be ' if dry_run else ''}replaced, as --force asks")
    for note in page.notes:
        print(f"  note: {note}")
    if page.boilerplate:
        first, last = page.boilerplate[0][0], page.boilerplate[-1][0]
        print(f"  dropped {len(page.boilerplate)} lines of site boilerplate at the end (lines {first}-{last}):")
        for number, line in page.boilerplate:
            print(f"    {number}: {line}")
    if problems:
        print(f"  still to do before it can be published ({len(problems)}, as `make check` says):")
        for problem in problems:
            print(f"    {problem}")
    print()


def cmd_report(args: argparse.Namespace) -> int:
    """Print the editor's report: evidence and status, old reviews, orphans, unmentioned entries, unused sources."""
    from .report import build_report, format_report

    glossary, problems = load_glossary(args.root)
    print(format_report(build_report(glossary, args.today or build_date())), end="")
    if problems:
        print(f"note: the glossary has {len(problems)} problem{'s' if len(problems) != 1 else ''} (`make check` "
              "lists them); files that could not be read are not in this report", file=sys.stderr)
    return EXIT_OK


def cmd_dist(args: argparse.Namespace) -> int:
    """The production build for SITE_URL, with site/_headers and deploy/nginx/glossary.conf."""
    from .deploy import dist

    return dist(args.root)


def cmd_preview_dist(args: argparse.Namespace) -> int:
    """Serve the production build through nginx, as a host would."""
    from .deploy import preview

    return preview(args.root, args.port)


def _port(value: str) -> int:
    if not value.isdigit() or not 1 <= int(value) <= 65535:
        raise argparse.ArgumentTypeError(f"'{value}' is not a port number (1-65535)")
    return int(value)


def _date(text: str) -> _dt.date:
    try:
        return _dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date written as YYYY-MM-DD") from None


def build_parser(prog: str = PROG) -> argparse.ArgumentParser:
    """The argument parser of ``python -m macros`` (or ``glossary``) and its commands."""
    parser = argparse.ArgumentParser(prog=prog, description="Check and manage the glossary entries in glossary/.")
    root_help = "the project folder holding glossary/ and content/ (default: .)"
    parser.add_argument("--root", type=Path, default=Path("."), help=root_help)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--root", type=Path, default=argparse.SUPPRESS, help=root_help)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    check = sub.add_parser("check", parents=[common],
                           help="validate every entry (exit 0 clean, 1 problems, 2 usage error)")
    check.add_argument("--format", choices=("text", "github"), default="text",
                       help="'github' prints ::error annotations for GitHub Actions")
    check.add_argument("--jobs", type=_jobs, default=None, metavar="N",
                       help="processes that read a large glossary (500+ entries) on Linux "
                            "(default: the CPUs this process may use); 1 reads in this process only")
    check.add_argument("--today", type=_date, default=None,
                       help="warn about reviews due as of this date, YYYY-MM-DD (default: $GLOSSARY_BUILD_DATE "
                            "or today)")
    check.set_defaults(func=cmd_check)
    new = sub.add_parser("new", parents=[common], help="start glossary/<slug>.yaml for a term, with every field",
                         description="Create glossary/<slug>.yaml with every field and a comment for each, "
                                     "as a draft; print its path. Never overwrites a file; refuses a term or "
                                     "slug that collides with an entry or alias (exit 2).")
    new.add_argument("term", help='the term, e.g. "GABA-A Receptor"')
    new.add_argument("--slug", help="the file name to use instead of the one made from the term")
    new.set_defaults(func=cmd_new)
    imp = sub.add_parser("import", parents=[common], help="turn plaintext glossary pages into draft entries",
                         description="Turn plaintext glossary pages (a term's definition, then heading lines "
                                     "such as Context or Risk, each followed by its text) into draft entries. "
                                     "Exit 0 when every file was imported, 2 when any was refused (the others "
                                     "are still imported).")
    imp.add_argument("files", nargs="+", metavar="FILE", help="plaintext glossary pages")
    imp.add_argument("--force", action="store_true", help="replace an existing entry file of the same slug")
    imp.add_argument("--dry-run", action="store_true", help="report what would happen; write nothing")
    imp.add_argument("--term", help="the term, when it cannot be found in the text (one FILE only)")
    imp.set_defaults(func=cmd_import)
    report = sub.add_parser("report", parents=[common], help="entries by evidence and status, old reviews, orphans, "
                                                             "unmentioned entries, uncited references")
    report.add_argument("--today", type=_date, default=None,
                        help="count the age of reviews as of this date, YYYY-MM-DD (default: $GLOSSARY_BUILD_DATE "
                             "or today)")
    report.set_defaults(func=cmd_report)
    dist = sub.add_parser("dist", parents=[common], help="the production build for SITE_URL (https://, public), "
                                                         "with site/_headers and deploy/nginx/glossary.conf",
                          description="Build strictly into site/ for the public address in SITE_URL and write the "
                                      "HTTP security headers for Netlify/Cloudflare Pages (site/_headers) and nginx "
                                      "(deploy/nginx/glossary.conf). Exit 2 when SITE_URL is unset, not https:// "
                                      "or local; 1 when the build fails.")
    dist.set_defaults(func=cmd_dist)
    preview = sub.add_parser("preview-dist", parents=[common], help="serve site/ (from dist) through nginx on "
                                                                    "127.0.0.1:PORT until interrupted")
    preview.add_argument("--port", type=_port, default=8080, help="the port on 127.0.0.1 (default: 8080)")
    preview.set_defaults(func=cmd_preview_dist)
    return parser


def main(argv: Sequence[str] | None = None, prog: str = PROG) -> int:
    """Run the command line; returns the exit status."""
    parser = build_parser(prog)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return EXIT_USAGE if exit_.code else EXIT_OK
    args.prog = prog
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    if not (args.root / "glossary").is_dir():
        print(f"{prog}: no glossary/ folder in {args.root.resolve()}; run it from the project folder "
              "or pass --root", file=sys.stderr)
        return EXIT_USAGE
    return int(args.func(args))


def console() -> int:
    """The ``glossary`` console script (``pip install -e .``, done by ``make``): ``main`` under that name."""
    return main(prog="glossary")
