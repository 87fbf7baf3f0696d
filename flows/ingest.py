"""The ingest flow: poll feeds -> fetch new articles -> extract -> find entities -> load."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import Executor
from contextlib import nullcontext, suppress
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from flows.artifacts import Progress, publish_review, publish_run_summary
from flows.handed import Handed
from flows.lifecycle import new_run_id, tracked_run
from flows.runners import find_in_batches, nlp_runner
from flows.summary import RunSummary
from pipeline import parse_host
from pipeline.articles import warm_up
from pipeline.crawl import extraction_pool, fetch_articles, poll_feeds
from pipeline.fetch import Fetcher
from pipeline.records import Article, Failure, FeedEntry, FeedResult
from pipeline.settings import Settings, load_settings
from warehouse import db, events, feeds
from warehouse.queries import top_entities
from warehouse.review import mentions_per_label

if TYPE_CHECKING:
    from pipeline.findings import Findings
    from warehouse.load import LoadStats

# Requests are bounded one by one (timeouts, a total deadline, retries); this bounds a whole batch.
# A batch that still hangs fails, and its entries stay pending for the next run: nothing is lost.
NETWORK_TASK_TIMEOUT = 1800
T = TypeVar("T")


@task(name="poll-feeds", cache_policy=NO_CACHE, timeout_seconds=NETWORK_TASK_TIMEOUT)
def poll(settings: Settings, run_id: str) -> list[FeedResult]:
    """Poll every configured feed not backing off or paused, and store its new entries."""
    sources = [(s, settings.source_location(s)) for s in settings.sources]
    with db.open_warehouse(settings.db_path) as con:
        validators = feeds.feed_validators(con)
        on_hold = feeds.feeds_on_hold(con, db.now())
    held = {url: why for _, url in sources if (why := on_hold.get(url))}
    due = [(s, url) for s, url in sources if url not in held]
    with Fetcher(settings) as fetcher:
        results = poll_feeds(fetcher, due, validators)
    policy = feeds.FeedPolicy(
        settings.feed_backoff_seconds,
        settings.feed_backoff_max_seconds,
        settings.feed_pause_after,
        settings.feed_pause_seconds,
    )
    with db.open_warehouse(settings.db_path) as con:
        feeds.record_polls(con, run_id, due, results)
        feeds.schedule_feeds(con, results, policy)
        events.record_held(con, run_id, held)
    for url, why in held.items():
        get_run_logger().warning("feed %s not polled: %s", url, why)
    return results


@task(name="pending-articles", cache_policy=NO_CACHE)
def pending(settings: Settings) -> list[FeedEntry]:
    """Entries still without an article: new ones, and those a previous run could not finish."""
    with db.open_warehouse(settings.db_path) as con:
        return feeds.pending_entries(con, settings.max_attempts)


@task(name="fetch-articles", cache_policy=NO_CACHE, retries=1, timeout_seconds=NETWORK_TASK_TIMEOUT)
def fetch(
    settings: Settings, entries: Sequence[FeedEntry], pool: Executor | None = None
) -> Handed[tuple[list[Article], list[Failure]]]:
    """Fetch and extract a batch of article pages (handed over in a box: see flows.handed)."""
    with Fetcher(settings) as fetcher:
        return Handed(fetch_articles(fetcher, entries, settings.languages, pool))


@task(name="find-entities", cache_policy=NO_CACHE)
def find_entities(settings: Settings, articles: Sequence[Article]) -> Handed[Findings]:
    """People, countries and weapons, and the weapon events, in a batch of English articles, as the
    tables the writer loads (in a box, see flows.handed); parsed in `nlp_processes` processes at
    once."""
    english = [(a.article_id, a.text) for a in articles if a.status == "ok"]
    host = parse_host.host_for(settings)
    if host is not None:
        return Handed(host.findings(english))
    # Imported here, not at the top: a run with nothing new to read, or whose batches a parsing
    # host parses, never loads spaCy in this process (~1 s), nor pyarrow when nothing is new.
    from pipeline.entities import Extractor
    from pipeline.findings import batch_findings

    extractor = Extractor.from_settings(settings)
    return Handed(batch_findings(extractor, english, settings.nlp_processes, settings.nlp_timeout_seconds))


@task(name="load-batch", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=2)
def store(
    settings: Settings,
    run_id: str,
    version: str,
    articles: Sequence[Article],
    found: Findings,
    failures: Sequence[Failure],
) -> LoadStats:
    """Load a batch in one transaction: articles, mentions, weapon events, entities, failures."""
    # Imported here, not at the top: a run with nothing new never needs pyarrow.
    from warehouse import load

    with db.open_warehouse(settings.db_path) as con:
        return load.load_batch(
            con, run_id, version, articles, found.mentions, failures, settings.models_path, found.events
        )


@flow(name="newsint-ingest", log_prints=False, flow_run_name=new_run_id)
def ingest(config: str | None = None, db_path: str | None = None, group: str | None = None) -> RunSummary:
    """Poll the configured feeds and load new articles' people, countries and weapons."""
    logger = get_run_logger()
    settings = load_settings(config, db_path=Path(db_path) if db_path else None)
    if group is not None:  # a scheduled deployment polls one group of sources
        settings = settings.model_copy(update={"sources": [s for s in settings.sources if s.group == group]})
    runner = nlp_runner(settings)  # None: the NLP stage runs in this process
    started = time.monotonic()
    with tracked_run(settings, "ingest") as summary:
        results = poll(settings, summary.run_id)
        summary.feeds_polled = len(results)
        summary.feeds_not_modified = sum(r.status == "not_modified" for r in results)
        summary.feeds_failed = sum(r.status == "error" for r in results)
        for failed in (r for r in results if r.status == "error"):
            logger.warning("feed %s failed: %s", failed.feed_url, failed.error)
            summary.failed_feeds.append((failed.feed_url, failed.error or "no response"))

        todo = pending(settings)
        progress = Progress("newsint-ingest-progress", len(todo))
        run_id, version = summary.run_id, summary.pipeline_version
        hosted = bool(todo) and parse_host.wanted(settings)  # wanted: no Dask runner either
        with (
            extraction_pool(settings.extract_processes if todo else 1) as pool,
            parse_host.hosting(settings) if hosted else nullcontext(),
        ):
            preload = runner is None and not hosted
            fetched = fetched_while_loading(settings, todo, preload=preload, pool=pool)
            for articles, failures, found in find_in_batches(runner, settings, find_entities, fetched):
                stats = store(settings, run_id, version, articles, found, failures)
                summary.add_batch(
                    stats.new, stats.changed, stats.unchanged, len(failures), stats.mentions, stats.events
                )
                summary.fresh_articles += stats.fresh
                for failure in failures:
                    logger.warning("article %s not loaded: %s", failure.url, failure.reason)
                progress.advance(len(articles) + len(failures))

    with db.connect(settings.db_path, read_only=True) as con:
        top = top_entities(con, per_label=3)
        summary.mentions_per_label = mentions_per_label(con, summary.run_id)
    summary.duration_seconds = time.monotonic() - started
    publish_run_summary(summary, top)
    publish_review(settings.db_path, summary.fresh_articles, "newsint-ingest", settings.models_path)
    logger.info("run %s: %s", summary.run_id, summary.counts())
    return summary


