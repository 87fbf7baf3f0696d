"""A process that holds the loaded spaCy pipeline and parses batches in workers forked from it.

A run with pages to parse starts it at once, so spaCy loads on another core while the run's own
process fetches the first pages. Its workers are forked from it rather than from the run's
process, so each starts as a copy of the pipeline alone, not of the run's pages, threads and
Prefect objects, and they are kept from batch to batch (see `pipeline.forks.Workers`).
"""

from __future__ import annotations

import atexit
import multiprocessing
import os
import pickle
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING, Any

from pipeline.forks import POLL_SECONDS, Job, PartFailed, Workers, split

if TYPE_CHECKING:
    from multiprocessing.process import BaseProcess

    from pipeline.findings import Findings
    from pipeline.settings import Settings

# Beyond the batch's own bound: the first batch may also wait for the pipeline to load.
LOAD_SECONDS = 300.0
# How long a stopped host may take to stop the processes parsing its batch.
STOP_SECONDS = 5.0
# A batch is cut into parts of at most this many characters, as many for each process, handed
# to the parsing processes as they come free: a process's memory grows with the part it
# parses, so this bounds it whatever a batch holds.
PART_CHARS = 150_000
# A parsing process is replaced after this many characters (~1,500 articles): what a long run
# leaves in its heap stays bounded.
RECYCLE_CHARS = 10_000_000

_hosts: dict[tuple[Any, ...], ParseHost] = {}


def wanted(settings: Settings) -> bool:
    """Batches are parsed in several local processes (not in the run's own, nor on Dask)."""
    return settings.nlp_cluster is None and settings.nlp_processes > 1


def host_key(settings: Settings) -> tuple[Any, ...]:
    """The settings a host's parses depend on: two runs with the same key can share one."""
    return (
        settings.spacy_model,
        settings.models_path,
        settings.batch_size,
        settings.nlp_max_chars,
        settings.nlp_processes,
        settings.nlp_timeout_seconds,
    )


class ParseHost:
    """The parent's handle: batches go to the host, their findings come back in the order sent.

    Two threads may each wait on a batch: the host takes the second while the first's last parts
    run, and each thread reads its own answer once the one before has been read."""

    def __init__(self, settings: Settings) -> None:
        context = multiprocessing.get_context("fork")
        self._connection, theirs = context.Pipe()
        # Not a daemon: a daemon may not start the processes the host forks for each batch.
        self._process: BaseProcess = context.Process(
            target=_serve, args=(settings, theirs, self._connection, os.getpid()), name="newsint-parse-host"
        )
        self._process.start()
        theirs.close()
        self._timeout = settings.nlp_timeout_seconds
        self._lock = threading.Condition()
        self._sent = 0  # batches sent; each one's number is its place in the answers
        self._answered = 0
        self._broken: PartFailed | None = None  # why no more answers will come
        self._waited_since = time.monotonic()  # when the host last answered, or was first asked
        # multiprocessing joins non-daemon children at exit, before this end of the pipe would
        # close and tell the host to stop: closed first (atexit runs the latest registered first).
        atexit.register(self.close)

    def findings(self, items: Sequence[tuple[str, str]]) -> Findings:
        """The batch's (id, text) pairs parsed in the host's processes. Raises what the host
        raised (say, a model that is not installed), or `PartFailed` when the host died or ran
        past a batch's bound; the host is gone then, and `usable` is False."""
        with self._lock:
            if not self.usable:
                raise PartFailed("the parsing host has stopped")
            if self._answered == self._sent:
                self._waited_since = time.monotonic()
            number, self._sent = self._sent, self._sent + 1
            with suppress(OSError):  # the host is gone: found out below
                self._connection.send(list(items))
            # Answers come in the order sent: the callers of earlier batches read theirs first.
            while self._answered < number and self._broken is None:
                self._lock.wait()
        answer = self._broken or self._next_answer()
        with self._lock:
            if isinstance(answer, PartFailed):
                self._broken = answer
                self.close()
            else:
                self._answered += 1
                self._waited_since = time.monotonic()
            self._lock.notify_all()
        if isinstance(answer, PartFailed):
            raise answer
        ok, value = answer
        if not ok:
            raise value
        return value  # type: ignore[no-any-return]

    def _next_answer(self) -> tuple[bool, Any] | PartFailed:
        """The host's next answer, or why none came: its time for one batch (and for the first,
        the pipeline's load) runs from its last answer, as it parses batches in turn."""
        deadline = self._waited_since + self._timeout + LOAD_SECONDS
        try:
            while not self._connection.poll(POLL_SECONDS):
                if time.monotonic() >= deadline or not self._process.is_alive():
                    exit_code = self._process.exitcode
                    return PartFailed(f"the parsing host stopped answering (exit code {exit_code})")
            return self._connection.recv()  # type: ignore[no-any-return]
        except (EOFError, OSError):  # the host died, or the pipe was closed here (`close`)
            self._process.join(STOP_SECONDS)
            return PartFailed(f"the parsing host died (exit code {self._process.exitcode})")

    @property
    def usable(self) -> bool:
        return not self._connection.closed and self._process.is_alive()

    def close(self) -> None:
        """Stops the host at once; one parsing a batch first stops the processes parsing it. An
        idle host's parsing processes end by themselves once its end of their pipes closes."""
        atexit.unregister(self.close)
        if not self._connection.closed:
            self._connection.close()
        if self._answered < self._sent and self._process.is_alive():
            self._process.terminate()
            self._process.join(STOP_SECONDS)
        if self._process.is_alive():
            self._process.kill()
        self._process.join()


