"""Work shared out across processes: a large glossary is read, checked and rendered on every usable CPU.

Forked workers (Linux only, where fork is the usual, safe way) inherit everything loaded so far, so
nothing but their results is pickled. Results come back in the order of the items, so the outcome never
depends on the number of processes, and a worker that fails has its share done in this process instead
(where an error then surfaces as usual). ``mkdocs serve`` runs threads, which fork does not mix with:
there, and wherever another thread runs, everything stays in one process.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

#: Below this many items, one process: starting workers would cost more than it saves.
PARALLEL_MIN = 500


def usable_cpus() -> int:
    """The CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def can_fork() -> bool:
    """Whether workers may be forked here: on Linux, from a process running no other thread (``mkdocs
    serve`` runs several, and a forked copy of a threaded process can deadlock); elsewhere, never."""
    return (sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()
            and threading.active_count() == 1)


def _send(send: Any, function: Callable[[list[T]], list[R]], chunk: list[T]) -> None:
    """In a worker process: do one share and send the results back."""
    try:
        send.send(function(chunk))
    except BaseException:  # noqa: BLE001 - the parent does this share itself when nothing arrives
        pass
    finally:
        send.close()


def fork_map(function: Callable[[list[T]], list[R]], items: Sequence[T], jobs: int,
             minimum: int = PARALLEL_MIN) -> list[R]:
    """``function(items)`` (one result per item, in order), with the items dealt out in turn to ``jobs``
    processes when there are at least ``minimum`` of them: the first to this process, the next to a
    worker, and so on, so every process gets a similar share."""
    items = list(items)
    if jobs <= 1 or len(items) < minimum or not can_fork():
        return function(items)
    chunks = [items[i::jobs] for i in range(jobs)]
    context = multiprocessing.get_context("fork")
    workers = []
    for chunk in chunks[1:]:
        receive, send = context.Pipe(duplex=False)
        process = context.Process(target=_send, args=(send, function, chunk), daemon=True)
        process.start()
        send.close()
        workers.append((process, receive, chunk))
    parts = [function(chunks[0])]
    for process, receive, chunk in workers:
        try:
            part = receive.recv()
        except (EOFError, OSError):
            part = function(chunk)
        receive.close()
        process.join()
        parts.append(part)
    results: list[Any] = [None] * len(items)
    for index, part in enumerate(parts):
        results[index::jobs] = part
    return results
