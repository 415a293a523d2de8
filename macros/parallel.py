"""Work shared out across processes: a large glossary is read, checked and rendered on every usable CPU.

Forked workers (Linux only, where fork is the usual, safe way) inherit everything loaded so far, so
nothing but their results is pickled. Results come back in the order of the items, so the outcome never
depends on the number of processes, and a worker that fails has its share done in this process instead
(where an error then surfaces as usual). ``mkdocs serve`` runs threads, which fork does not mix with:
there, and wherever another thread runs, everything stays in one process.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import sys
import threading
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

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


class Background(Generic[T, R]):
    """One forked worker that does ``function(item)`` for each item submitted while this process goes on with
    other work (``mkdocs build`` secures each page on the second CPU while MkDocs builds the next one).

    ``function`` returns None when it did an item's work (its effect is outside the process, such as a file it
    wrote), or something this process needs (an error message); it must be safe to do again on an item it did
    not finish. ``finish`` returns the non-None results by item. Should the worker die, every item it did not
    mark as done (in memory shared with it) is done in this process instead, where an error surfaces as usual.
    Use only where ``can_fork()``.
    """

    def __init__(self, function: Callable[[T], R | None], capacity: int) -> None:
        context = multiprocessing.get_context("fork")
        self._function = function
        self._done = context.RawArray("b", capacity)  # 1: the worker did item i, with a None result
        self._items: list[T] = []
        self._broken = False
        self._inbox, self._outbox = context.Pipe(duplex=False)
        self._results, results = context.Pipe(duplex=False)  # (receiving end, sending end)
        self._process = context.Process(target=self._work, args=(results,), daemon=True)
        self._process.start()
        results.close()
        self._inbox.close()

    def _work(self, results: Any) -> None:
        """In the worker: items until the end mark, then the results that are not None."""
        self._outbox.close()
        found: dict[int, Any] = {}
        while (message := self._inbox.recv()) is not None:
            index, item = message
            result = self._function(item)
            if result is None:
                self._done[index] = 1
            else:
                found[index] = result
        results.send(found)
        results.close()

    def submit(self, item: T) -> None:
        """Have the worker do ``item`` (done here at ``finish`` when there is no room to mark it)."""
        index = len(self._items)
        self._items.append(item)
        if index < len(self._done) and not self._broken:
            try:
                self._outbox.send((index, item))
            except OSError:  # the worker died: finish() does the rest here
                self._broken = True

    def finish(self) -> dict[int, R]:
        """Wait for the worker; every item it did not do is done here. The non-None results, by item."""
        found: dict[int, Any] = {}
        try:
            self._outbox.send(None)
            found = self._results.recv()
        except (EOFError, OSError):  # the worker died: redo whatever it did not mark as done
            found = {}
        finally:
            self._outbox.close()
            self._results.close()
            self._process.join()
        for index, item in enumerate(self._items):
            if index not in found and not (index < len(self._done) and self._done[index]):
                result = self._function(item)
                if result is not None:
                    found[index] = result
        return found

    def cancel(self) -> None:
        """Stop the worker at once (the build failed)."""
        self._process.kill()
        self._process.join()
        self._outbox.close()
        self._results.close()


#: Linux's ``fcntl`` command to resize a pipe (F_SETPIPE_SZ): a stream's workers may then run many results ahead.
_SET_PIPE_SIZE = 1031
_PIPE_SIZE = 1 << 20


def _stream(send: Any, function: Callable[[T], R], items: list[tuple[int, T]]) -> None:
    """In a stream's worker: each result sent back as soon as it is ready, or None when ``function`` failed."""
    try:
        for index, item in items:
            try:
                result = function(item)
            except Exception:  # noqa: BLE001 - the parent does this item itself, where the error surfaces
                result = None
            send.send((index, result))
    finally:
        send.close()


class Stream(Generic[T, R]):
    """Forked workers that do ``function(item)`` for every item in order and send each result back as soon as it is
    ready, while this process goes on with other work; ``get(i)`` waits for item ``i``'s (``mkdocs build``
    renders the generated pages this way while MkDocs builds the pages before them).

    ``get`` returns None when a worker failed on the item or died: the caller then does the item itself.
    Use only where ``can_fork()``.
    """

    def __init__(self, function: Callable[[T], R], items: Sequence[T], workers: int) -> None:
        context = multiprocessing.get_context("fork")
        numbered = list(enumerate(items))
        self._workers = max(1, min(workers, len(numbered)))
        self._pipes: list[Any] = []
        self._processes = []
        self._results: dict[int, Any] = {}
        for share in range(self._workers):
            receive, send = context.Pipe(duplex=False)
            with contextlib.suppress(OSError, AttributeError):  # a larger pipe where Linux allows it
                import fcntl
                fcntl.fcntl(send.fileno(), _SET_PIPE_SIZE, _PIPE_SIZE)
            process = context.Process(target=_stream, args=(send, function, numbered[share::self._workers]),
                                      daemon=True)
            process.start()
            send.close()
            self._pipes.append(receive)
            self._processes.append(process)

    def _take(self, pipe: Any, *, wait: bool) -> bool:
        """One result from ``pipe`` into this process (ready, or waited for); False if none can come."""
        if pipe.closed or (not wait and not pipe.poll()):
            return False
        try:
            index, result = pipe.recv()
        except (EOFError, OSError):  # the worker finished or died
            pipe.close()
            return False
        self._results[index] = result
        return True

    def drain(self) -> None:
        """Take in every result that is ready, so the workers never wait for room in the pipes."""
        for pipe in self._pipes:
            while self._take(pipe, wait=False):
                pass

    def get(self, index: int) -> R | None:
        """Item ``index``'s result (waiting for it), or None when its worker failed on it or died."""
        pipe = self._pipes[index % self._workers]
        while index not in self._results:
            if not self._take(pipe, wait=True):
                return None
        self.drain()
        return self._results.pop(index)

    def close(self) -> None:
        """Stop the workers (the results not taken are dropped)."""
        for process in self._processes:
            if process.is_alive():
                process.kill()
            process.join()
        for pipe in self._pipes:
            pipe.close()
