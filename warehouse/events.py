"""What goes into fetch_events: every feed poll and page fetch, with its outcome."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

import duckdb
import pyarrow as pa

from pipeline.records import Article, Failure, FeedResult
from warehouse.db import ARROW_TIMESTAMP, now


def insert_events(con: duckdb.DuckDBPyConnection, rows: list[dict[str, Any]]) -> None:
    """Append event rows (missing columns are NULL) in the caller's transaction."""
    if rows:
        con.register("new_fetch_events", pa.Table.from_pylist(rows, schema=EVENT_SCHEMA))
        con.execute("INSERT INTO fetch_events SELECT * FROM new_fetch_events")


def record_held(con: duckdb.DuckDBPyConnection, run_id: str, held: dict[str, str]) -> None:
    """One fetch_events row per feed not polled this run, so a paused feed shows up in reports."""
    at = now()
    rows = [
        {"run_id": run_id, "occurred_at": at, "stage": "feed", "url": url, "status": "held", "error": why}
        for url, why in held.items()
    ]
    insert_events(con, rows)


def record_failures(con: duckdb.DuckDBPyConnection, run_id: str, failures: Iterable[Failure]) -> None:
    at = now()
    rows = [
        {
            "run_id": run_id,
            "occurred_at": at,
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
    insert_events(con, rows)


def record_fetches(con: duckdb.DuckDBPyConnection, run_id: str, articles: Sequence[Article]) -> None:
    """A page fetch that gave an article is an event too: status, bytes and time, for analysts."""
    at = now()
    rows = [
        {
            "run_id": run_id,
            "occurred_at": at,
            "stage": "page",
            "url": a.url,
            "article_id": a.article_id,
            "status": "ok",
            "http_status": a.http_status,
            "error": None,
            "bytes": a.bytes,
            "elapsed_ms": a.elapsed_ms,
        }
        for a in articles
    ]
    insert_events(con, rows)


def poll_event(result: FeedResult, run_id: str, at: datetime) -> dict[str, Any]:
    return {
        "run_id": run_id,
        "occurred_at": at,
        "stage": "feed",
        "url": result.feed_url,
        "article_id": None,
        "status": result.status,
        "http_status": result.http_status,
        "error": result.error,
        "bytes": result.bytes,
        "elapsed_ms": result.elapsed_ms,
    }


EVENT_SCHEMA = pa.schema(
    [
        ("run_id", pa.string()),
        ("occurred_at", ARROW_TIMESTAMP),
        ("stage", pa.string()),
        ("url", pa.string()),
        ("article_id", pa.string()),
        ("status", pa.string()),
        ("http_status", pa.int32()),
        ("error", pa.string()),
        ("bytes", pa.int64()),
        ("elapsed_ms", pa.int32()),
    ]
)
