"""The backfill flow: URLs, sitemaps or saved files -> the ingest flow's fetch, entity and load tasks."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from flows.artifacts import Progress, publish_review, publish_run_summary
from flows.ingest import NETWORK_TASK_TIMEOUT, batches, fetch, find_entities, store
from flows.lifecycle import new_run_id, tracked_run
from flows.runners import find_in_batches
from flows.summary import RunSummary
from pipeline.articles import ExtractionError
from pipeline.backfill import SitemapError, folder_items, read_url_list, sitemap_locations, text_article
from pipeline.backfill import url_entries as entries_for
from pipeline.fetch import Fetcher
from pipeline.records import Article, Failure
from pipeline.settings import Settings, load_settings
from pipeline.urls import article_id
from warehouse import db
from warehouse.queries import top_entities
from warehouse.review import mentions_per_label

MAX_SITEMAP_DEPTH = 3  # an index of indexes of sitemaps is as deep as sites go


@task(
    name="read-sitemaps",
    cache_policy=NO_CACHE,
    retries=1,
    retry_delay_seconds=5,
    timeout_seconds=NETWORK_TASK_TIMEOUT,
)
def read_sitemaps(settings: Settings, sitemaps: list[str]) -> tuple[list[str], list[tuple[str, str]]]:
    """Page URLs listed by sitemaps and the indexes they nest in; unreadable ones with reasons."""
    pages: list[str] = []
    errors: list[tuple[str, str]] = []
    seen: set[str] = set()
    queue = sitemaps
    with Fetcher(settings) as fetcher:
        for _ in range(MAX_SITEMAP_DEPTH):
            seen.update(queue)
            nested: list[str] = []
            for url, response in zip(queue, fetcher.get_many((u, None, None) for u in queue), strict=True):
                if not response.ok:
                    errors.append((url, response.error or f"HTTP {response.status}"))
                    continue
                try:
                    found, more = sitemap_locations(response.body)
                except SitemapError as exc:
                    errors.append((url, str(exc)))
                    continue
                pages += found
                nested += [m for m in more if m not in seen]
            queue = nested
            if not queue:
                break
    return pages, errors


@task(name="read-text-files", cache_policy=NO_CACHE)
def read_texts(settings: Settings, paths: Sequence[Path]) -> tuple[list[Article], list[Failure]]:
    """Plain-text files as articles: there is nothing to fetch or extract. An unreadable file is a
    failure recorded with its reason; the others load."""
    articles: list[Article] = []
    failures: list[Failure] = []
    for path in paths:
        try:
            articles.append(text_article(path, settings.languages))
        except (ExtractionError, OSError) as exc:
            url = path.resolve().as_uri()
            failures.append(Failure(url, article_id(url), "extract", str(exc), permanent=True))
    return articles, failures


@flow(name="newsint-backfill", log_prints=False, flow_run_name=new_run_id)
def backfill(
    urls: list[str] | None = None,
    url_file: str | None = None,
    sitemaps: list[str] | None = None,
    folder: str | None = None,
    config: str | None = None,
    db_path: str | None = None,
) -> RunSummary:
    """Ingest past articles from URLs, sitemaps or a folder of saved pages and text files."""
    logger = get_run_logger()
    started = time.monotonic()
    settings = load_settings(config, db_path=Path(db_path) if db_path else None)
    with tracked_run(settings, "backfill") as summary:
        page_urls = list(urls or []) + (read_url_list(Path(url_file)) if url_file else [])
        if sitemaps:
            found, errors = read_sitemaps(settings, [_as_url(s) for s in sitemaps])
            page_urls += found
            summary.failed_feeds += errors
            for url, reason in errors:
                logger.warning("sitemap %s not read: %s", url, reason)
        entries = entries_for(page_urls, "backfill")
        texts: list[Path] = []
        if folder:
            pages, texts = folder_items(Path(folder))
            entries += pages

        progress = Progress("newsint-backfill-progress", len(entries) + len(texts))
        for batch in batches(entries, settings.batch_size):
            articles, failures = fetch(settings, batch).take()
            _load(settings, summary, articles, failures)
            progress.advance(len(batch))
        for paths in batches(texts, settings.batch_size):
            _load(settings, summary, *read_texts(settings, paths))
            progress.advance(len(paths))

    summary.duration_seconds = time.monotonic() - started
    with db.connect(settings.db_path, read_only=True) as con:
        top = top_entities(con, per_label=3)
        summary.mentions_per_label = mentions_per_label(con, summary.run_id)
    publish_run_summary(summary, top, key="newsint-backfill-summary")
    publish_review(settings.db_path, summary.fresh_articles, "newsint-backfill", settings.models_path)
    logger.info("backfill %s: %s", summary.run_id, summary.counts())
    return summary


def _load(settings: Settings, summary: RunSummary, articles: list[Article], failures: list[Failure]) -> None:
    ((articles, failures, found),) = find_in_batches(None, settings, find_entities, [(articles, failures)])
    stats = store(settings, summary.run_id, summary.pipeline_version, articles, found, failures)
    summary.add_batch(stats.new, stats.changed, stats.unchanged, len(failures), stats.mentions, stats.events)
    summary.fresh_articles += stats.fresh
    for failure in failures:
        get_run_logger().warning("article %s not loaded: %s", failure.url, failure.reason)


def _as_url(location: str) -> str:
    """A sitemap given as a local path becomes a file:// URL the fetcher reads."""
    return location if "://" in location else Path(location).resolve().as_uri()
