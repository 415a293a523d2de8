"""The benchmark: our build against plain MkDocs + Material, in the same run.

For each size N it writes a synthetic project (``bench.synth.make_project``), its
plain twin (``bench.synth.make_baseline``: the same pages as ordinary Markdown) and the
plain-pages baseline (``bench.synth.make_plain``: the twin with every concept page a plain
page of the same six sections) into a temporary folder, then builds
them in turn, ``--runs`` times each, every build a fresh ``mkdocs build --strict``
process whose wall time and peak memory (maximum resident set size, from
``os.wait4``) are recorded. It also times ``python -m macros check`` against merely
parsing the same files (``bench.parse_only``), measures a ``mkdocs serve`` edit
round trip (``bench.serve``), and prints a Markdown report with the targets.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from .synth import ROOT, make_baseline, make_plain, make_project

OUT = ROOT / "bench" / "out"
PY = sys.executable
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
_CHECK_SECONDS = re.compile(r" in (\d+(?:\.\d+)?)s")

#: The issue's targets.
MAX_RATIO = 1.25          # our build / baseline build, at every N
MAX_PLAIN_RATIO = 1.5     # our build / plain MkDocs + Material on plain concept pages (issue 14)
MAX_SCALING = 4.4         # time(4N) / time(N)
MAX_CONCEPT_KB = 30       # a concept page's HTML (issue 14; it was 40)
CONCEPT_DRIFT = 0.10      # concept page size at the largest N vs the smallest
MAX_CHECK_RATIO = 2.0     # check / bare parse
MAX_SERVE_SECONDS = 5.0   # "a few seconds": an entry edit showing in `mkdocs serve` at N = 1,000
MAX_PEAK_MB = 1024        # peak memory of our build at the largest N


@dataclass
class Proc:
    """One finished child process."""

    seconds: float
    peak_bytes: int
    status: int
    output: str
    cpu_seconds: float = 0.0  # user + system time of the process and the workers it waited for


def run_process(cmd: list[str], cwd: Path) -> Proc:
    """Run ``cmd`` and return its wall time, its own peak memory and its output."""
    with tempfile.TemporaryFile() as log:
        start = time.perf_counter()
        child = subprocess.Popen(cmd, cwd=cwd, env=ENV, stdout=log, stderr=subprocess.STDOUT)
        _pid, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        log.seek(0)
        output = log.read().decode("utf-8", errors="replace")
    return Proc(seconds=seconds, peak_bytes=usage.ru_maxrss * 1024, status=child.returncode, output=output,
                cpu_seconds=usage.ru_utime + usage.ru_stime)


def build(project: Path, site: Path) -> Proc:
    """One strict build of ``project`` into an empty ``site`` folder; a failed build stops the benchmark."""
    shutil.rmtree(site, ignore_errors=True)
    proc = run_process([PY, "-m", "mkdocs", "build", "--strict", "-d", str(site)], project)
    if proc.status != 0:
        raise SystemExit(f"the build of {project} failed:\n{proc.output[-4000:]}")
    return proc


def folder_bytes(folder: Path) -> int:
    """The total size of the files under ``folder``."""
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def concept_sizes(site: Path, slugs: list[str]) -> list[int]:
    """The HTML size of every concept page of a built site."""
    return [(site / "glossary" / slug / "index.html").stat().st_size for slug in slugs]


@dataclass
class SizeResult:
    """Everything measured at one N."""

    n: int
    ours_seconds: list[float] = field(default_factory=list)
    base_seconds: list[float] = field(default_factory=list)
    ours_peak_mb: list[float] = field(default_factory=list)
    base_peak_mb: list[float] = field(default_factory=list)
    plain_seconds: list[float] = field(default_factory=list)
    plain_peak_mb: list[float] = field(default_factory=list)
    ours_cpu_seconds: list[float] = field(default_factory=list)
    base_cpu_seconds: list[float] = field(default_factory=list)
    plain_cpu_seconds: list[float] = field(default_factory=list)
    check_seconds: list[float] = field(default_factory=list)
    check_inner_seconds: list[float] = field(default_factory=list)
    check1_seconds: list[float] = field(default_factory=list)
    check1_inner_seconds: list[float] = field(default_factory=list)
    parse_seconds: list[float] = field(default_factory=list)
    parse_inner_seconds: list[float] = field(default_factory=list)
    concept_median_kb: float = 0.0
    concept_max_kb: float = 0.0
    base_concept_median_kb: float = 0.0
    plain_concept_median_kb: float = 0.0
    site_mb: float = 0.0
    base_site_mb: float = 0.0
    search_index_mb: float = 0.0
    base_search_index_mb: float = 0.0
    pages: int = 0

    def median(self, name: str) -> float:
        """The median of one list of measurements."""
        values = getattr(self, name)
        return statistics.median(values) if values else float("nan")

    @property
    def ratio(self) -> float:
        """Median of our build over median of the baseline's."""
        return self.median("ours_seconds") / self.median("base_seconds")

    @property
    def plain_ratio(self) -> float:
        """Median of our build over median of the plain-pages baseline's."""
        return self.median("ours_seconds") / self.median("plain_seconds")

    @property
    def plain_cpu_ratio(self) -> float:
        """The same in CPU time (our build reads and renders a large glossary on every CPU; plain MkDocs uses one)."""
        return self.median("ours_cpu_seconds") / self.median("plain_cpu_seconds")

    @property
    def check_ratio(self) -> float:
        """Median check time over median bare parse time (whole processes)."""
        return self.median("check_seconds") / self.median("parse_seconds")

    @property
    def check1_ratio(self) -> float:
        """The same for ``check --jobs 1`` (one process, one core)."""
        return self.median("check1_seconds") / self.median("parse_seconds")


