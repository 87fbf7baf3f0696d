"""The reprocess flow: re-run entity extraction over stored text when the models changed."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from flows.artifacts import Progress, publish_change_report
from flows.ingest import batches
from flows.lifecycle import new_run_id, tracked_run
from pipeline.entities import Extractor
from pipeline.reprocess import ChangeReport, reparse
from pipeline.settings import Settings, load_settings
from warehouse import db, load
from warehouse.event_verdicts import unmatched_event_verdicts
from warehouse.review import article_mentions, article_texts, stale_articles, stored_versions
from warehouse.verdicts import unmatched_count


@dataclass
class ReprocessSummary:
    run_id: str
    pipeline_version: str
    previous_versions: list[str] = field(default_factory=list)
    articles: int = 0
    mentions: int = 0
    unmatched_verdicts: int = 0  # analysts' verdicts that found no mention afterwards
    unmatched_event_verdicts: int = 0  # and those that found no weapon event
    report: ChangeReport = field(default_factory=ChangeReport)


@task(name="re-extract", cache_policy=NO_CACHE, retries=1)
def reextract(
    settings: Settings, run_id: str, version: str, article_ids: Sequence[str]
) -> tuple[ChangeReport, int]:
    """New mentions and weapon events for a batch of stored articles, swapped in one transaction;
    what changed."""
    with db.connect(settings.db_path, read_only=True) as con:
        texts = article_texts(con, article_ids)
        before = article_mentions(con, article_ids)
    extractor = Extractor.from_settings(settings)
    report, found = reparse(extractor, texts, before, settings.nlp_processes, settings.nlp_timeout_seconds)
    ids = [article_id for article_id, _ in texts]
    with db.open_warehouse(settings.db_path) as con:
        written = load.replace_mentions(
            con, run_id, version, ids, found.mentions, settings.models_path, found.events
        )
    return report, written


@flow(name="newsint-reprocess", log_prints=False, flow_run_name=new_run_id)
def reprocess(
    config: str | None = None, db_path: str | None = None, everything: bool = False
) -> ReprocessSummary:
    """Re-find people, countries and weapons in stored articles that an older pipeline version read."""
    logger = get_run_logger()
    started = time.monotonic()
    settings = load_settings(config, db_path=Path(db_path) if db_path else None)
    with tracked_run(settings, "reprocess") as run:
        summary = ReprocessSummary(run.run_id, run.pipeline_version)
        with db.connect(settings.db_path, read_only=True) as con:
            todo = stale_articles(con, summary.pipeline_version, everything)
            summary.previous_versions = stored_versions(con, todo)
        logger.info("%d articles to re-run with pipeline %s", len(todo), summary.pipeline_version)

        progress = Progress("newsint-reprocess-progress", len(todo))
        for batch in batches(todo, settings.batch_size):
            report, written = reextract(settings, summary.run_id, summary.pipeline_version, batch)
            summary.report.merge(report)
            summary.mentions += written
            run.mentions = summary.mentions
            run.articles_changed = summary.report.articles_changed
            progress.advance(len(batch))
        summary.articles = summary.report.articles
        with db.connect(settings.db_path, read_only=True) as con:
            summary.unmatched_verdicts = unmatched_count(con)
            summary.unmatched_event_verdicts = len(unmatched_event_verdicts(con))

    publish_change_report(
        summary.report,
        summary.previous_versions,
        summary.pipeline_version,
        summary.unmatched_verdicts,
        summary.unmatched_event_verdicts,
    )
    logger.info(
        "reprocess %s: %d articles, %d with changes, in %.1f s",
        summary.run_id,
        summary.articles,
        summary.report.articles_changed,
        time.monotonic() - started,
    )
    return summary
