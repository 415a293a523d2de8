"""``python -m macros report``: the editor's view of the glossary.

Entries by evidence level and status, reviews older than a year, reviews that
are due, orphans, entries no article mentions, references cited nowhere or only
listed as further reading, entries whose mechanism or risk rests on textbooks
alone, and the newest source of each entry. Every listed item is named
``path:line`` so an editor can jump to it.
"""

from __future__ import annotations

import calendar
import datetime as _dt
import re
from collections import Counter
from dataclasses import dataclass, field

from .citations import entry_text_fields, scan
from .model import EVIDENCE_LEVELS, Entry, Reference, is_article
from .readability import Reading
from .registry import Glossary
from .review import next_review
from .style import Mention, median, unlinked_mentions, whole_entry_reading

__all__ = ["Report", "build_report", "format_report", "months_before"]

def months_before(day: _dt.date, months: int) -> _dt.date:
    """The same day ``months`` calendar months earlier (clamped to the month's end: 29 Feb -> 28 Feb)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    return _dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


@dataclass
class Report:
    """What the report found; :func:`format_report` writes it for people."""

    today: _dt.date
    cutoff: _dt.date
    counts: Counter[tuple[str, str]]            # (evidence, status) -> number of entries
    stale: list[Entry]                          # reviewed before the cutoff, or never
    orphans: list[Entry]                        # published, with no inbound link from an entry or a page
    unmentioned: list[Entry]                    # published, mentioned by no article
    uncited: list[Reference]                    # in no entry's references, cited inline nowhere
    readability: list[tuple[Entry, dict[str, Reading]]]  # every entry's grades, hardest first
    articles: dict[str, Reading]                # path -> the article's reading
    goals: dict[str, float]                     # the site's goals (glossary/_style.yaml)
    limits: dict[str, float]                    # the per-field limits (glossary/_style.yaml)
    wording: list[str]                          # person-first warnings, as check prints them
    mentions: list[Mention]                     # first unlinked mentions of other entries' names
    due: list[tuple[Entry, _dt.date]] = field(default_factory=list)        # next review date passed
    listed_only: list[Reference] = field(default_factory=list)            # listed by entries, cited inline nowhere
    textbook_only: list[tuple[Entry, list[str]]] = field(default_factory=list)  # fields that rest on textbooks
    newest: list[tuple[Entry, int | None, int]] = field(default_factory=list)  # newest source year, sources


def _by_term(entries: list[Entry]) -> list[Entry]:
    return sorted(entries, key=lambda e: e.term.casefold())


#: The fields whose sources the report weighs (see "cite only textbooks").
WEIGHED = ("mechanism", "risk.text")
_YEAR = re.compile(r"\b(1[89][0-9]{2}|2[0-9]{3})\b")


def _year(reference: Reference) -> int | None:
    match = _YEAR.search(str(reference.data.get("year", "")))
    return int(match.group(1)) if match else None


def _cited(entry: Entry) -> dict[str, list[str]]:
    """The keys each text field of the entry cites inline."""
    return {name: [key for cite in scan(text)[0] for key, _loc in cite.items]
            for name, text in entry_text_fields(entry)}


def _textbook_only(entry: Entry, glossary: Glossary, cited: dict[str, list[str]]) -> list[str]:
    """The weighed fields whose every source is a textbook.

    A field with inline citations is judged by them; one without, by the entry's references
    (``(listed)``), so the report also shows where an entry stood before it cited inline.
    """
    def textbooks(keys: list[str]) -> bool:
        refs = [glossary.references[k] for k in keys if k in glossary.references]
        return bool(refs) and all(r.data.get("type") == "textbook" for r in refs)
    inline, listed = [], []
    for name in WEIGHED:
        keys = cited.get(name) or []
        if keys and textbooks(keys):
            inline.append(name)
        elif not keys and textbooks(entry.references):
            listed.append(name)
    out = [f"{' and '.join(inline)} {'cites' if len(inline) == 1 else 'cite'} only textbooks"] if inline else []
    if listed:
        out.append(f"{' and '.join(listed)} {'cites' if len(listed) == 1 else 'cite'} nothing inline, "
                   "and every listed reference is a textbook")
    return out


def build_report(glossary: Glossary, today: _dt.date, months: int = 12) -> Report:
    """Gather the report for a loaded glossary as of ``today``; stale means reviewed more than ``months`` ago."""
    cutoff = months_before(today, months)
    entries = list(glossary.entries.values())
    counts: Counter[tuple[str, str]] = Counter((e.evidence if e.evidence in EVIDENCE_LEVELS else "(not set)",
                                               e.status) for e in entries)
    stale = [e for e in entries if e.reviewed is None or e.reviewed < cutoff]
    stale.sort(key=lambda e: (e.reviewed or _dt.date.min, e.term.casefold()))
    published = glossary.published()
    linked = {slug for slug, sources in glossary.backlinks.items() if sources}
    linked |= {slug for slug, pages in glossary.mentions.items() if pages}
    orphans = [e for e in published if e.slug not in linked]
    in_articles = {slug for slug, pages in glossary.mentions.items()
                   if any(is_article(page.src_uri) for page in pages)}
    unmentioned = [e for e in published if e.slug not in in_articles]
    listed = {key for e in entries for key in e.references}
    cited_by = {e.slug: _cited(e) for e in entries}
    inline = {key for fields in cited_by.values() for keys in fields.values() for key in keys}
    inline |= {key for keys in glossary.page_citations.values() for key in keys}
    uncited = [r for r in glossary.references.values() if r.key not in listed and r.key not in inline]
    listed_only = [r for r in glossary.references.values() if r.key in listed and r.key not in inline]
    years = glossary.style.review_cycle_years
    due = [(e, d) for e in entries if (d := next_review(e, years)) is not None and today > d]
    due.sort(key=lambda item: (item[1], item[0].term.casefold()))
    textbook_only = [(e, fields) for e in _by_term(published)
                     if (fields := _textbook_only(e, glossary, cited_by[e.slug]))]
    newest = []
    for entry in _by_term(published):
        keys = dict.fromkeys([*entry.references, *(k for ks in cited_by[entry.slug].values() for k in ks)])
        found = [y for k in keys if k in glossary.references and (y := _year(glossary.references[k])) is not None]
        newest.append((entry, max(found) if found else None, len(keys)))
    rows = [(e, {**glossary.readings[e.slug], "(entry)": whole_entry_reading(e, glossary.term_of)})
            for e in entries if e.slug in glossary.readings]
    rows.sort(key=lambda row: (-_hardest(row[1]), row[0].path))
    wording = [str(w) for w in glossary.warnings if "person-first" in w.message]
    return Report(today=today, cutoff=cutoff, counts=counts, stale=stale, orphans=_by_term(orphans),
                  unmentioned=_by_term(unmentioned), uncited=sorted(uncited, key=lambda r: r.line),
                  readability=rows, articles=dict(glossary.article_readings), goals=dict(glossary.style.goals),
                  limits=dict(glossary.style.limits), wording=wording,
                  mentions=unlinked_mentions(glossary, glossary.root), due=due,
                  listed_only=sorted(listed_only, key=lambda r: r.line), textbook_only=textbook_only,
                  newest=newest)


def _hardest(readings: dict[str, Reading]) -> float:
    return max((r.grade for name, r in readings.items() if name != "(entry)"), default=0.0)


def _months_ago(today: _dt.date, then: _dt.date) -> int:
    return (today.year - then.year) * 12 + today.month - then.month - (today.day < then.day)


def _heading(title: str, items: list[object]) -> str:
    return f"{title}: {len(items) if items else 'none'}"


def format_report(report: Report) -> str:
    """The report as plain text: a table, then one ``path:line`` line per listed item."""
    statuses = ["published", "draft"]
    levels = [*EVIDENCE_LEVELS] + (["(not set)"] if any(k[0] == "(not set)" for k in report.counts) else [])
    total = sum(report.counts.values())
    out = [f"Entries by evidence level and status: {total}",
           f"  {'evidence':<14}{'published':>10}{'draft':>7}{'total':>7}"]
    for level in levels:
        row = [report.counts.get((level, s), 0) for s in statuses]
        out.append(f"  {level:<14}{row[0]:>10}{row[1]:>7}{sum(row):>7}")
    column = [sum(report.counts.get((level, s), 0) for level in levels) for s in statuses]
    out.append(f"  {'total':<14}{column[0]:>10}{column[1]:>7}{sum(column):>7}")
    out += ["", _heading(f"Reviewed more than 12 months ago (before {report.cutoff.isoformat()}) or never",
                         list(report.stale))]
    for entry in report.stale:
        draft = " (draft)" if not entry.published else ""
        line = entry.source.line("reviewed")
        if entry.reviewed is None:
            out.append(f"  {entry.path}:{line}: {entry.term}{draft}: no review date")
        else:
            out.append(f"  {entry.path}:{line}: {entry.term}{draft}: reviewed {entry.reviewed.isoformat()}, "
                       f"{_months_ago(report.today, entry.reviewed)} months ago")
    out += ["", _heading(f"Reviews due: the next review date has passed (as of {report.today.isoformat()})",
                         list(report.due))]
    for entry, due in report.due:
        draft = " (draft)" if not entry.published else ""
        where = "next_review" if entry.data.get("next_review") is not None else "reviewed"
        out.append(f"  {entry.path}:{entry.source.line(where)}: {entry.term}{draft}: due {due.isoformat()}")
    out += ["", _heading("Orphans: published entries that no other entry links to and no page mentions",
                         list(report.orphans))]
    out += [f"  {e.path}:{e.source.line('term')}: {e.term}" for e in report.orphans]
    out += ["", _heading("Published entries that no article mentions", list(report.unmentioned))]
    out += [f"  {e.path}:{e.source.line('term')}: {e.term}" for e in report.unmentioned]
    out += ["", _heading("References cited nowhere: in no entry's references and cited on no page",
                         list(report.uncited))]
    out += [f"  {r.path}:{r.line}: {r.key}" for r in report.uncited]
    out += ["", _heading("References listed by entries but cited inline nowhere (shown only as Further reading)",
                         list(report.listed_only))]
    out += [f"  {r.path}:{r.line}: {r.key}" for r in report.listed_only]
    out += ["", _heading("Published entries whose mechanism or risk cites only textbooks",
                         list(report.textbook_only))]
    for entry, fields in report.textbook_only:
        first = fields[0].split(" ")[0]
        out.append(f"  {entry.path}:{entry.source.line(first)}: {entry.term}: {'; '.join(fields)}")
    out += ["", f"Newest source of each published entry: {len(report.newest) or 'none'}"]
    for entry, year, count in report.newest:
        newest = f"newest source {year}" if year is not None else "no source with a year"
        out.append(f"  {entry.path}:{entry.source.line('references')}: {entry.term}: {newest} "
                   f"({count} source{'s' if count != 1 else ''})")
    out += ["", *_format_readability(report), "", *_format_wording(report)]
    return "\n".join(out) + "\n"


def _format_wording(report: Report) -> list[str]:
    """The stigmatising words found, and the names of other entries mentioned without a link."""
    out = [_heading("Stigmatising wording (person-first language)", list(report.wording))]
    out += [f"  {line}" for line in report.wording]
    out += ["", _heading("Names of other entries mentioned without a link (first mention in each entry or article)",
                         list(report.mentions))]
    for m in report.mentions:
        same = m.written.casefold() == m.slug
        if m.where == "(text)":
            args = f"'{m.slug}'" if same else f"'{m.slug}', '{m.written}'"
            fix = "{{ term(" + args + ") }}"
        else:
            fix = f"[[{m.slug}]]" if same else f"[[{m.slug}|{m.written}]]"
        out.append(f"  {m.path}:{m.line}: {m.where}: '{m.written}' names {m.slug}; link it: {fix}")
    return out


#: The columns of the readability table: (field, heading).
_COLUMNS = (("summary", "summ"), ("context", "cont"), ("significance", "sign"), ("mechanism", "mech"),
            ("application", "appl"), ("metric", "metr"), ("risk.text", "risk"), ("risk.urgent", "urg"),
            ("origin", "orig"), ("(entry)", "whole"))


def _goal_line(label: str, value: float | None, goal: float) -> str:
    if value is None:
        return f"  {label:<34} -     (goal <= {goal:g})"
    verdict = "met" if value <= goal else "NOT met"
    return f"  {label:<34}{value:>5.1f} (goal <= {goal:g}: {verdict})"


def _format_readability(report: Report) -> list[str]:
    published = [(e, r) for e, r in report.readability if e.published]
    out = [f"Readability (Flesch-Kincaid grade; limits: summary {report.limits['summary']:g}, risk "
           f"{report.limits['risk']:g}, other sections {report.limits['section']:g}, articles "
           f"{report.limits['article']:g}),\nhardest first: {len(report.readability)} entries"]
    out.append("  " + "".join(f"{head:>6}" for _f, head in _COLUMNS) + "  entry")
    for entry, readings in report.readability:
        cells = "".join(f"{readings[f].grade:>6.1f}" if f in readings else f"{'-':>6}" for f, _h in _COLUMNS)
        draft = " (draft)" if not entry.published else ""
        out.append(f"  {cells}  {entry.path}{draft}")
    out.append("Site medians (published entries) against the goals:")
    out.append(_goal_line("summaries", median(r["summary"].grade for _e, r in published if "summary" in r),
                          report.goals["summary"]))
    out.append(_goal_line("risk texts", median(r["risk.text"].grade for _e, r in published if "risk.text" in r),
                          report.goals["risk"]))
    out.append(_goal_line("whole entries", median(r["(entry)"].grade for _e, r in published), report.goals["entry"]))
    for path, reading in sorted(report.articles.items()):
        out.append(_goal_line(path, reading.grade, report.goals["article"]))
    fields = sorted(((r.grade, e.path, name) for e, rs in published for name, r in rs.items() if name != "(entry)"),
                    reverse=True)[:5]
    out.append("The five hardest fields:")
    out += [f"  {grade:>5.1f}  {path}: {name}" for grade, path, name in fields]
    return out
