"""macros/parallel.py: work shared out across forked processes gives exactly the one-process result."""

from __future__ import annotations

import os
import sys
import threading

import pytest

from macros import parallel


def _pids_and_squares(chunk: list[int]) -> list[tuple[int, int]]:
    return [(os.getpid(), n * n) for n in chunk]


@pytest.fixture
def forking(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fork as on a single-threaded Linux process (a browser test earlier in the run may have left a thread)."""
    if not sys.platform.startswith("linux"):
        pytest.skip("fork workers are used on Linux only")
    monkeypatch.setattr(threading, "active_count", lambda: 1)
    assert parallel.can_fork()


@pytest.mark.usefixtures("forking")
def test_results_come_back_in_order_from_several_processes() -> None:
    items = list(range(1200))
    results = parallel.fork_map(_pids_and_squares, items, 3)
    assert [square for _pid, square in results] == [n * n for n in items]
    assert len({pid for pid, _square in results}) == 3  # two workers did their share
    assert {pid for pid, _square in results[::3]} == {os.getpid()}  # every third item stays here


def test_small_inputs_and_one_job_stay_in_this_process() -> None:
    for items, jobs in ((list(range(10)), 4), (list(range(1200)), 1)):
        results = parallel.fork_map(_pids_and_squares, items, jobs)
        assert {pid for pid, _square in results} == {os.getpid()}


@pytest.mark.usefixtures("forking")
def test_a_share_whose_worker_fails_is_done_here_and_its_error_surfaces_here() -> None:
    parent = os.getpid()

    def fails_in_workers(chunk: list[int]) -> list[int]:
        if os.getpid() != parent:
            raise RuntimeError("worker broke")
        return [n + 1 for n in chunk]

    assert parallel.fork_map(fails_in_workers, list(range(900)), 2) == list(range(1, 901))

    def always_fails(chunk: list[int]) -> list[int]:
        raise ValueError("entry glossary/x.yaml cannot be rendered")

    with pytest.raises(ValueError, match="glossary/x.yaml"):
        parallel.fork_map(always_fails, list(range(900)), 2)


def test_no_fork_while_another_thread_runs() -> None:
    """`mkdocs serve` runs threads; forking such a process can deadlock, so everything stays here."""
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert not parallel.can_fork()
        results = parallel.fork_map(_pids_and_squares, list(range(1200)), 2)
        assert {pid for pid, _square in results} == {os.getpid()}
    finally:
        stop.set()
        thread.join()
