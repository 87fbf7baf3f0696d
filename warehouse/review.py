"""Reading back what a run stored, for review artifacts and for reprocessing."""

from __future__ import annotations

import json
from collections.abc import Sequence

import duckdb

from pipeline.records import Event, Mention
from pipeline.review import ReviewArticle
from warehouse.db import stage_rows

_MENTION_COLUMNS = (
    "article_id, start_char, end_char, text, label, norm, method, kind, confidence,"
    " sentence, sentence_start, attrs"
)
# In the order of pipeline.records.Event's fields.
_EVENT_COLUMNS = (
    "article_id, start_char, end_char, sentence, type, weapon, weapon_start, weapon_end, weapon_text,"
    ' actors, counterparts, status, quantity, value_amount, value_currency, "when", negated, method, cue,'
    " confidence"
)


def _ids(con: duckdb.DuckDBPyConnection, article_ids: Sequence[str]) -> None:
    stage_rows(con, "wanted_ids", {"article_id": "TEXT"}, [{"article_id": i} for i in article_ids])


def article_mentions(con: duckdb.DuckDBPyConnection, article_ids: Sequence[str]) -> dict[str, list[Mention]]:
    """The stored mentions of each article (every id present, maybe with none), in text order."""
    _ids(con, article_ids)
    rows = con.execute(
        f"SELECT {_MENTION_COLUMNS} FROM mentions WHERE article_id IN (SELECT article_id FROM wanted_ids)"
        " ORDER BY article_id, start_char, end_char, label"
    ).fetchall()
    found: dict[str, list[Mention]] = {article_id: [] for article_id in article_ids}
    for r in rows:
        attrs = json.loads(r[11]) if r[11] else {}
        found[r[0]].append(Mention(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10], attrs))
    return found


def article_events(con: duckdb.DuckDBPyConnection, article_ids: Sequence[str]) -> dict[str, list[Event]]:
    """The stored weapon events of each article (every id present, maybe with none), as extracted,
    in text order."""
    _ids(con, article_ids)
    rows = con.execute(
        f"SELECT {_EVENT_COLUMNS} FROM events WHERE article_id IN (SELECT article_id FROM wanted_ids)"
        " ORDER BY article_id, start_char, weapon_start, type"
    ).fetchall()
    found: dict[str, list[Event]] = {article_id: [] for article_id in article_ids}
    for r in rows:
        found[r[0]].append(Event(*r[:9], tuple(r[9]), tuple(r[10]), *r[11:]))
    return found


def review_articles(con: duckdb.DuckDBPyConnection, article_ids: Sequence[str]) -> list[ReviewArticle]:
    """Articles with their mentions and weapon events, in the order given."""
    events = article_events(con, article_ids)
    mentions = article_mentions(con, article_ids)
    rows = con.execute(
        "SELECT article_id, url, title, site, published_at FROM articles"
        " WHERE article_id IN (SELECT article_id FROM wanted_ids)"
    ).fetchall()
    by_id = {r[0]: r for r in rows}
    return [
        ReviewArticle(r[0], r[1], r[2], r[3], r[4], tuple(mentions[r[0]]), tuple(events[r[0]]))
        for r in (by_id[i] for i in article_ids if i in by_id)
    ]


def mentions_per_label(con: duckdb.DuckDBPyConnection, run_id: str) -> dict[str, int]:
    """How many mentions a run stored, per label."""
    rows = con.execute(
        "SELECT label, count(*) FROM mentions WHERE run_id = ? GROUP BY label ORDER BY label", [run_id]
    ).fetchall()
    return {str(label): int(n) for label, n in rows}


def stale_articles(con: duckdb.DuckDBPyConnection, version: str, everything: bool = False) -> list[str]:
    """English articles whose mentions another pipeline version produced (or all, if asked)."""
    rows = con.execute(
        "SELECT article_id FROM articles WHERE status = 'ok'"
        " AND (? OR pipeline_version IS DISTINCT FROM ?) ORDER BY fetched_at, article_id",
        [everything, version],
    ).fetchall()
    return [str(r[0]) for r in rows]


def stored_versions(con: duckdb.DuckDBPyConnection, article_ids: Sequence[str]) -> list[str]:
    """The pipeline versions that produced these articles' current mentions."""
    _ids(con, article_ids)
    rows = con.execute(
        "SELECT DISTINCT pipeline_version FROM articles WHERE article_id IN"
        " (SELECT article_id FROM wanted_ids) AND pipeline_version IS NOT NULL ORDER BY 1"
    ).fetchall()
    return [str(r[0]) for r in rows]


def article_texts(con: duckdb.DuckDBPyConnection, article_ids: Sequence[str]) -> list[tuple[str, str]]:
    """(id, text) of stored articles, in the order given: reprocessing needs no fetch."""
    _ids(con, article_ids)
    rows = con.execute(
        "SELECT article_id, text FROM articles WHERE article_id IN (SELECT article_id FROM wanted_ids)"
    ).fetchall()
    texts = {r[0]: r[1] for r in rows}
    return [(i, texts[i]) for i in article_ids if i in texts]
