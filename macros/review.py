"""Review dates: when each entry is next due for review, and which are overdue.

An entry's ``next_review`` is the date it sets, or ``reviewed`` plus the review cycle of
``glossary/_style.yaml`` (3 years by default, the MedlinePlus/HSE cycle). The date the site
is built for comes from :func:`build_date`: today, or ``GLOSSARY_BUILD_DATE`` (YYYY-MM-DD)
when set, so tests and reproducible builds can fix it.

Nothing here imports MkDocs.
"""

from __future__ import annotations

import datetime as _dt
import os
from typing import TYPE_CHECKING

from .model import Entry, Problem, as_date

if TYPE_CHECKING:
    from .registry import Glossary

__all__ = ["BUILD_DATE_ENV", "build_date", "date_text", "next_review", "overdue", "review_problems",
           "review_warnings", "reviewed_by"]

BUILD_DATE_ENV = "GLOSSARY_BUILD_DATE"


def build_date() -> _dt.date:
    """The date the site is built for: ``$GLOSSARY_BUILD_DATE`` if set (YYYY-MM-DD), else today."""
    value = os.environ.get(BUILD_DATE_ENV, "").strip()
    if value:
        try:
            return _dt.date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{BUILD_DATE_ENV}='{value}' is not a date written as YYYY-MM-DD") from None
    return _dt.date.today()


def add_years(day: _dt.date, years: int) -> _dt.date:
    """The same day ``years`` later (29 February becomes 28 February in a common year)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def next_review(entry: Entry, cycle_years: int = 3) -> _dt.date | None:
    """When the entry is next due for review: its ``next_review``, else ``reviewed`` + ``cycle_years``."""
    if entry.data.get("next_review") is not None:
        return as_date(entry.data["next_review"])
    reviewed = entry.reviewed
    return add_years(reviewed, cycle_years) if reviewed else None


def reviewed_by(entry: Entry) -> str:
    """Who reviewed the entry (a name or a role), or ``""``: only what the entry says, never a guess."""
    value = entry.data.get("reviewed_by")
    return " ".join(str(value).split()) if isinstance(value, str) else ""


def overdue(entry: Entry, today: _dt.date, cycle_years: int = 3) -> bool:
    """Whether the entry's review date has passed on ``today``."""
    due = next_review(entry, cycle_years)
    return due is not None and today > due


def date_text(day: _dt.date) -> str:
    """A date as readers read it: ``21 November 2026``."""
    return f"{day.day} {day:%B %Y}"


def review_problems(glossary: Glossary) -> list[Problem]:
    """``next_review`` on or before ``reviewed``, or later than the review cycle allows: the check's errors."""
    problems = []
    years = glossary.style.review_cycle_years
    for entry in glossary.entries.values():
        due = as_date(entry.data.get("next_review"))
        if due is not None and entry.reviewed is not None and due > add_years(entry.reviewed, years):
            latest = add_years(entry.reviewed, years).isoformat()
            problems.append(Problem(entry.path, entry.source.line("next_review"), "next_review",
                                    f"{due.isoformat()} is more than {years} years after reviewed "
                                    f"({entry.reviewed.isoformat()}); write {latest} or earlier (the review "
                                    "cycle is reviews.cycle_years in glossary/_style.yaml)"))
        if due is not None and entry.reviewed is not None and due <= entry.reviewed:
            problems.append(Problem(entry.path, entry.source.line("next_review"), "next_review",
                                    f"{due.isoformat()} is not after reviewed ({entry.reviewed.isoformat()}); "
                                    "write the date the entry is next due for review, or remove the line "
                                    f"(the default is {glossary.style.review_cycle_years} years after reviewed)"))
    return problems


def review_warnings(glossary: Glossary, today: _dt.date) -> list[Problem]:
    """Published entries whose review is due on ``today``: warnings of ``check``, never failures."""
    warnings = []
    years = glossary.style.review_cycle_years
    for entry in glossary.published():
        due = next_review(entry, years)
        if due is not None and today > due:
            where = "next_review" if entry.data.get("next_review") is not None else "reviewed"
            warnings.append(Problem(entry.path, entry.source.line(where), where,
                                    f"the review was due on {due.isoformat()}; check the entry against "
                                    "its sources, then set reviewed to the date you did (and remove or move "
                                    "next_review)"))
    return sorted(warnings)
