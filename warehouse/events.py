"""What goes into fetch_events: every feed poll and page fetch, with its outcome."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import duckdb

from pipeline.records import Article, Failure, FeedResult
from warehouse.db import now, stage_rows


def insert_events(con: duckdb.DuckDBPyConnection, run_id: str, rows: list[dict[str, Any]]) -> None:
    """Append events stamped with the run and the time (other columns NULL when not given), in the
    caller's transaction."""
    if rows:
        at = now()
        stamped = [{"run_id": run_id, "occurred_at": at, **row} for row in rows]
        stage_rows(con, "new_fetch_events", EVENT_COLUMNS, stamped)
        con.execute("INSERT INTO fetch_events SELECT * FROM new_fetch_events")


def record_feed_polls(con: duckdb.DuckDBPyConnection, run_id: str, results: Sequence[FeedResult]) -> None:
    """Every poll, whatever its outcome: ok, not_modified or error."""
    rows = [
        {
            "stage": "feed",
            "url": r.feed_url,
            "status": r.status,
            "http_status": r.http_status,
            "error": r.error or _skipped(r.skipped_entries),
            "bytes": r.bytes,
            "elapsed_ms": r.elapsed_ms,
        }
        for r in results
    ]
    insert_events(con, run_id, rows)


def _skipped(count: int) -> str | None:
    """A readable feed whose items without a usable link were left out says so on its poll."""
    return f"{count} items skipped: no usable link" if count else None


def record_held(con: duckdb.DuckDBPyConnection, run_id: str, held: dict[str, str]) -> None:
    """One fetch_events row per feed not polled this run, so a paused feed shows up in reports."""
    rows = [{"stage": "feed", "url": url, "status": "held", "error": why} for url, why in held.items()]
    insert_events(con, run_id, rows)


def record_failures(con: duckdb.DuckDBPyConnection, run_id: str, failures: Iterable[Failure]) -> None:
    """A page that could not be fetched or extracted; 'gone' when asking again cannot help."""
    rows = [
        {
            "stage": f.stage,
            "url": f.url,
            "article_id": f.article_id,
            "status": "gone" if f.permanent else "error",
            "http_status": f.http_status,
            "error": f.reason,
            "bytes": f.bytes,
            "elapsed_ms": f.elapsed_ms,
        }
        for f in failures
    ]
    insert_events(con, run_id, rows)


def record_fetches(con: duckdb.DuckDBPyConnection, run_id: str, articles: Sequence[Article]) -> None:
    """A page fetch that gave an article is an event too: status, bytes and time, for analysts."""
    rows = [
        {
            "stage": "page",
            "url": a.url,
            "article_id": a.article_id,
            "status": "ok",
            "http_status": a.http_status,
            "bytes": a.bytes,
            "elapsed_ms": a.elapsed_ms,
        }
        for a in articles
    ]
    insert_events(con, run_id, rows)


EVENT_COLUMNS = {
    "run_id": "TEXT",
    "occurred_at": "TIMESTAMPTZ",
    "stage": "TEXT",
    "url": "TEXT",
    "article_id": "TEXT",
    "status": "TEXT",
    "http_status": "INTEGER",
    "error": "TEXT",
    "bytes": "BIGINT",
    "elapsed_ms": "INTEGER",
}
