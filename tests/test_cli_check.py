"""`python -m macros check`: exit codes, output format, no tracebacks."""

from __future__ import annotations

from pathlib import Path

from conftest import ROOT, make_project
from conftest import run_cli as run


def test_clean_glossary_exits_zero(tmp_path: Path) -> None:
    """A valid glossary: exit 0 and a one-line summary."""
    result = run("check", cwd=make_project(tmp_path / "p"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""
    assert "checked 4 entries (3 published, 1 drafts) and 2 references" in result.stderr


def test_problems_exit_one_and_list_everything(tmp_path: Path) -> None:
    """Problems in two files are all printed, one per line, then exit 1; no traceback."""
    project = make_project(tmp_path / "p")
    beta = project / "glossary/beta.yaml"
    beta.write_text(beta.read_text().replace("evidence: limited", "evidence: strong"))
    gamma = project / "glossary/gamma.yaml"
    gamma.write_text(gamma.read_text().replace("reviewed: 2026-09-01", "reviewed: 2026-13-01"))
    result = run("check", cwd=project)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "glossary/beta.yaml:14: evidence: 'strong' is not allowed; use one of: established, emerging, limited, "
        "contested",
        "glossary/gamma.yaml:15: reviewed: '2026-13-01' is not a real date (month must be in 1..12); "
        "write an existing date as YYYY-MM-DD",
    ]
    assert "Traceback" not in result.stderr


def test_github_format_annotations(tmp_path: Path) -> None:
    """--format github prints ::error annotations with file and line for CI."""
    project = make_project(tmp_path / "p")
    beta = project / "glossary/beta.yaml"
    beta.write_text(beta.read_text().replace("related: [alpha]", "related: [alpa]"))
    result = run("check", "--format", "github", cwd=project)
    assert result.returncode == 1
    assert result.stdout.strip() == \
        "::error file=glossary/beta.yaml,line=12::related[0]: unknown entry 'alpa' (did you mean 'alpha'?)"


def test_usage_errors_exit_two(tmp_path: Path) -> None:
    """An unknown command, a bad option, or no glossary folder: exit 2 with a message."""
    project = make_project(tmp_path / "p")
    assert run("frobnicate", cwd=project).returncode == 2
    assert run("check", "--format", "xml", cwd=project).returncode == 2
    empty = tmp_path / "empty"
    empty.mkdir()
    result = run("check", cwd=empty)
    assert result.returncode == 2 and "no glossary/ folder" in result.stderr


def test_real_glossary_is_clean() -> None:
    """The project's own glossary passes the check."""
    result = run("check", cwd=ROOT)
    assert result.returncode == 0, result.stdout


def test_glossary_command_is_installed_and_checks(tmp_path: Path) -> None:
    """`make`'s set-up installs the `glossary` console script beside the venv's python; it is `python -m macros`."""
    import subprocess
    import sys

    command = Path(sys.executable).parent / "glossary"
    assert command.is_file(), "run `make .venv/.installed`: it installs the project with its `glossary` command"
    project = make_project(tmp_path / "p")
    result = subprocess.run([str(command), "check"], cwd=project, capture_output=True, text=True, timeout=60,
                            check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "checked 4 entries (3 published, 1 drafts) and 2 references" in result.stderr
    usage = subprocess.run([str(command), "new"], cwd=project, capture_output=True, text=True, timeout=60,
                           check=False)
    assert usage.returncode == 2 and usage.stderr.startswith("usage: glossary new"), usage.stderr


def test_check_and_new_share_one_slug_rule(tmp_path: Path) -> None:
    """The file name `check` asks for is the one `new` writes: Greek letters spelled out, accents folded."""
    project = make_project(tmp_path / "p")
    for term, slug in (("α-Synuclein", "alpha-synuclein"), ("Café", "cafe")):
        (project / "glossary" / f"{term}.yaml").write_text((project / "glossary/beta.yaml").read_text())
        checked = run("check", cwd=project)
        assert f"glossary/{term}.yaml:1: (file): the file name must be the entry's slug in lowercase kebab-case: " \
               f"rename it to '{slug}.yaml'" in checked.stdout.splitlines(), checked.stdout
        (project / "glossary" / f"{term}.yaml").unlink()
        created = run("new", term, cwd=project)
        assert created.returncode == 0, created.stderr
        assert created.stdout.strip() == f"glossary/{slug}.yaml"
