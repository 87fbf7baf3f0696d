"""Bulk, idempotent loads of articles, mentions, weapon events and entities: Arrow tables in, one
transaction per batch, nothing added twice."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from pipeline.norms.people import known_people, merge_surname, name_key, surname_index
from pipeline.records import Article, Failure
from warehouse.aggregates import replace_aggregates
from warehouse.db import dedupe_rows, now, transaction
from warehouse.events import record_failures, record_fetches
from warehouse.identity import identity
from warehouse.weapon_events import replace_events


@dataclass(frozen=True)
class LoadStats:
    new: int
    changed: int
    unchanged: int
    mentions: int
    fresh: tuple[str, ...] = ()  # ids of the new and changed articles, for review
    events: int = 0


def load_batch(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    version: str,
    articles: Sequence[Article],
    mentions: pa.Table,
    failures: Sequence[Failure],
    models: Path,
    events: pa.Table | None = None,
) -> LoadStats:
    """Articles, their mentions (a `pipeline.mention_table` table) and weapon events (a
    `pipeline.event_table` table), each replacing what the article had, entities and failures, in
    one transaction. `events` None is no events: the batch's articles are left with none, as with
    an empty table, so an article's events never outlive the mentions they were read with.
    `models` is the folder whose known people name the people entities."""
    at = now()
    article_rows = dedupe_rows([_article_row(a, run_id, version) for a in articles], ("article_id",))
    with transaction(con):
        con.register("batch_articles", pa.Table.from_pylist(article_rows, schema=_ARTICLE_SCHEMA))
        ((new, changed, unchanged),) = con.execute("""
            SELECT count(*) FILTER (WHERE a.article_id IS NULL),
                   count(*) FILTER (WHERE a.content_hash <> b.content_hash),
                   count(*) FILTER (WHERE a.content_hash = b.content_hash)
            FROM batch_articles b LEFT JOIN articles a USING (article_id)
        """).fetchall()
        fresh = con.execute("""
            SELECT b.article_id FROM batch_articles b LEFT JOIN articles a USING (article_id)
            WHERE a.article_id IS NULL OR a.content_hash <> b.content_hash ORDER BY b.article_id
        """).fetchall()
        con.execute("INSERT OR REPLACE INTO articles SELECT * FROM batch_articles")
        _stage_mentions(con, mentions, models, "batch_articles")
        _note_entities_of(con, "batch_articles")
        con.execute("DELETE FROM mentions WHERE article_id IN (SELECT article_id FROM batch_articles)")
        con.execute(_INSERT_MENTIONS, [version, run_id])
        written = replace_events(con, "batch_articles", events, version, run_id)
        replace_aggregates(con, "batch_articles", "batch_reviewed")
        con.execute(_UPSERT_ENTITIES, [at, at])
        _forget_orphans(con)
        record_failures(con, run_id, failures)
        record_fetches(con, run_id, articles)
    return LoadStats(new, changed, unchanged, mentions.num_rows, tuple(r[0] for r in fresh), written)


def replace_mentions(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    version: str,
    article_ids: Sequence[str],
    mentions: pa.Table,
    models: Path,
    events: pa.Table | None = None,
) -> int:
    """Swap in re-extracted mentions and weapon events for these articles (every id, even one with
    none left) in one transaction, and record the version that produced them; returns the mentions
    written. `events` None is no events, as for `load_batch`: the articles are left with none.
    `models` as for `load_batch`."""
    at = now()
    with transaction(con):
        con.register("batch_ids", pa.table({"article_id": pa.array(list(article_ids), pa.string())}))
        _stage_mentions(con, mentions, models, "batch_ids")
        _note_entities_of(con, "batch_ids")
        con.execute("DELETE FROM mentions WHERE article_id IN (SELECT article_id FROM batch_ids)")
        con.execute(_INSERT_MENTIONS, [version, run_id])
        replace_events(con, "batch_ids", events, version, run_id)
        replace_aggregates(con, "batch_ids", "batch_reviewed")
        con.execute(_UPSERT_ENTITIES, [at, at])
        _forget_orphans(con)
        con.execute(
            "UPDATE articles SET pipeline_version = ? WHERE article_id IN (SELECT article_id FROM batch_ids)",
            [version],
        )
    return mentions.num_rows


def _note_entities_of(con: duckdb.DuckDBPyConnection, articles: str) -> None:
    """The entities the articles' old mentions name, before those are replaced."""
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE replaced_entities AS
        SELECT DISTINCT entity_id FROM mentions
        WHERE entity_id IS NOT NULL AND article_id IN (SELECT article_id FROM {articles})
    """)


def _forget_orphans(con: duckdb.DuckDBPyConnection) -> None:
    """Entities only the replaced mentions named ("Putin" before a new model read "Vladimir
    Putin"): no row in `entities`, or any export of it, without a mention behind it."""
    con.execute("""
        DELETE FROM entities WHERE entity_id IN (
            SELECT entity_id FROM replaced_entities
            EXCEPT
            SELECT DISTINCT entity_id FROM mentions
            WHERE entity_id IN (SELECT entity_id FROM replaced_entities)
        )
    """)


def _stage_mentions(con: duckdb.DuckDBPyConnection, table: pa.Table, models: Path, articles: str) -> None:
    """Register a batch's mentions as view `batch_rows`, with what follows from each norm (a lone
    surname's full name, entity id, display name), worked out once per distinct norm rather than
    per row; and `batch_reviewed`, the rows as the analysts' verdicts have them, which the
    summaries count. `articles` lists the batch's article ids."""
    con.register("batch_mentions", table)
    norms = con.execute(
        "SELECT DISTINCT label, norm, weapon_id FROM batch_mentions WHERE norm IS NOT NULL"
    ).fetchall()
    merges = _surname_merges(con, {norm for label, norm, _ in norms if label == "PERSON"}, models)
    identities = []
    for label, norm, weapon_id in norms:
        full = merges.get(norm) if label == "PERSON" else None
        row = (label, norm, weapon_id, full, *identity(models, label, full or norm, weapon_id))
        identities.append(dict(zip(_NORM_SCHEMA.names, row, strict=True)))
    con.register("batch_norms", pa.Table.from_pylist(identities, schema=_NORM_SCHEMA))
    con.execute(_BATCH_ROWS)
    if _judged(con, articles):
        con.execute("CREATE OR REPLACE TEMP VIEW batch_reviewed AS FROM reviewed_mentions('batch_rows')")
    else:  # the same rows, without joining every verdict to each of them
        con.execute(
            "CREATE OR REPLACE TEMP VIEW batch_reviewed AS SELECT *, NULL::TEXT AS verdict FROM batch_rows"
        )


def _judged(con: duckdb.DuckDBPyConnection, articles: str) -> bool:
    """Whether any verdict can change the batch's rows: one given on a mention of its articles
    (an anchor names its article), or any merge, which maps an entity wherever it is named."""
    ((judged,),) = con.execute(f"""
        SELECT EXISTS (SELECT 1 FROM verdicts WHERE verdict = 'merge')
            OR EXISTS (SELECT 1 FROM verdicts WHERE article_id IN (SELECT article_id FROM {articles}))
    """).fetchall()
    return bool(judged)


# A mention keeps its article's norm; a merged surname's entity norm is its person's full name.
# A view, not a table: the costly per-row work (the review item's hash, the sentence's number) came
# with the mentions, and what is left is a join to the batch's few thousand distinct norms, which
# is cheaper to repeat for each reader than to write a million rows out once.
_BATCH_ROWS = """
    CREATE OR REPLACE TEMP VIEW batch_rows AS
    SELECT m.article_id, m.start_char, m.end_char, m.text, m.label, m.norm,
           n.entity_id, m.method, m.kind,
           m.confidence, m.sentence, m.sentence_start, m.sentence_no, m.attrs,
           CASE WHEN m.norm IS NOT NULL THEN coalesce(n.full_name, m.norm) END AS entity_norm,
           m.item_id, n.entity_name
    FROM batch_mentions m
    LEFT JOIN batch_norms n
        ON n.label = m.label AND n.norm = m.norm AND n.weapon_id IS NOT DISTINCT FROM m.weapon_id
"""
_INSERT_MENTIONS = """
    INSERT INTO mentions (article_id, start_char, end_char, text, label, norm, entity_id, method, kind,
        confidence, sentence, sentence_start, sentence_no, attrs, entity_norm, item_id, pipeline_version,
        run_id)
    SELECT * EXCLUDE (entity_name), ?, ? FROM batch_rows
"""
# A new entity the gazetteers list takes their display name ("Russia", not "Russian Federation").
_UPSERT_ENTITIES = """
    INSERT INTO entities
    SELECT b.entity_id, b.label, b.norm, coalesce(g.name, b.name), b.category, b.origin, b.aliases, ?, ?
    FROM (
        SELECT entity_id, any_value(label) AS label, any_value(entity_norm) AS norm,
               any_value(entity_name) AS name,
               any_value(json_extract_string(attrs, 'category')) AS category,
               any_value(json_extract_string(attrs, 'origin')) AS origin,
               list_sort(list_distinct(list(text))) AS aliases
        FROM batch_rows WHERE entity_id IS NOT NULL GROUP BY entity_id
    ) b
    LEFT JOIN gazetteer_names g USING (entity_id)
    ON CONFLICT (entity_id) DO UPDATE SET
        aliases = list_sort(list_distinct(list_concat(entities.aliases, excluded.aliases))),
        last_seen_at = excluded.last_seen_at
"""


def _surname_merges(con: duckdb.DuckDBPyConnection, people: set[str], models: Path) -> dict[str, str]:
    """The full name each lone surname among a batch's people stands for, so the warehouse does
    not split one person in two ("Putin" and "Vladimir Putin"): the listed person when the
    gazetteer says the surname alone means them, else the one person with that surname in the
    warehouse or this batch."""
    lone = {norm for norm in people if len(name_key(norm).split()) == 1}
    if not lone:
        return {}  # no lone surname to merge: skip reading every known person
    merges = {norm: person.name for norm in lone if (person := known_people(models).lookup(norm))}
    if rest := lone - merges.keys():
        known = [row[0] for row in con.execute("SELECT norm FROM entities WHERE label = 'PERSON'").fetchall()]
        index = surname_index({*known, *people})
        merges |= {norm: full for norm in rest if (full := merge_surname(norm, index))}
    return merges


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


_TIMESTAMP = pa.timestamp("us", tz="UTC")
_ARTICLE_SCHEMA = pa.schema(
    [
        ("article_id", pa.string()),
        ("url", pa.string()),
        ("title", pa.string()),
        ("author", pa.string()),
        ("published_at", _TIMESTAMP),
        ("published_method", pa.string()),
        ("site", pa.string()),
        ("language", pa.string()),
        ("status", pa.string()),
        ("text", pa.string()),
        ("content_hash", pa.string()),
        ("extraction", pa.string()),
        ("fetched_at", _TIMESTAMP),
        ("run_id", pa.string()),
        ("pipeline_version", pa.string()),
    ]
)
_NORM_SCHEMA = pa.schema(
    [
        ("label", pa.string()),
        ("norm", pa.string()),
        ("weapon_id", pa.string()),
        ("full_name", pa.string()),
        ("entity_id", pa.string()),
        ("entity_name", pa.string()),
    ]
)