def measure_size(n: int, runs: int, work: Path, seed: int, log: Any) -> tuple[SizeResult, Path]:
    """Generate both projects for ``n`` entries, build them alternately and time check against parse."""
    result = SizeResult(n=n)
    start = time.perf_counter()
    ours = make_project(work / f"ours-{n}", n, seed)
    base = make_baseline(ours, work / f"base-{n}")
    plain = make_plain(ours, base, work / f"plain-{n}")
    slugs = sorted(p.stem for p in (ours / "glossary").glob("*.yaml") if not p.name.startswith("_"))
    print(f"N={n}: projects written in {time.perf_counter() - start:.1f}s", file=log, flush=True)
    site_ours, site_base, site_plain = work / f"site-ours-{n}", work / f"site-base-{n}", work / f"site-plain-{n}"
    for run in range(runs):
        # Each run starts with another build: ours, base, plain; then base, plain, ours; ...
        order = [("ours", ours, site_ours), ("base", base, site_base), ("plain", plain, site_plain)]
        for kind, project, site in order[run % 3:] + order[:run % 3]:
            proc = build(project, site)
            getattr(result, f"{kind}_seconds").append(proc.seconds)
            getattr(result, f"{kind}_peak_mb").append(proc.peak_bytes / 2**20)
            getattr(result, f"{kind}_cpu_seconds").append(proc.cpu_seconds)
            print(f"N={n} run {run + 1}/{runs} {kind:4s} {proc.seconds:6.2f}s {proc.peak_bytes / 2**20:6.0f} MB",
                  file=log, flush=True)
    ours_sizes, base_sizes = concept_sizes(site_ours, slugs), concept_sizes(site_base, slugs)
    result.pages = len(slugs)
    result.concept_median_kb = statistics.median(ours_sizes) / 1024
    result.concept_max_kb = max(ours_sizes) / 1024
    result.base_concept_median_kb = statistics.median(base_sizes) / 1024
    result.plain_concept_median_kb = statistics.median(concept_sizes(site_plain, slugs)) / 1024
    result.site_mb = folder_bytes(site_ours) / 2**20
    result.base_site_mb = folder_bytes(site_base) / 2**20
    result.search_index_mb = (site_ours / "search" / "search_index.json").stat().st_size / 2**20
    result.base_search_index_mb = (site_base / "search" / "search_index.json").stat().st_size / 2**20
    for run in range(max(runs, 3)):
        trio = [("check", [PY, "-m", "macros", "check"]),
                ("check1", [PY, "-m", "macros", "check", "--jobs", "1"]),
                ("parse", [PY, "-m", "bench.parse_only", str(ours / "glossary")])]
        for kind, cmd in trio if run % 2 == 0 else trio[::-1]:
            proc = run_process(cmd, ROOT if kind == "parse" else ours)
            if proc.status != 0:
                raise SystemExit(f"{' '.join(cmd[1:])} failed on {ours}:\n{proc.output[-4000:]}")
            getattr(result, f"{kind}_seconds").append(proc.seconds)
            inner = _CHECK_SECONDS.search(proc.output) if kind != "parse" else re.match(r"([\d.]+)", proc.output)
            if inner:
                getattr(result, f"{kind}_inner_seconds").append(float(inner.group(1)))
    print(f"N={n}: check {result.median('check_seconds'):.2f}s (--jobs 1: {result.median('check1_seconds'):.2f}s), "
          f"parse {result.median('parse_seconds'):.2f}s",
          file=log, flush=True)
    for site in (site_ours, site_base, site_plain):
        shutil.rmtree(site, ignore_errors=True)
    return result, ours


