"""Parsing on every core: a batch split into parts, each parsed in a process forked from the one
that already holds the loaded pipeline, so no process loads the model again.

Our own processes rather than spaCy's `n_process`: a part that runs over its time or crashes is
killed and reported, and the call returns at once. spaCy's worker processes could not be stopped
mid-batch (the parent, joining them, waited on workers blocked writing to a pipe it no longer read).
A forked process lives for one batch, so a long run's memory cannot creep up in it either.
"""

from __future__ import annotations

import gc
import multiprocessing
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
    parts = split(items, processes, weight)
    if not parts:
        return []
    context = multiprocessing.get_context("fork")
    children: list[tuple[BaseProcess, Connection]] = []
    try:
        # Frozen, this process's objects are out of the children's garbage collector's sight: a
        # collection there would write to every page holding one (the pipeline's among them),
        # and each child would end up with its own copy of those pages.
        gc.freeze()
        try:
            for part in parts:
                receive, send = context.Pipe(duplex=False)
                child = context.Process(target=_run_part, args=(work, part, send), daemon=True)
                child.start()
                send.close()  # the child's end: once the child is gone, reading here ends
                children.append((child, receive))
        finally:
            gc.unfreeze()
        deadline = time.monotonic() + timeout
        return [_result(child, receive, deadline, timeout) for child, receive in children]
    finally:
        for child, receive in children:
            if child.is_alive():
                child.kill()
            child.join()
            receive.close()


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
    send.close()


def _result(child: BaseProcess, receive: Connection, deadline: float, timeout: float) -> Any:
    while not wait([receive], min(POLL_SECONDS, max(deadline - time.monotonic(), 0))):
        if time.monotonic() >= deadline:
            raise PartFailed(f"parsing ran over {timeout:g} s")
    try:
        ok, value = receive.recv()
    except EOFError:
        child.join()
        raise PartFailed(f"the parsing process died (exit code {child.exitcode})") from None
    if not ok:
        raise PartFailed(value)
    return value
