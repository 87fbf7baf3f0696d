"""Parsing on every core: a batch split into parts, each parsed in a process forked from the one
that already holds the loaded pipeline, so no process loads the model again.

Our own processes rather than spaCy's `n_process`: a part that runs over its time or crashes is
killed and reported, and the call returns at once. spaCy's worker processes could not be stopped
mid-batch (the parent, joining them, waited on workers blocked writing to a pipe it no longer read).
`Workers` keeps its processes between calls and replaces each after a share of the work, so a
long run's memory cannot creep up in them; `in_forks` uses a set of them for one call.
"""

from __future__ import annotations

import gc
import math
import multiprocessing
import os
import signal
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

# How often a wait for a part looks up: a Prefect timeout raised in the waiting thread lands
# between two looks, and the parts are killed then.
POLL_SECONDS = 1.0


class PartFailed(RuntimeError):
    """A forked part raised, was killed by a signal, or ran over its time."""


def split(items: Sequence[T], parts: int, weight: Callable[[T], int]) -> list[Sequence[T]]:
    """At most `parts` consecutive, non-empty slices of `items` of about equal total weight (the
    text's length: a parse costs about as much as its words). Consecutive, so results joined in
    order keep the items' order."""
    if not items:
        return []
    parts = max(1, min(parts, len(items)))
    total = sum(max(weight(item), 1) for item in items)
    slices: list[Sequence[T]] = []
    start, seen = 0, 0
    for index, item in enumerate(items):
        seen += max(weight(item), 1)
        left_items, left_parts = len(items) - index - 1, parts - len(slices) - 1
        full = seen * parts >= total * (len(slices) + 1)
        if left_parts and (full or left_items == left_parts):
            slices.append(items[start : index + 1])
            start = index + 1
    slices.append(items[start:])
    return slices


def in_forks(
    work: Callable[[Sequence[T]], R],
    items: Sequence[T],
    processes: int,
    timeout: float,
    weight: Callable[[T], int] = lambda _: 1,
) -> list[R]:
    """`work` over `items`, in `processes` forked processes at once, one result per part, in order.

    With one process (or one item and one process) `work` runs here, in this process. Otherwise
    every part runs in a child, even when there is one: a child can be stopped, this process
    cannot. Raises `PartFailed` when any part fails or the whole call exceeds `timeout` seconds;
    every child is gone by then.
    """
    if processes <= 1:
        return [work(items)]
    workers = Workers(work, processes, math.inf, weight)
    try:
        return workers.run(split(items, processes, weight), timeout)
    finally:
        workers.close()


def in_chunks(
    work: Callable[[Sequence[T]], R],
    items: Iterable[T],
    processes: int,
    timeout: float,
    chunk: int,
    weight: Callable[[T], int] = lambda _: 1,
) -> Iterator[R]:
    """`in_forks` over a stream, `chunk` items at a time (each chunk bounded by `timeout`): the
    part results in order, without holding the whole stream."""
    held: list[T] = []
    for item in items:
        held.append(item)
        if len(held) >= chunk:
            yield from in_forks(work, held, processes, timeout, weight)
            held = []
    if held:
        yield from in_forks(work, held, processes, timeout, weight)


def _run_part(work: Callable[[Sequence[Any]], Any], part: Sequence[Any], send: Connection) -> None:
    """In the child: the part's result, or the error's one line, sent to the parent."""
    try:
        outcome: tuple[bool, Any] = (True, work(part))
    except BaseException as exc:  # reported to the parent, which decides what to do
        outcome = (False, f"{type(exc).__name__}: {exc}")
    send.send(outcome)


