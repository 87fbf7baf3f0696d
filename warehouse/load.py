"""Bulk, idempotent loads: Arrow tables in, one transaction per batch, nothing added twice."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import duckdb
import pyarrow as pa

from pipeline.norms.countries import country_name
from pipeline.norms.people import merge_surname, surname_index
from pipeline.records import Article, Failure, FeedEntry, FeedResult, Mention
from pipeline.settings import Source


@dataclass(frozen=True)
class LoadStats:
    new: int
    changed: int
    unchanged: int
    mentions: int


def now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class _Tx:
    con: duckdb.DuckDBPyConnection

    def __enter__(self) -> duckdb.DuckDBPyConnection:
        self.con.execute("BEGIN TRANSACTION")
        return self.con

    def __exit__(self, exc_type: object, *_: object) -> None:
        self.con.execute("ROLLBACK" if exc_type else "COMMIT")


def start_run(con: duckdb.DuckDBPyConnection, run_id: str, model: str, version: str) -> None:
    con.execute(
        "INSERT INTO runs (run_id, started_at, status, spacy_model, pipeline_version)"
        " VALUES (?, ?, 'running', ?, ?)",
        [run_id, now(), model, version],
    )


def finish_run(con: duckdb.DuckDBPyConnection, run_id: str, status: str, counts: dict[str, int]) -> None:
    columns = ", ".join(f"{name} = ?" for name in counts)
    con.execute(
        f"UPDATE runs SET finished_at = ?, status = ?, {columns} WHERE run_id = ?",
        [now(), status, *counts.values(), run_id],
    )


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
    feeds = pa.Table.from_pylist(
        [
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
        ],
        schema=_FEED_SCHEMA,
    )
    entries = pa.Table.from_pylist(
        _dedupe(
            [_entry_row(e, at, run_id) for r in results for e in r.entries],
            ("article_id", "feed_url"),
        ),
        schema=_ENTRY_SCHEMA,
    )
    events = pa.Table.from_pylist([_poll_event(r, run_id, at) for r in results], schema=_EVENT_SCHEMA)
    with _Tx(con):
        con.register("new_feeds", feeds)
        con.execute("""
            INSERT INTO feeds SELECT feed_url, name, source_group, etag, last_modified, content_hash,
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
        con.register("new_entries", entries)
        con.execute("INSERT INTO entries SELECT * FROM new_entries ON CONFLICT DO NOTHING")
        added = _count(con, "entries") - before
        con.register("new_events", events)
        con.execute("INSERT INTO fetch_events SELECT * FROM new_events")
    return added