def machine() -> dict[str, str]:
    """What the numbers were measured on."""
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        kb = int(next(line for line in Path("/proc/meminfo").read_text().splitlines()
                      if line.startswith("MemTotal")).split()[1])
        ram = f"{kb / 2**20:.1f} GiB"
    except (OSError, StopIteration, ValueError):
        ram = "unknown"
    packages = ", ".join(f"{name} {metadata.version(name)}" for name in
                         ("mkdocs", "mkdocs-material", "mkdocs-macros-plugin", "PyYAML", "jsonschema", "Jinja2",
                          "Markdown"))
    return {"cores": str(os.cpu_count()), "cpu": cpu, "ram": ram, "os": platform.platform(),
            "python": platform.python_version(), "packages": packages}


def verdict(*, ok: bool) -> str:
    """A target's outcome in words."""
    return "met" if ok else "**missed**"


def report(results: list[SizeResult], serve: dict[str, Any] | None, info: dict[str, str], runs: int) -> str:
    """The Markdown report: a table per measurement and the targets."""
    lines = [f"Machine: {info['cores']} cores, {info['cpu']}, {info['ram']} RAM, {info['os']}, "
             f"Python {info['python']}; {info['packages']}.", "",
             f"Medians of {runs} alternating runs of each build (a fresh `mkdocs build --strict` process each).", "",
             "Two baselines: *same pages*, our own output written as ordinary Markdown for plain MkDocs + "
             "Material (what our code costs); *plain pages*, plain MkDocs + Material on the same number of "
             "plain concept pages with the same six sections (what our pages cost, with everything on them). "
             "CPU time counts the workers our build forks for a large glossary; plain MkDocs runs in one process.",
             "",
             "| N | ours (s) | same pages (s) | ours / same pages | plain pages (s) | ours / plain pages | "
             "ours / plain pages, CPU time | concept page HTML, median / max (KB) | "
             "same-pages concept page (KB) | plain concept page (KB) | whole site (MB) | search index (MB) | "
             "peak memory ours / same pages (MB) |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        lines.append(f"| {r.n:,} | {r.median('ours_seconds'):.2f} | {r.median('base_seconds'):.2f} | "
                     f"{r.ratio:.3f} | {r.median('plain_seconds'):.2f} | {r.plain_ratio:.3f} | "
                     f"{r.plain_cpu_ratio:.3f} ({r.median('ours_cpu_seconds'):.1f} / "
                     f"{r.median('plain_cpu_seconds'):.1f} s) | "
                     f"{r.concept_median_kb:.1f} / {r.concept_max_kb:.1f} | "
                     f"{r.base_concept_median_kb:.1f} | {r.plain_concept_median_kb:.1f} | "
                     f"{r.site_mb:.1f} (baseline {r.base_site_mb:.1f}) | "
                     f"{r.search_index_mb:.1f} (baseline {r.base_search_index_mb:.1f}) | "
                     f"{max(r.ours_peak_mb):.0f} / {max(r.base_peak_mb):.0f} |")
    lines += ["", "`python -m macros check` against reading and parsing the same files with `yaml.CSafeLoader` "
              "(whole processes, interpreter start included; in brackets the time each reports for its own work). "
              f"`check` reads the files in as many processes as there are usable CPUs ({info['cores']} here); "
              "`check --jobs 1` reads them in one process, like the bare parse:",
              "", "| N | check (s) | check / parse | check --jobs 1 (s) | --jobs 1 / parse | bare parse (s) |",
              "|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        inner = (f" ({r.median('check_inner_seconds'):.2f})" if r.check_inner_seconds else "")
        inner1 = (f" ({r.median('check1_inner_seconds'):.2f})" if r.check1_inner_seconds else "")
        lines.append(f"| {r.n:,} | {r.median('check_seconds'):.2f}{inner} | {r.check_ratio:.2f} | "
                     f"{r.median('check1_seconds'):.2f}{inner1} | {r.check1_ratio:.2f} | "
                     f"{r.median('parse_seconds'):.2f} ({r.median('parse_inner_seconds'):.2f}) |")
    small, large = results[0], results[-1]
    scale = large.n / small.n
    ours_scaling = large.median("ours_seconds") / small.median("ours_seconds")
    base_scaling = large.median("base_seconds") / small.median("base_seconds")
    drift = abs(large.concept_median_kb - small.concept_median_kb) / small.concept_median_kb
    lines += ["", "| target | measured | |", "|---|---|---|"]
    for r in results:
        lines.append(f"| build ≤ {MAX_RATIO} × baseline (same pages) at N = {r.n:,} | {r.ratio:.3f} | "
                     f"{verdict(ok=r.ratio <= MAX_RATIO)} |")
        lines.append(f"| build ≤ {MAX_PLAIN_RATIO} × plain MkDocs on plain concept pages at N = {r.n:,} | "
                     f"{r.plain_ratio:.3f} | {verdict(ok=r.plain_ratio <= MAX_PLAIN_RATIO)} |")
    if len(results) > 1:
        target = MAX_SCALING * scale / 4
        lines.append(f"| time({large.n:,}) / time({small.n:,}) ≤ {target:.2f} | {ours_scaling:.2f} "
                     f"(baseline {base_scaling:.2f}) | {verdict(ok=ours_scaling <= target)} |")
        lines.append(f"| concept page same size (±{CONCEPT_DRIFT:.0%}) at N = {small.n:,} and {large.n:,} | "
                     f"{small.concept_median_kb:.1f} KB → {large.concept_median_kb:.1f} KB ({drift:+.1%}) | "
                     f"{verdict(ok=drift <= CONCEPT_DRIFT)} |")
    biggest = max(r.concept_max_kb for r in results)
    lines.append(f"| concept page ≤ {MAX_CONCEPT_KB} KB | largest {biggest:.1f} KB | "
                 f"{verdict(ok=biggest <= MAX_CONCEPT_KB)} |")
    lines.append(f"| check ≤ {MAX_CHECK_RATIO} × bare parse at N = {large.n:,} | {large.check_ratio:.2f} "
                 f"(--jobs 1: {large.check1_ratio:.2f}) | {verdict(ok=large.check_ratio <= MAX_CHECK_RATIO)} |")
    peak = max(large.ours_peak_mb)
    lines.append(f"| peak memory ≤ {MAX_PEAK_MB} MB at N = {large.n:,} | {peak:.0f} MB | "
                 f"{verdict(ok=peak <= MAX_PEAK_MB)} |")
    if serve:
        kinds = serve.get("kinds") or {"section": serve["edit_seconds"]}
        lines += ["", f"`mkdocs serve` on {serve['n']:,} entries (first page served {serve['startup_seconds']:.1f}s "
                  "after start): seconds from saving a file to the edit showing in the served page. A change "
                  "inside `glossary/` gets a partial rebuild; an edit to a hand-written page gets MkDocs' full "
                  "rebuild, the baseline of the same run.", "",
                  "| edit | what is rebuilt | median (s) | each edit (s) |", "|---|---|---:|---|"]
        scope = {"section": "partial: that entry's page and the hand-written pages",
                 "summary": "partial: also the pages linking to it (tooltips), A–Z and topic pages",
                 "full rebuild": "everything (an edit to content/about.md)"}
        for kind, values in kinds.items():
            lines.append(f"| {kind} | {scope.get(kind, '')} | {statistics.median(values):.1f} | "
                         f"{', '.join(f'{v:.1f}' for v in values)} |")
        worst = max(statistics.median(v) for k, v in kinds.items() if k != "full rebuild")
        lines += ["", "| target | measured | |", "|---|---|---|",
                  f"| an entry edit shows within a few seconds ({MAX_SERVE_SECONDS:.0f} s) at N = {serve['n']:,} | "
                  f"{worst:.1f} s (slowest median) | {verdict(ok=worst <= MAX_SERVE_SECONDS)} |"]
    return "\n".join(lines) + "\n"


def _frame_name(frame: Any, ours: str) -> str:
    path = (frame.file_path or "").split("site-packages/")[-1]
    return f"{frame.function} ({path.split('/macros/')[-1] if ours in path else path}:{frame.line_no})"


def _walk(frame: Any, ours: str, totals: tuple[dict[str, float], dict[str, float]], *, inside: bool) -> None:
    """Add ``frame`` to the time of our entry points (``totals[0]``) and to each function's own time (``totals[1]``)."""
    entry_points, own = totals
    if frame.is_synthetic:  # "[self]" and the like: counted with their parent below
        return
    path = frame.file_path or ""
    mine = ours in path or "mkdocs_macros/" in path
    if mine and not inside and not path.endswith("hooks.py"):
        key = ("mkdocs-macros: " if "mkdocs_macros/" in path else "ours: ") + _frame_name(frame, ours)
        entry_points[key] = entry_points.get(key, 0.0) + frame.time
    for child in frame.children:
        _walk(child, ours, totals, inside=inside or (mine and not path.endswith("hooks.py")))
    self_time = frame.time - sum(c.time for c in frame.children if not c.is_synthetic)
    own[_frame_name(frame, ours)] = own.get(_frame_name(frame, ours), 0.0) + self_time


def _inside(root: Any, function: str, ours: str) -> dict[str, float]:
    """Time of the calls made by every ``function`` frame of our code, by callee."""
    found: dict[str, float] = {}
    stack = [root]
    while stack:
        frame = stack.pop()
        if frame.function == function and ours in (frame.file_path or ""):
            for child in frame.children:
                key = "(itself)" if child.is_synthetic else _frame_name(child, ours)
                found[key] = found.get(key, 0.0) + child.time
            continue
        stack.extend(reversed(frame.children))
    return found


def summarize(session_file: Path, ours: str = "/macros/") -> str:
    """The top lines of a pyinstrument session: time in our code by entry point, in mkdocs-macros, and by function."""
    from pyinstrument.session import Session

    session = Session.load(str(session_file))
    root = session.root_frame()
    if root is None:
        return "(empty profile)\n"
    entry_points: dict[str, float] = {}
    own: dict[str, float] = {}
    _walk(root, ours, (entry_points, own), inside=False)
    lines = [f"total {root.time:.2f}s (sampled; a profiled run is slower than a plain one)", "",
             "time under each entry point of our code and of mkdocs-macros:"]
    lines += [f"{t:8.2f}s {k}" for k, t in sorted(entry_points.items(), key=lambda kv: -kv[1])[:12]]
    for function in ("load_glossary", "concept_page"):
        parts = _inside(root, function, ours)
        if parts:
            lines += ["", f"inside {function}:"]
            lines += [f"{t:8.2f}s {k}" for k, t in sorted(parts.items(), key=lambda kv: -kv[1])[:8]]
    lines += ["", "functions by their own time (all code):"]
    lines += [f"{t:8.2f}s {k}" for k, t in sorted(own.items(), key=lambda kv: -kv[1])[:15]]
    return "\n".join(lines) + "\n"


def profile(project: Path, out: Path) -> list[Path]:
    """Profile one build and one check of ``project`` with pyinstrument; returns the summaries written."""
    written = []
    for name, args in (("build", ["-m", "mkdocs", "build", "--strict", "-d", str(project.parent / "site-prof")]),
                       ("check", ["-m", "macros", "check"])):
        session = out / f"profile-{name}-{project.name}.pyisession"
        proc = run_process([PY, "-m", "pyinstrument", "-r", "session", "-o", str(session), *args], project)
        if proc.status != 0:
            print(f"profiling the {name} failed:\n{proc.output[-2000:]}", file=sys.stderr)
            continue
        target = out / f"profile-{name}-{project.name}.txt"
        target.write_text(summarize(session), encoding="utf-8")
        written.append(target)
    shutil.rmtree(project.parent / "site-prof", ignore_errors=True)
    return written


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; see ``--help``."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 4000], help="entry counts (default 1000 4000)")
    parser.add_argument("--runs", type=int, default=3, help="alternating builds of each site per size (default 3)")
    parser.add_argument("--serve", type=int, default=1000, help="entries for the `mkdocs serve` edit test; 0 skips it")
    parser.add_argument("--edits", type=int, default=3, help="edits timed in the serve test (default 3)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the synthetic glossary (default 1)")
    parser.add_argument("--profile", action="store_true", help="also profile one build and one check at the largest N")
    parser.add_argument("--keep", action="store_true", help="keep the temporary projects")
    args = parser.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="glossary-bench-"))
    print(f"working in {work}", file=sys.stderr)
    started = time.perf_counter()
    results: list[SizeResult] = []
    serve_result = None
    try:
        projects = {}
        for n in sorted(args.sizes):
            result, projects[n] = measure_size(n, args.runs, work, args.seed, sys.stderr)
            results.append(result)
        if args.profile:
            for path in profile(projects[max(projects)], OUT):
                print(f"profile written to {path}", file=sys.stderr)
        if args.serve:
            from .serve import measure_serve
            project = projects.get(args.serve) or make_project(work / f"ours-{args.serve}", args.serve, args.seed)
            serve_result = measure_serve(project, edits=args.edits, log=sys.stderr)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    info = machine()
    text = report(results, serve_result, info, args.runs)
    text += f"\nThe whole benchmark took {(time.perf_counter() - started) / 60:.1f} minutes.\n"
    (OUT / "report.md").write_text(text, encoding="utf-8")
    (OUT / "results.json").write_text(json.dumps({"machine": info, "runs": args.runs,
                                                  "sizes": [asdict(r) for r in results],
                                                  "serve": serve_result}, indent=2), encoding="utf-8")
    print(text)
    return 0
