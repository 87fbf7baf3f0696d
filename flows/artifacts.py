"""What an analyst sees of a run in the Prefect UI, under keys that keep each artifact's history."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from prefect.artifacts import (
    create_markdown_artifact,
    create_progress_artifact,
    create_table_artifact,
    update_progress_artifact,
)

from flows.summary import RunSummary
from pipeline.evidence import evidence_pages
from pipeline.norms.countries import display_names
from pipeline.reprocess import ChangeReport, report_markdown
from pipeline.review import table_rows
from warehouse import db
from warehouse.review import review_articles


def publish_run_summary(
    summary: RunSummary, top: Sequence[tuple[str, str, int]], key: str = "newsint-run-summary"
) -> None:
    """A table of what the run did, why feeds failed, and the most mentioned entities."""
    rows: list[dict[str, str | int | float]] = [
        {"measure": name, "value": value} for name, value in summary.counts().items()
    ]
    rows += [{"measure": f"mentions {label}", "value": n} for label, n in summary.mentions_per_label.items()]
    rows.append({"measure": "duration (s)", "value": round(summary.duration_seconds, 1)})
    rows += [{"measure": f"failed feed {url}", "value": reason} for url, reason in summary.failed_feeds]
    rows += [{"measure": f"top {label.lower()}", "value": f"{name} ({n})"} for label, name, n in top]
    create_table_artifact(
        rows, key=key, description=f"newsint run {summary.run_id}: feeds, articles and mentions"
    )


# A run's review in the UI shows this many articles at most; the warehouse holds every one. Loading
# a 20,000-article backfill's mentions to build one table would make memory grow with the run.
REVIEW_ARTICLES = 1000
# The most one evidence page takes as a JSON string. The server puts a keyed artifact's data in the
# event it emits for the artifact's collection, and refuses events over 1.5 MB
# (PREFECT_SERVER_EVENTS_MAXIMUM_SIZE_BYTES, "Refusing to publish event"); Prefect Cloud refuses
# request bodies over 5 MiB. A megabyte leaves room for the event around it and renders quickly.
EVIDENCE_PAGE_BYTES = 1_000_000


def publish_review(db_path: Path, article_ids: Sequence[str], prefix: str, models: Path) -> None:
    """The new and changed articles as a table, and the evidence for every mention in them, in as
    many pages as its size needs: `<prefix>-evidence`, then `<prefix>-evidence-2`, ...

    A run with none publishes nothing: the latest review under these keys stays the last run's
    that had something to review, instead of an empty table.
    """
    shown = article_ids[:REVIEW_ARTICLES]
    if not shown:
        return
    with db.connect(db_path, read_only=True) as con:
        articles = review_articles(con, shown)
    names = display_names(models / "countries")
    more = f" (the first {len(shown):,} of {len(article_ids):,})" if len(shown) < len(article_ids) else ""
    create_table_artifact(
        table_rows(articles, names),
        key=f"{prefix}-articles",
        description=f"New or changed articles{more}: people, countries and weapons found in each",
    )
    pages = evidence_pages(articles, f"{prefix}-evidence", EVIDENCE_PAGE_BYTES, names)
    for n, (key, markdown) in enumerate(pages, start=1):
        create_markdown_artifact(
            markdown,
            key=key,
            description=f"Per article, what it names and the sentences naming it (page {n} of {len(pages)})",
        )


def publish_change_report(
    report: ChangeReport,
    old_versions: Sequence[str],
    new_version: str,
    unmatched_verdicts: int = 0,
    unmatched_event_verdicts: int = 0,
) -> None:
    """Per label, mentions added, removed and changed norm, with examples: review before trusting."""
    create_markdown_artifact(
        report_markdown(report, old_versions, new_version, unmatched_verdicts, unmatched_event_verdicts),
        key="newsint-reprocess-changes",
        description=f"What re-running pipeline {new_version} changed",
    )


class Progress:
    """A progress artifact a run moves forward batch by batch."""

    def __init__(self, key: str, total: int) -> None:
        self.total = total
        self.done = 0
        self.artifact_id = create_progress_artifact(
            100.0 if total == 0 else 0.0, key=key, description=f"0 of {total} articles"
        )

    def advance(self, count: int) -> None:
        self.done += count
        share = 100.0 * self.done / self.total if self.total else 100.0
        update_progress_artifact(
            self.artifact_id, min(share, 100.0), description=f"{self.done} of {self.total} articles"
        )
