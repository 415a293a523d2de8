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


def _square_or_fail(n: int) -> tuple[int, int]:
    if n == 7:
        raise ValueError("this item cannot be done in a worker")
    if n == 21 and os.getpid() != PARENT:
        os._exit(3)  # the worker dies on this item
    return os.getpid(), n * n


PARENT = os.getpid()


@pytest.mark.usefixtures("forking")
def test_a_stream_sends_each_result_back_from_its_workers_and_leaves_failures_to_the_caller() -> None:
    stream = parallel.Stream(_square_or_fail, list(range(40)), 2)
    try:
        results = [stream.get(i) for i in range(40)]
    finally:
        stream.close()
    # items 0, 2, 4, ... went to the first worker, 1, 3, 5, ... to the second
    assert all(r is not None and r[1] == i * i for i, r in enumerate(results) if i % 2 == 0)
    assert {r[0] for r in results if r is not None}.isdisjoint({os.getpid()})
    assert len({r[0] for r in results if r is not None}) == 2
    assert results[7] is None  # failed in its worker: the caller does it
    # the second worker died on item 21: items before it arrived, it and every later one of its share did not
    assert all(results[i] == (results[1][0], i * i) for i in range(1, 21, 2) if i != 7)  # type: ignore[index]
    assert all(results[i] is None for i in range(21, 40, 2))


@pytest.mark.usefixtures("forking")
def test_a_stream_runs_ahead_while_this_process_works() -> None:
    """Results as large as pages pile up in the pipe while the caller is busy (more than a default 64 KB pipe
    holds): the worker does not wait for get()."""
    import time
    stream = parallel.Stream(_page_sized, list(range(40)), 1)
    try:
        time.sleep(1)  # this process busy elsewhere
        stream.drain()
        ready = len(stream._results)  # noqa: SLF001 - what arrived without being asked for
        assert ready == 40, ready
        assert [stream.get(i) for i in range(40)] == [_page_sized(n) for n in range(40)]
    finally:
        stream.close()


def _page_sized(n: int) -> str:
    return f"{n}:" + "x" * 20_000


def _write(path_and_text: tuple[str, str]) -> str | None:
    path, text = path_and_text
    if text == "refuse":
        return f"{path}: refused"
    if text == "die" and os.getpid() != PARENT:
        os._exit(4)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(f"{text} {os.getpid()}")
    return None


@pytest.mark.usefixtures("forking")
def test_background_work_is_done_in_the_worker_and_errors_come_back(tmp_path) -> None:
    work = parallel.Background(_write, capacity=10)
    items = [(str(tmp_path / f"{i}.txt"), "refuse" if i == 3 else f"page{i}") for i in range(8)]
    for item in items:
        work.submit(item)
    errors = work.finish()
    assert errors == {3: f"{items[3][0]}: refused"}
    written = {i: (tmp_path / f"{i}.txt").read_text() for i in range(8) if i != 3}
    assert all(text.startswith(f"page{i} ") for i, text in written.items())
    assert {text.split()[1] for text in written.values()} == {str(work._process.pid)}  # noqa: SLF001
    assert not (tmp_path / "3.txt").exists()


@pytest.mark.usefixtures("forking")
def test_background_items_left_by_a_dead_worker_or_beyond_its_room_are_done_here(tmp_path) -> None:
    work = parallel.Background(_write, capacity=6)
    items = [(str(tmp_path / f"{i}.txt"), "die" if i == 2 else ("refuse" if i == 4 else f"page{i}"))
             for i in range(9)]
    for item in items:
        work.submit(item)
    errors = work.finish()
    assert errors == {4: f"{items[4][0]}: refused"}  # found here, after the worker died
    pids = {i: (tmp_path / f"{i}.txt").read_text().split()[1] for i in range(9) if i not in (2, 4)}
    assert pids[0] == pids[1] != str(os.getpid())  # done by the worker before it died
    assert all(pids[i] == str(os.getpid()) for i in (3, 5, 6, 7, 8))  # after it died, and beyond its room
    assert (tmp_path / "2.txt").read_text().startswith("die ")  # the item it died on, done here
