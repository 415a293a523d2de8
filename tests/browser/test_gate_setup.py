"""In CI a missing browser or link checker fails the run; on a developer's machine it skips with the reason."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import require  # tests/conftest.py

from . import gates


def test_missing_browser_is_named(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Without /usr/bin/chromium the gates say what is missing and how .ci/run installs it."""
    monkeypatch.setattr(gates, "CHROMIUM", tmp_path / "no-chromium")
    problem = gates.browser_problem()
    assert problem is not None and "no-chromium is missing" in problem and "apt-get install -y chromium" in problem


def test_in_ci_a_missing_tool_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    """With CI=true a missing tool is a failure, never a skip."""
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI is set and chromium is missing"):
        require("chromium is missing")


def test_outside_ci_a_missing_tool_skips_with_the_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without CI the browser tests skip, saying why."""
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="chromium is missing"):
        require("chromium is missing")
    monkeypatch.setenv("CI", "false")
    with pytest.raises(pytest.skip.Exception):
        require("chromium is missing")


def test_nothing_missing_means_nothing_happens(monkeypatch: pytest.MonkeyPatch) -> None:
    """When every tool is there, require() lets the test run, in CI or not: it neither fails nor skips."""
    stopped: list[str] = []

    def stop(kind: str) -> Any:
        def record(reason: str, **_options: Any) -> None:
            stopped.append(f"{kind}: {reason}")
            raise InterruptedError(kind)
        return record

    monkeypatch.setattr(pytest, "fail", stop("fail"))
    monkeypatch.setattr(pytest, "skip", stop("skip"))
    for ci in ("true", "false"):
        monkeypatch.setenv("CI", ci)
        require(None)
        with pytest.raises(InterruptedError):  # the same call does stop the test when a tool is missing
            require("chromium is missing")
    assert stopped == ["fail: CI is set and chromium is missing", "skip: chromium is missing"]
