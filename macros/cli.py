"""``python -m macros``: the authoring command line.

Exit status: 0 clean, 1 content problems, 2 usage error.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from .model import Problem
from .registry import load_glossary

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


def _github(problem: Problem) -> str:
    message = f"{problem.field}: {problem.message}".replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return f"::error file={problem.path},line={problem.line}::{message}"


def cmd_check(args: argparse.Namespace) -> int:
    """Validate every entry, the bibliography and the macro calls of the pages."""
    start = time.perf_counter()
    glossary, problems = load_glossary(args.root)
    for problem in problems:
        print(_github(problem) if args.format == "github" else str(problem))
    elapsed = time.perf_counter() - start
    published = sum(1 for e in glossary.entries.values() if e.published)
    drafts = len(glossary.entries) - published
    summary = (f"checked {len(glossary.entries)} entries ({published} published, {drafts} drafts) "
               f"and {len(glossary.references)} references in {elapsed:.2f}s: ")
    summary += f"{len(problems)} problem{'s' if len(problems) != 1 else ''}" if problems else "no problems"
    print(summary, file=sys.stderr)
    return EXIT_PROBLEMS if problems else EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m macros",
                                     description="Check and manage the glossary entries in glossary/.")
    parser.add_argument("--root", type=Path, default=Path("."),
                        help="the project folder holding glossary/ and content/ (default: .)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    check = sub.add_parser("check", help="validate every entry (exit 0 clean, 1 problems, 2 usage error)")
    check.add_argument("--format", choices=("text", "github"), default="text",
                       help="'github' prints ::error annotations for GitHub Actions")
    check.set_defaults(func=cmd_check)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return EXIT_USAGE if exit_.code else EXIT_OK
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    if not (args.root / "glossary").is_dir():
        print(f"python -m macros: no glossary/ folder in {args.root.resolve()}; run it from the project folder "
              "or pass --root", file=sys.stderr)
        return EXIT_USAGE
    return int(args.func(args))
