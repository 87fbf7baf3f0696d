"""Where the NLP stage runs: in processes forked from the flow's (the default), or on a Dask cluster.

Dask is imported only when `nlp_cluster` is set, so the default path loads no Dask code and starts
no scheduler. On a cluster, several batches are parsed on the workers at once; their mentions come
back to the flow in batch order, where the one DuckDB writer loads them batch by batch.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from functools import partial
from itertools import chain
from typing import TYPE_CHECKING, TypeAlias

from prefect import Task, get_run_logger
from prefect.futures import PrefectFuture

from flows.handed import Handed
from pipeline import parse_host
from pipeline.errors import one_line
from pipeline.records import Article, Failure
from pipeline.settings import ConfigError, Settings

if TYPE_CHECKING:
    from prefect_dask import DaskTaskRunner

    from pipeline.findings import Findings

    Found: TypeAlias = Findings  # a batch's mentions and weapon events

Fetched = tuple[list[Article], list[Failure]]


def nlp_runner(settings: Settings) -> DaskTaskRunner | None:
    """The Dask task runner `nlp_cluster` asks for, or None to parse in the flow's process.

    Made before any work, so a missing `dask` extra stops the run at once; the cluster starts (or
    is connected to) only when the first batch is submitted, so a run with nothing new starts none.
    """
    if settings.nlp_cluster is None:
        return None
    try:
        from prefect_dask import DaskTaskRunner
    except ImportError as exc:
        raise ConfigError("nlp_cluster needs the dask extra: pip install -e '.[dask]'") from exc
    if settings.nlp_cluster != "local":
        return DaskTaskRunner(address=settings.nlp_cluster)
    # spaCy is CPU-bound and one loaded pipeline must not parse in two threads at once (its memory
    # zones cannot nest): one single-threaded process per worker.
    return DaskTaskRunner(
        cluster_class="distributed.LocalCluster",
        cluster_kwargs={
            "n_workers": settings.nlp_cluster_workers,
            "threads_per_worker": 1,
            "processes": True,
            "dashboard_address": None,
        },
    )


def find_in_batches(
    runner: DaskTaskRunner | None,
    settings: Settings,
    find: Task[[Settings, Sequence[Article]], Handed[Found]],
    fetched: Iterable[Fetched],
) -> Iterator[tuple[list[Article], list[Failure], Found]]:
    """Each fetched batch with the mentions `find` returns for it, in the order fetched.

    With one NLP process and no runner, `find` runs in the flow's process, one batch after
    another. With several processes, `find` is submitted to the flow's own thread pool, where it
    waits on the processes parsing its batch: meanwhile this thread fetches the next batch and
    loads the last one, so the flow's process is busy while the cores parse. With a parsing host
    (`pipeline.parse_host`), the next batch is submitted as soon as it is fetched, so the host
    starts on it while the last one's final parts still run. With a runner, up to
    one batch per worker is in flight; each worker loads the spaCy pipeline once (a per-process
    cache) and keeps it for every batch.
    Each call of `find` is bounded by `nlp_timeout_seconds`; a batch that fails or runs over is
    parsed again article by article.
    """
    if runner is None and settings.nlp_processes > 1:
        # Not Prefect's timeout, which cannot stop a task in a thread: the forked processes
        # keep to nlp_timeout_seconds themselves. Without a host, one batch at a time: its
        # processes fill the cores.
        slots = 1 if parse_host.hosted(settings) else 0
        yield from _in_flight(find, settings, fetched, partial(find.submit, settings), slots)
        return
    find = find.with_options(timeout_seconds=settings.nlp_timeout_seconds)
    if runner is None:
        for articles, failures in fetched:
            yield _parsed(find, settings, articles, failures, partial(find, settings, articles))
        return
    batches = iter(fetched)
    first = next(batches, None)
    if first is None:
        return  # nothing new: no cluster to start
    # Dask workers are daemon processes, which may not start processes of their own.
    on_worker = settings.model_copy(update={"nlp_processes": 1})
    with runner:
        yield from _in_flight(
            find,
            settings,
            chain([first], batches),
            lambda articles: runner.submit(find, {"settings": on_worker, "articles": articles}),
            _worker_slots(runner),
        )


def _in_flight(
    find: Task[[Settings, Sequence[Article]], Handed[Found]],
    settings: Settings,
    fetched: Iterable[Fetched],
    submit: Callable[[list[Article]], PrefectFuture[Handed[Found]]],
    slots: int,
) -> Iterator[tuple[list[Article], list[Failure], Found]]:
    """Batches submitted as they are fetched, handed on in order; `slots` more are submitted while
    the oldest is awaited (none: each is parsed before the next is fetched)."""
    pending: deque[tuple[list[Article], list[Failure], PrefectFuture[Handed[Found]]]] = deque()
    for articles, failures in fetched:
        pending.append((articles, failures, submit(articles)))
        if len(pending) > slots:
            yield _collected(find, settings, pending.popleft())
    while pending:
        yield _collected(find, settings, pending.popleft())


def _collected(
    find: Task[[Settings, Sequence[Article]], Handed[Found]],
    settings: Settings,
    submitted: tuple[list[Article], list[Failure], PrefectFuture[Handed[Found]]],
) -> tuple[list[Article], list[Failure], Found]:
    """A submitted batch once its mentions are back."""
    articles, failures, future = submitted
    return _parsed(find, settings, articles, failures, future.result)


def _parsed(
    find: Task[[Settings, Sequence[Article]], Handed[Found]],
    settings: Settings,
    articles: list[Article],
    failures: list[Failure],
    result: Callable[[], Handed[Found]],
) -> tuple[list[Article], list[Failure], Found]:
    """A batch with its mentions (`result`); if the batch failed, parsed again one by one."""
    try:
        return articles, failures, result().take()
    except Exception as exc:
        return one_by_one(find, settings, articles, failures, exc)


def one_by_one(
    find: Task[[Settings, Sequence[Article]], Handed[Found]],
    settings: Settings,
    articles: list[Article],
    failures: list[Failure],
    error: Exception,
) -> tuple[list[Article], list[Failure], Found]:
    """After a batch failed (a crash, the task's timeout), each article alone: one page the
    parser cannot take must not hold back the rest. It is stored with status `entities_failed`
    and no mentions, its reason recorded once, so no later run tries it again; the others load."""
    from pipeline.findings import concat

    log = get_run_logger()
    log.warning(
        "find-entities failed on %d articles (%s): parsing them one by one", len(articles), one_line(error)
    )
    kept: list[Article] = []
    tables: list[Found] = []
    failures = list(failures)
    for article in articles:
        try:
            tables.append(find(settings, [article]).take())
        except Exception as exc:
            reason = f"entities not found: {one_line(exc)}"
            kept.append(replace(article, status="entities_failed"))
            failures.append(Failure(article.url, article.article_id, "entities", reason, permanent=True))
        else:
            kept.append(article)
    if tables:
        return kept, failures, concat(tables)
    # Not one article parsed: asking for none tells a broken pipeline (a missing model raises
    # again, the run fails and its entries stay pending) from articles that each fail alone.
    return kept, failures, find(settings, []).take()


def _worker_slots(runner: DaskTaskRunner) -> int:
    """How many batches the cluster parses at once; refuses workers with several threads."""
    threads = runner.client.nthreads()
    if any(count > 1 for count in threads.values()):
        raise ConfigError(
            f"nlp_cluster {runner.address}: workers run {sorted(set(threads.values()))} threads;"
            " start them with one thread each (dask worker --nthreads 1), as spaCy's pipeline is"
            " shared by the threads of a process"
        )
    return max(len(threads), 1)