class Workers:
    """Processes forked from this one that parse part after part, `processes` at once.

    Kept between batches: a process forked for one part spends a good share of its time faulting
    in the memory its parse grows into (~0.6 s of system time per 20 articles), which a kept one
    has already. Each is replaced after it has handled `recycle` weight (characters), so whatever
    a long run leaves in its heap stays bounded, and parts are handed to whichever is free, so a
    slow part does not leave a core idle. A part that fails or runs past the call's time kills
    the processes still busy; the others are kept.
    """

    def __init__(
        self, work: Callable[[Sequence[T]], R], processes: int, recycle: float, weight: Callable[[T], int]
    ) -> None:
        self._work = work
        self._processes = max(processes, 1)
        self._recycle = recycle
        self._weight = weight
        self._idle: list[_Worker] = []
        self._live: set[_Worker] = set()

    def run(self, parts: Sequence[Sequence[T]], timeout: float) -> list[R]:
        """One result per part, in order; raises `PartFailed` as `in_forks` does."""
        results: list[Any] = [None] * len(parts)
        waiting = list(enumerate(parts))[::-1]
        busy: dict[Connection, tuple[_Worker, int]] = {}
        deadline = time.monotonic() + timeout
        try:
            while waiting or busy:
                while waiting and len(busy) < self._processes:
                    index, part = waiting.pop()
                    worker = self._idle.pop() if self._idle else self._start()
                    worker.connection.send(part)
                    busy[worker.connection] = (worker, index)
                ready = wait(list(busy), min(POLL_SECONDS, max(deadline - time.monotonic(), 0)))
                if not ready and time.monotonic() >= deadline:
                    raise PartFailed(f"parsing ran over {timeout:g} s")
                for connection in ready:
                    worker, index = busy.pop(connection)  # type: ignore[arg-type]
                    results[index] = self._result(worker, parts[index])
        finally:
            for worker, _ in busy.values():
                worker.stop()
        return results

    def close(self) -> None:
        for worker in self._idle:
            worker.stop()
        self._idle.clear()

    def _start(self) -> _Worker:
        context = multiprocessing.get_context("fork")
        ours, theirs = context.Pipe()
        # The child's copies of this process's ends of every pipe, closed there: while a copy is
        # open, a worker would not see its pipe end when this process goes.
        inherited = [ours, *(worker.connection for worker in self._live)]
        # Frozen, this process's objects are out of the child's garbage collector's sight: a
        # collection there would write to every page holding one (the pipeline's among them), and
        # each child would end up with its own copy of those pages.
        gc.freeze()
        try:
            process = context.Process(
                target=_serve_parts, args=(self._work, theirs, inherited, os.getpid()), daemon=True
            )
            process.start()
        finally:
            gc.unfreeze()
        theirs.close()
        worker = _Worker(process, ours, self._live)
        self._live.add(worker)
        return worker

    def _result(self, worker: _Worker, part: Sequence[T]) -> Any:
        try:
            ok, value = worker.connection.recv()
        except EOFError:
            worker.stop()
            raise PartFailed(f"the parsing process died (exit code {worker.process.exitcode})") from None
        if not ok:
            worker.stop()
            raise PartFailed(value)
        worker.handled += sum(max(self._weight(item), 1) for item in part)
        if worker.handled >= self._recycle:
            worker.stop()
        else:
            self._idle.append(worker)
        return value


class _Worker:
    def __init__(self, process: BaseProcess, connection: Connection, live: set[_Worker]) -> None:
        self.process = process
        self.connection = connection
        self.handled = 0
        self._live = live

    def stop(self) -> None:
        """Closing its pipe ends an idle worker; a busy one is killed."""
        self._live.discard(self)
        self.connection.close()
        self.process.join(0.5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()


def _serve_parts(
    work: Callable[[Sequence[Any]], Any], connection: Connection, inherited: list[Connection], parent: int
) -> None:
    """In a worker: each part received, its result or error's one line sent back, until the
    parent closes the pipe or is gone."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the host's handler: stop at once
    for copy in inherited:
        copy.close()
    for part in received(connection, parent):
        _run_part(work, part, connection)


def received(connection: Connection, parent: int) -> Iterator[Any]:
    """Each message on `connection`, until the pipe ends or the process that forked this one is
    gone (one killed outright closes nothing in time to tell)."""
    while True:
        while not connection.poll(POLL_SECONDS):
            if os.getppid() != parent:
                return
        try:
            yield connection.recv()
        except (EOFError, OSError):
            return
