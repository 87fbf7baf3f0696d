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
from collections import deque
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


class Job:
    """The parts of one call (or one batch) handed to `Workers`; its results fill in as they come.

    Its time starts when its first part goes to a worker, so a job queued behind another is not
    charged for the wait."""

    def __init__(self, parts: Sequence[Sequence[Any]], timeout: float) -> None:
        self.parts = parts
        self.timeout = timeout
        self.results: list[Any] = [None] * len(parts)
        self.left = len(parts)
        self.deadline = math.inf
        self.error: PartFailed | None = None

    @property
    def finished(self) -> bool:
        return self.left == 0 or self.error is not None

    def outcome(self) -> list[Any]:
        """One result per part, in order; or the `PartFailed` that ended the job."""
        if self.error is not None:
            raise self.error
        return self.results


class Workers:
    """Processes forked from this one that parse part after part, `processes` at once.

    Kept between batches: a process forked for one part spends a good share of its time faulting
    in the memory its parse grows into (~0.6 s of system time per 20 articles), which a kept one
    has already. Each is replaced after it has handled `recycle` weight (characters), so whatever
    a long run leaves in its heap stays bounded, and parts are handed to whichever is free, so a
    slow part does not leave a core idle. Several jobs may be queued: their parts go out in order,
    so a worker done with one job's last parts starts on the next while another finishes. A part
    that fails or runs past its job's time ends that job and kills the processes still busy with
    it; the others, and the other jobs, go on.
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
        self._queued: deque[tuple[Job, int]] = deque()
        self._busy: dict[Connection, tuple[_Worker, Job, int]] = {}

    def run(self, parts: Sequence[Sequence[T]], timeout: float) -> list[R]:
        """One result per part, in order; raises `PartFailed` as `in_forks` does."""
        job = self.submit(parts, timeout)
        try:
            while not job.finished:
                self.wait([], POLL_SECONDS)
        finally:
            self.cancel(job)
        return job.outcome()

    def submit(self, parts: Sequence[Sequence[T]], timeout: float) -> Job:
        """Queues a job's parts behind those already queued; `wait` hands them out."""
        job = Job(parts, timeout)
        self._queued.extend((job, index) for index in range(len(parts)))
        return job

    def wait(self, others: Sequence[Connection], timeout: float) -> list[Connection]:
        """Hands queued parts to free workers, then waits up to `timeout` seconds for a part's
        result or for one of `others`; takes the results that came and ends the jobs past their
        time. Returns those of `others` that are ready."""
        while self._queued and len(self._busy) < self._processes:
            job, index = self._queued.popleft()
            if job.deadline == math.inf:
                job.deadline = time.monotonic() + job.timeout
            worker = self._idle.pop() if self._idle else self._start()
            worker.connection.send(job.parts[index])
            self._busy[worker.connection] = (worker, job, index)
        soonest = min((job.deadline for _, job, _ in self._busy.values()), default=math.inf)
        ready = wait([*self._busy, *others], max(min(timeout, soonest - time.monotonic()), 0))
        for connection in ready:
            if connection in self._busy:
                worker, job, index = self._busy.pop(connection)  # type: ignore[arg-type]
                self._take(worker, job, index)
        now = time.monotonic()
        for job in {job for _, job, _ in self._busy.values() if job.deadline <= now}:
            self._end(job, PartFailed(f"parsing ran over {job.timeout:g} s"))
        return [connection for connection in ready if connection in others]

    def cancel(self, job: Job) -> None:
        """Drops the job's queued parts and kills the processes busy with it."""
        self._queued = deque(entry for entry in self._queued if entry[0] is not job)
        for connection, (worker, busy_with, _) in list(self._busy.items()):
            if busy_with is job:
                del self._busy[connection]
                worker.stop()

    def close(self) -> None:
        """Stops every worker, idle or busy."""
        for worker, _, _ in self._busy.values():
            worker.stop()
        self._busy.clear()
        self._queued.clear()
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

    def _take(self, worker: _Worker, job: Job, index: int) -> None:
        """A part's result into its job; a failed part ends the job."""
        try:
            ok, value = worker.connection.recv()
        except EOFError:
            worker.stop()
            self._end(job, PartFailed(f"the parsing process died (exit code {worker.process.exitcode})"))
            return
        if not ok:
            worker.stop()
            self._end(job, PartFailed(value))
            return
        worker.handled += sum(max(self._weight(item), 1) for item in job.parts[index])
        if worker.handled >= self._recycle:
            worker.stop()
        else:
            self._idle.append(worker)
        if job.error is None:
            job.results[index] = value
            job.left -= 1

    def _end(self, job: Job, error: PartFailed) -> None:
        if job.error is None:
            job.error = error
        self.cancel(job)


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