def pending_entries(con: duckdb.DuckDBPyConnection, max_attempts: int) -> list[FeedEntry]:
    """Entries still without an article, unless they failed permanently or too often."""
    rows = con.execute(
        """
        WITH failures AS (
            SELECT article_id, count(*) AS attempts, bool_or(status = 'gone') AS gone
            FROM fetch_events WHERE stage <> 'feed' AND article_id IS NOT NULL GROUP BY article_id
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


def load_batch(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    version: str,
    articles: Sequence[Article],
    mentions: dict[str, list[Mention]],
    failures: Sequence[Failure],
) -> LoadStats:
    """Articles, their mentions (replaced whole), entities and failures, in one transaction."""
    at = now()
    article_rows = _dedupe([_article_row(a, run_id, version) for a in articles], ("article_id",))
    merged = _merge_surnames(con, [m for ms in mentions.values() for m in ms])
    mention_rows = [_mention_row(m, run_id, version) for m in merged]
    with _Tx(con):
        con.register("batch_articles", pa.Table.from_pylist(article_rows, schema=_ARTICLE_SCHEMA))
        ((new, changed, unchanged),) = con.execute("""
            SELECT count(*) FILTER (WHERE a.article_id IS NULL),
                   count(*) FILTER (WHERE a.content_hash <> b.content_hash),
                   count(*) FILTER (WHERE a.content_hash = b.content_hash)
            FROM batch_articles b LEFT JOIN articles a USING (article_id)
        """).fetchall()
        con.execute("INSERT OR REPLACE INTO articles SELECT * FROM batch_articles")
        con.register("batch_mentions", pa.Table.from_pylist(mention_rows, schema=_MENTION_SCHEMA))
        con.execute("DELETE FROM mentions WHERE article_id IN (SELECT article_id FROM batch_articles)")
        con.execute(
            "INSERT INTO mentions SELECT * EXCLUDE (entity_name, category, origin) FROM batch_mentions"
        )
        con.execute(
            """
            INSERT INTO entities
            SELECT entity_id, any_value(label), any_value(norm), any_value(entity_name),
                   any_value(category), any_value(origin), list_distinct(list(text)), ?, ?
            FROM batch_mentions WHERE entity_id IS NOT NULL GROUP BY entity_id
            ON CONFLICT (entity_id) DO UPDATE SET
                aliases = list_sort(list_distinct(list_concat(entities.aliases, excluded.aliases))),
                last_seen_at = excluded.last_seen_at
        """,
            [at, at],
        )
        record_failures(con, run_id, failures)
    return LoadStats(new, changed, unchanged, len(mention_rows))


def _merge_surnames(con: duckdb.DuckDBPyConnection, mentions: list[Mention]) -> list[Mention]:
    """A lone surname joins the one person known by that surname, in the warehouse or this batch,
    so the entities table does not split one person in two ("Biden" and "Joe Biden")."""
    known = [row[0] for row in con.execute("SELECT norm FROM entities WHERE label = 'PERSON'").fetchall()]
    index = surname_index([*known, *(m.norm for m in mentions if m.label == "PERSON" and m.norm)])
    out = []
    for m in mentions:
        full = merge_surname(m.norm, index) if m.label == "PERSON" and m.norm else None
        out.append(replace(m, norm=full, kind="surname_merge") if full else m)
    return out


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
    if rows:
        con.register("batch_failures", pa.Table.from_pylist(rows, schema=_EVENT_SCHEMA))
        con.execute("INSERT INTO fetch_events SELECT * FROM batch_failures")


def entity_id(mention: Mention) -> str | None:
    """The canonical entity a mention names; None when its norm is unresolved."""
    if not mention.norm:
        return None
    if mention.label == "WEAPON" and "weapon_id" in mention.attrs:
        return f"weapon:{mention.attrs['weapon_id']}"
    key = mention.norm if mention.label == "COUNTRY" else _slug(mention.norm)
    return f"{mention.label.lower()}:{key}"


def _slug(text: str) -> str:
    return re.sub(r"[^\w]+", "-", text.casefold()).strip("-")


def _count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    ((count,),) = con.execute(f"SELECT count(*) FROM {table}").fetchall()
    return int(count)


def _dedupe(rows: list[dict[str, Any]], key: tuple[str, ...]) -> list[dict[str, Any]]:
    """Last row wins: one statement may not carry the same key twice."""
    return list({tuple(r[k] for k in key): r for r in rows}.values())


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


def _poll_event(result: FeedResult, run_id: str, at: datetime) -> dict[str, Any]:
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


def _article_row(article: Article, run_id: str, version: str) -> dict[str, Any]:
    return {
        "article_id": article.article_id,
        "url": article.url,
        "title": article.title,
        "author": article.author,
        "published_at": article.published_at,
        "published_method": article.published_method,
        "site": article.site,
        "language": article.language,
        "status": article.status,
        "text": article.text,
        "content_hash": article.content_hash,
        "extraction": article.extraction,
        "fetched_at": article.fetched_at,
        "run_id": run_id,
        "pipeline_version": version if article.status == "ok" else None,
    }


def _mention_row(m: Mention, run_id: str, version: str) -> dict[str, Any]:
    eid = entity_id(m)
    name = country_name(m.norm) if m.label == "COUNTRY" and m.norm else m.norm
    return {
        "article_id": m.article_id,
        "start_char": m.start,
        "end_char": m.end,
        "text": m.text,
        "label": m.label,
        "norm": m.norm,
        "entity_id": eid,
        "method": m.method,
        "kind": m.kind,
        "confidence": m.confidence,
        "sentence": m.sentence,
        "sentence_start": m.sentence_start,
        "attrs": json.dumps(m.attrs) if m.attrs else None,
        "pipeline_version": version,
        "run_id": run_id,
        "entity_name": name,
        "category": m.attrs.get("category"),
        "origin": m.attrs.get("origin"),
    }


_TS = pa.timestamp("us", tz="UTC")
_FEED_SCHEMA = pa.schema(
    [
        ("feed_url", pa.string()),
        ("name", pa.string()),
        ("source_group", pa.string()),
        ("etag", pa.string()),
        ("last_modified", pa.string()),
        ("content_hash", pa.string()),
        ("last_polled_at", _TS),
        ("last_status", pa.string()),
        ("last_error", pa.string()),
        ("failed", pa.int32()),
    ]
)
_ENTRY_SCHEMA = pa.schema(
    [
        ("article_id", pa.string()),
        ("feed_url", pa.string()),
        ("url", pa.string()),
        ("title", pa.string()),
        ("published_at", _TS),
        ("first_seen_at", _TS),
        ("first_run_id", pa.string()),
    ]
)
_EVENT_SCHEMA = pa.schema(
    [
        ("run_id", pa.string()),
        ("occurred_at", _TS),
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
_ARTICLE_SCHEMA = pa.schema(
    [
        ("article_id", pa.string()),
        ("url", pa.string()),
        ("title", pa.string()),
        ("author", pa.string()),
        ("published_at", _TS),
        ("published_method", pa.string()),
        ("site", pa.string()),
        ("language", pa.string()),
        ("status", pa.string()),
        ("text", pa.string()),
        ("content_hash", pa.string()),
        ("extraction", pa.string()),
        ("fetched_at", _TS),
        ("run_id", pa.string()),
        ("pipeline_version", pa.string()),
    ]
)
_MENTION_SCHEMA = pa.schema(
    [
        ("article_id", pa.string()),
        ("start_char", pa.int32()),
        ("end_char", pa.int32()),
        ("text", pa.string()),
        ("label", pa.string()),
        ("norm", pa.string()),
        ("entity_id", pa.string()),
        ("method", pa.string()),
        ("kind", pa.string()),
        ("confidence", pa.float64()),
        ("sentence", pa.string()),
        ("sentence_start", pa.int32()),
        ("attrs", pa.string()),
        ("pipeline_version", pa.string()),
        ("run_id", pa.string()),
        ("entity_name", pa.string()),
        ("category", pa.string()),
        ("origin", pa.string()),
    ]
)