def fetched_while_loading(
    settings: Settings, todo: Sequence[FeedEntry], preload: bool, pool: Executor | None = None
) -> Iterator[tuple[list[Article], list[Failure]]]:
    """Each batch fetched and extracted, in order. With `preload`, the spaCy pipeline (cached once
    per process) loads in a thread meanwhile, so its seconds overlap the first downloads; the
    first batch is handed on only once it is loaded. Extracting in this process, trafilatura and
    the language model load in another thread beside the first downloads. Nothing to fetch:
    nothing loads.

    With a `pool`, the next batch is fetched (its pages extracted in the pool's processes) while
    the one handed on is parsed, so extraction and NLP keep the cores busy together."""
    loading = threading.Thread(target=_load_extractor, args=(settings,), daemon=True)
    if todo and preload:
        loading.start()
    if todo and pool is None:
        threading.Thread(target=warm_up, daemon=True).start()
    parts = list(run_batches(todo, settings.batch_size))
    ahead = fetch.submit(settings, parts[0], pool) if parts and pool else None
    for n, batch in enumerate(parts):
        if ahead is None:
            fetched = fetch(settings, batch, pool).take()
        else:
            fetched = ahead.result().take()
            ahead = fetch.submit(settings, parts[n + 1], pool) if n + 1 < len(parts) else None
        if loading.is_alive():
            loading.join()
        yield fetched


def _load_extractor(settings: Settings) -> None:
    # An error here (say, a model that is not installed) is raised again, and reported, where the
    # batch is parsed.
    from pipeline.entities import Extractor

    with suppress(Exception):
        Extractor.from_settings(settings)


def run_batches(todo: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    """A run's batches: a quarter batch first, so the cores start parsing once a few pages are in
    while the rest of the first full batch is fetched."""
    return batches(todo, size, first=max(size // 4, 1))


def batches(items: Sequence[T], size: int, first: int | None = None) -> Iterator[Sequence[T]]:
    """Consecutive slices of `size` items (the first of `first`, if given): a task handles a
    batch, never one article."""
    head = 0
    if first is not None and items:
        yield items[:first]
        head = first
    for start in range(head, len(items), size):
        yield items[start : start + size]