@contextmanager
def hosting(settings: Settings) -> Iterator[ParseHost]:
    """A host for these settings for the block (`host_for` finds it), stopped when it ends."""
    key = host_key(settings)
    host = _hosts[key] = ParseHost(settings)
    try:
        yield host
    finally:
        host.close()
        replaced = _hosts.pop(key, None)  # by `host_for`, if the first one died
        if replaced is not None:
            replaced.close()


def hosted(settings: Settings) -> bool:
    """Whether a host for these settings is in use (inside `hosting`), running or not."""
    return host_key(settings) in _hosts


def host_for(settings: Settings) -> ParseHost | None:
    """The running host for these settings, restarted if it died; None outside `hosting`."""
    key = host_key(settings)
    host = _hosts.get(key)
    if host is None or host.usable:
        return host
    host = _hosts[key] = ParseHost(settings)
    return host


def _serve(settings: Settings, connection: Connection, parents_end: Connection, parent: int) -> None:
    """In the host: load the pipeline, then parse each batch sent until the parent hangs up or
    is gone."""
    parents_end.close()  # this copy open, the parent's going would not end the pipe
    # Ctrl-C reaches the whole process group: the parent stops the host. Its SIGTERM unwinds the
    # loop below, whose `finally` kills the processes parsing for it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
    from pipeline.entities import Extractor
    from pipeline.findings import findings, text_length

    try:
        extractor = Extractor.from_settings(settings)
        failed: Exception | None = None
        # pyarrow's first table in a process imports pandas where it is installed (~0.3 s): here,
        # once, rather than in each process forked for a part.
        findings([], {})
    except Exception as exc:  # sent with every batch, so the parent reports it where it parses
        failed = exc
    workers = Workers(
        lambda part: findings(extractor.analyse(part), dict(part)),
        settings.nlp_processes,
        RECYCLE_CHARS,
        weight=text_length,
    )
    # Batches in the order received, each a job or the error that stopped it; answered in that
    # order. A batch is taken while the last one's final parts still run, so no worker waits.
    batches: deque[Job | Exception] = deque()
    try:
        while os.getppid() == parent:
            if connection in workers.wait([connection], POLL_SECONDS):
                try:
                    items = connection.recv()
                except (EOFError, OSError):
                    return
                batches.append(_job(workers, items, settings, failed))
            while batches and (isinstance(batches[0], Exception) or batches[0].finished):
                try:
                    connection.send(_reply(batches.popleft()))
                except (BrokenPipeError, OSError):
                    return
    finally:
        workers.close()


def _job(
    workers: Workers, items: list[tuple[str, str]], settings: Settings, failed: Exception | None
) -> Job | Exception:
    """The batch's parts queued, or why it cannot be parsed."""
    from pipeline.findings import text_length

    if failed is not None:
        return failed
    try:
        parts = split(items, part_count(sum(map(text_length, items)), settings.nlp_processes), text_length)
        return workers.submit(parts, settings.nlp_timeout_seconds)
    except Exception as exc:
        return exc


def _reply(batch: Job | Exception) -> tuple[bool, Any]:
    """What the parent gets for a batch: (True, its findings) or (False, the error)."""
    from pipeline.findings import concat

    try:
        if isinstance(batch, Exception):
            raise batch
        return True, concat(batch.outcome())
    except Exception as exc:
        return False, _sendable(exc)


def part_count(characters: int, processes: int) -> int:
    """Parts for a batch of `characters`: each of at most PART_CHARS, and a multiple of the
    processes, so every worker gets as much of the batch (three parts on two workers would
    leave one idle for the last third)."""
    rounds = max(1, -(-characters // (processes * PART_CHARS)))
    return processes * rounds


def _sendable(error: Exception) -> Exception:
    """The error itself if it can be pickled, else its one line in a `PartFailed`."""
    try:
        pickle.loads(pickle.dumps(error))
    except Exception:
        return PartFailed(f"{type(error).__name__}: {error}")
    return error
