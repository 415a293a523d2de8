"""`python -m macros report`: what an editor needs to see, each item named path:line."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

from conftest import ROOT, make_project

from macros.report import months_before

EPSILON = """# yaml-language-server: $schema=../macros/schemas/entry.schema.json
term: Epsilon Loner
summary: A made-up entry that nothing links to.
context: Epsilon context.
significance: Epsilon significance.
mechanism: Epsilon mechanism [@textbook].
application: Epsilon application.
metric: Epsilon metric.
risk:
  level: low
  text: None known [@textbook].
related: [alpha]
evidence: contested
references: [textbook]
reviewed: 2025-11-21
next_review: 2026-06-01
"""

EXPECTED = """\
Entries by evidence level and status: 5
  evidence       published  draft  total
  established            2      0      2
  emerging               0      1      1
  limited                1      0      1
  contested              1      0      1
  total                  4      1      5

Reviewed more than 12 months ago (before 2025-11-21) or never: 1
  glossary/gamma.yaml:15: Gamma Receptor: reviewed 2024-01-31, 33 months ago

Reviews due: the next review date has passed (as of 2026-11-21): 1
  glossary/epsilon.yaml:16: Epsilon Loner: due 2026-06-01

Orphans: published entries that no other entry links to and no page mentions: 1
  glossary/epsilon.yaml:2: Epsilon Loner

Published entries that no article mentions: 2
  glossary/beta.yaml:2: Beta Precursor
  glossary/epsilon.yaml:2: Epsilon Loner

References cited nowhere: in no entry's references and cited on no page: 1
  glossary/_references.yaml:18: unused

References listed by entries but cited inline nowhere (shown only as Further reading): none

Published entries whose mechanism or risk cites only textbooks: 2
  glossary/alpha.yaml:8: Alpha Messenger: mechanism and risk.text cite only textbooks
  glossary/epsilon.yaml:6: Epsilon Loner: mechanism and risk.text cite only textbooks

Newest source of each published entry: 4
  glossary/alpha.yaml:21: Alpha Messenger: newest source 2021 (2 sources)
  glossary/beta.yaml:15: Beta Precursor: newest source 2021 (2 sources)
  glossary/epsilon.yaml:14: Epsilon Loner: newest source 2020 (1 source)
  glossary/gamma.yaml:14: Gamma Receptor: newest source 2021 (1 source)

Readability (Flesch-Kincaid grade; limits: summary 99, risk 99, other sections 99, articles 99),
hardest first: 5 entries
    summ  cont  sign  mech  appl  metr  risk   urg  orig whole  entry
     4.0  14.7  26.5  26.5  26.5  14.7  -3.0     -     -  18.5  glossary/epsilon.yaml
     5.2   8.8  20.6  20.6  20.6   8.8  -3.0     -     -  15.8  glossary/delta.yaml (draft)
     9.4   5.2  10.7   9.1  13.1   5.2   6.7   8.0   2.9   7.6  glossary/alpha.yaml
    10.4   5.2  13.1  13.1  13.1   5.2  10.0     -     -   9.9  glossary/beta.yaml
     9.2   5.2  13.1  13.1  13.1   5.2   4.0     -     -   8.0  glossary/gamma.yaml
Site medians (published entries) against the goals:
  summaries                           9.3 (goal <= 8: NOT met)
  risk texts                          5.3 (goal <= 8: met)
  whole entries                       8.9 (goal <= 10: met)
  content/articles/story.md           9.6 (goal <= 10: met)
The five hardest fields:
   26.5  glossary/epsilon.yaml: significance
   26.5  glossary/epsilon.yaml: mechanism
   26.5  glossary/epsilon.yaml: application
   14.7  glossary/epsilon.yaml: metric
   14.7  glossary/epsilon.yaml: context

Stigmatising wording (person-first language): none

Names of other entries mentioned without a link (first mention in each entry or article): none
"""


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run the command line as an editor would, from ``cwd``."""
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}
    return subprocess.run([sys.executable, "-m", "macros", *args], cwd=cwd, capture_output=True, text=True,
                          env=env, timeout=60)


def test_report_lists_levels_old_reviews_orphans_unmentioned_and_uncited(tmp_path: Path) -> None:
    """On a known glossary the report is exactly right: counts by evidence and status, the one review older
    than 12 months (one reviewed exactly 12 months ago is not), the review that is due (its next_review has
    passed), the orphan, the entries no article mentions, the reference nobody cites, the entries whose
    mechanism and risk cite only textbooks, the newest source year of each entry, and every entry's grades,
    hardest first, with the medians against the goals."""
    project = make_project(tmp_path / "p", {"glossary/epsilon.yaml": EPSILON})
    gamma = project / "glossary/gamma.yaml"
    gamma.write_text(gamma.read_text().replace("reviewed: 2026-09-01", "reviewed: 2024-01-31"))
    refs = project / "glossary/_references.yaml"
    refs.write_text(refs.read_text() + "- key: unused\n  type: other\n  title: A Source Nobody Cites\n  year: 2019\n")
    result = run("report", "--today", "2026-11-21", cwd=project)
    assert result.returncode == 0, result.stderr
    assert result.stdout == EXPECTED
    assert result.stderr == ""


def test_report_on_the_real_glossary_runs_clean() -> None:
    """The project's own glossary reports without problems, covering every entry."""
    result = run("report", cwd=ROOT)
    assert result.returncode == 0, result.stderr
    count = int(result.stdout.split("Entries by evidence level and status: ")[1].split("\n")[0])
    assert count == len(list((ROOT / "glossary").glob("[!_]*.yaml")))


def test_report_usage_errors_exit_two(tmp_path: Path) -> None:
    """A date that is not YYYY-MM-DD is a usage error, named."""
    result = run("report", "--today", "21/11/2026", cwd=make_project(tmp_path / "p"))
    assert result.returncode == 2
    assert "'21/11/2026' is not a date written as YYYY-MM-DD" in result.stderr


def test_twelve_months_before_is_a_calendar_date() -> None:
    """Twelve months before a date is the same day a year earlier; 29 February falls back to the 28th."""
    assert months_before(dt.date(2026, 11, 21), 12) == dt.date(2025, 11, 21)
    assert months_before(dt.date(2024, 2, 29), 12) == dt.date(2023, 2, 28)
    assert months_before(dt.date(2026, 3, 31), 1) == dt.date(2026, 2, 28)
    assert months_before(dt.date(2026, 1, 15), 1) == dt.date(2025, 12, 15)
