"""Feeds and their entries: what polling found, conditional-GET validators and feed health."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import duckdb

from pipeline.records import FeedEntry, FeedResult
from pipeline.settings import Source
from warehouse.db import dedupe_rows, now, stage_rows, transaction
from warehouse.events import record_feed_polls


@dataclass(frozen=True)
class FeedPolicy:
    """How long a failing feed waits before its next poll (seconds), and when it is paused."""

    backoff_seconds: float
    backoff_max_seconds: float
    pause_after: int
    pause_seconds: float


def feed_validators(
    con: duckdb.DuckDBPyConnection,
) -> dict[str, tuple[str | None, str | None, str | None]]:
    """Feed URL -> (etag, last_modified, content_hash) from the last successful poll."""
    rows = con.execute("SELECT feed_url, etag, last_modified, content_hash FROM feeds").fetchall()
    return {row[0]: (row[1], row[2], row[3]) for row in rows}


def record_polls(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    sources: Sequence[tuple[Source, str]],
    results: Sequence[FeedResult],
) -> int:
    """Store feed health and validators and every new entry; returns how many entries were new."""
    at = now()
    groups = {url: source for source, url in sources}
    feeds = [
        {
            "feed_url": r.feed_url,
            "name": r.name,
            "source_group": groups[r.feed_url].group,
            "etag": r.etag,
            "last_modified": r.last_modified,
            "content_hash": r.content_hash,
            "last_polled_at": at,
            "last_status": r.status,
            "last_error": r.error,
            "failed": int(r.status == "error"),
        }
        for r in results
    ]
    entries = dedupe_rows(
        [_entry_row(e, at, run_id) for r in results for e in r.entries], ("article_id", "feed_url")
    )
    with transaction(con):
        stage_rows(con, "new_feeds", _FEED_COLUMNS, feeds)
        con.execute("""
            INSERT INTO feeds (feed_url, name, source_group, etag, last_modified, content_hash,
                last_polled_at, last_status, last_error, consecutive_failures)
            SELECT feed_url, name, source_group, etag, last_modified, content_hash,
                last_polled_at, last_status, last_error, failed FROM new_feeds
            ON CONFLICT (feed_url) DO UPDATE SET
                name = excluded.name,
                source_group = excluded.source_group,
                etag = CASE WHEN excluded.last_status = 'ok' THEN excluded.etag ELSE feeds.etag END,
                last_modified = CASE WHEN excluded.last_status = 'ok'
                    THEN excluded.last_modified ELSE feeds.last_modified END,
                content_hash = CASE WHEN excluded.last_status = 'ok'
                    THEN excluded.content_hash ELSE feeds.content_hash END,
                last_polled_at = excluded.last_polled_at,
                last_status = excluded.last_status,
                last_error = excluded.last_error,
                consecutive_failures = CASE WHEN excluded.last_status = 'error'
                    THEN feeds.consecutive_failures + 1 ELSE 0 END
        """)
        before = _count(con, "entries")
        stage_rows(con, "new_entries", _ENTRY_COLUMNS, entries)
        con.execute("INSERT INTO entries SELECT * FROM new_entries ON CONFLICT DO NOTHING")
        added = _count(con, "entries") - before
        record_feed_polls(con, run_id, results)
    return added


def feeds_on_hold(con: duckdb.DuckDBPyConnection, at: datetime) -> dict[str, str]:
    """Feed URL -> why it is not polled now (backing off after failures, or paused)."""
    rows = con.execute(
        "SELECT feed_url, next_poll_at, consecutive_failures, paused_reason FROM feeds"
        " WHERE next_poll_at > ?",
        [at],
    ).fetchall()
    return {
        url: (f"paused ({reason})" if reason else f"backing off after {failures} failed polls")
        + f"; next poll after {until.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC"
        for url, until, failures, reason in rows
    }


def schedule_feeds(con: duckdb.DuckDBPyConnection, results: Sequence[FeedResult], policy: FeedPolicy) -> None:
    """After a poll: a failing feed waits base * 2^(n-1) seconds (capped); a gone feed, or one
    failing `pause_after` times in a row, is paused for `pause_seconds`; a success clears both."""
    polled = [{"feed_url": r.feed_url, "gone": r.http_status in (404, 410)} for r in results]
    stage_rows(con, "polled_feeds", {"feed_url": "TEXT", "gone": "BOOLEAN"}, polled)
    con.execute(
        """
        UPDATE feeds SET
            next_poll_at = CASE
                WHEN consecutive_failures = 0 THEN NULL
                WHEN p.gone OR consecutive_failures >= $pause_after
                    THEN last_polled_at + to_microseconds(CAST($pause * 1e6 AS BIGINT))
                ELSE last_polled_at + to_microseconds(CAST(
                    least($base * pow(2, consecutive_failures - 1), $most) * 1e6 AS BIGINT))
            END,
            paused_reason = CASE
                WHEN consecutive_failures = 0 THEN NULL
                WHEN p.gone THEN 'gone: ' || last_error
                WHEN consecutive_failures >= $pause_after
                    THEN consecutive_failures || ' failed polls in a row, last: ' || last_error
            END
        FROM polled_feeds p WHERE feeds.feed_url = p.feed_url
    """,
        {
            "pause_after": policy.pause_after,
            "pause": policy.pause_seconds,
            "base": policy.backoff_seconds,
            "most": policy.backoff_max_seconds,
        },
    )


def pending_entries(con: duckdb.DuckDBPyConnection, max_attempts: int) -> list[FeedEntry]:
    """Entries still without an article, unless they failed permanently or too often."""
    rows = con.execute(
        """
        WITH failures AS (
            SELECT article_id, count(*) AS attempts, bool_or(status = 'gone') AS gone
            FROM fetch_events
            WHERE stage <> 'feed' AND status IN ('error', 'gone') AND article_id IS NOT NULL
            GROUP BY article_id
        )
        SELECT e.article_id, arg_min(e.url, e.first_seen_at), arg_min(e.feed_url, e.first_seen_at),
               arg_min(e.title, e.first_seen_at), min(e.published_at)
        FROM entries e
        LEFT JOIN articles a USING (article_id)
        LEFT JOIN failures f USING (article_id)
        WHERE a.article_id IS NULL AND coalesce(f.attempts, 0) < ? AND NOT coalesce(f.gone, false)
        GROUP BY e.article_id
        ORDER BY min(e.first_seen_at), e.article_id
    """,
        [max_attempts],
    ).fetchall()
    return [FeedEntry(r[0], r[1], r[2], r[3], r[4], None, None) for r in rows]


def _count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    ((count,),) = con.execute(f"SELECT count(*) FROM {table}").fetchall()
    return int(count)


def _entry_row(entry: FeedEntry, at: datetime, run_id: str) -> dict[str, Any]:
    return {
        "article_id": entry.article_id,
        "feed_url": entry.feed_url,
        "url": entry.url,
        "title": entry.title,
        "published_at": entry.published_at,
        "first_seen_at": at,
        "first_run_id": run_id,
    }


_FEED_COLUMNS = {
    "feed_url": "TEXT",
    "name": "TEXT",
    "source_group": "TEXT",
    "etag": "TEXT",
    "last_modified": "TEXT",
    "content_hash": "TEXT",
    "last_polled_at": "TIMESTAMPTZ",
    "last_status": "TEXT",
    "last_error": "TEXT",
    "failed": "INTEGER",
}
_ENTRY_COLUMNS = {
    "article_id": "TEXT",
    "feed_url": "TEXT",
    "url": "TEXT",
    "title": "TEXT",
    "published_at": "TIMESTAMPTZ",
    "first_seen_at": "TIMESTAMPTZ",
    "first_run_id": "TEXT",
}
