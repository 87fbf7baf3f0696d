"""Per-article summaries of the mentions (migration 0005), kept true by whoever writes mentions
or verdicts.

An article's summaries depend on its own mentions (as the analysts' verdicts have them, migration
0010) and row alone, so replacing them is local: delete the article ids just written, insert what
the migration's macros compute from the rows just written. The per-day totals take the
difference. Callers run this inside the transaction that writes the mentions or verdicts, so
readers never see the two disagree."""

from __future__ import annotations

import duckdb

# Sum old rows negated with new rows, then fold into entity_days; a day and entity left with no
# article goes.
_DAY_CHANGES = """
    MERGE INTO entity_days d
    USING (
        SELECT day, label, norm, any_value(entity_id) AS entity_id,
               sum(mentions) AS mentions, sum(articles) AS articles
        FROM (
            SELECT day, label, norm, entity_id, -mentions AS mentions, -articles AS articles
            FROM entity_day_rows('batch_old_stats')
            UNION ALL
            SELECT * FROM entity_day_rows('batch_new_stats')
        )
        GROUP BY day, label, norm
    ) c ON d.day = c.day AND d.label = c.label AND d.norm = c.norm
    WHEN MATCHED AND d.articles + c.articles = 0 THEN DELETE
    WHEN MATCHED THEN UPDATE SET mentions = d.mentions + c.mentions, articles = d.articles + c.articles
    WHEN NOT MATCHED THEN INSERT VALUES (c.day, c.label, c.norm, c.entity_id, c.mentions, c.articles)
"""


def replace_aggregates(con: duckdb.DuckDBPyConnection, ids: str, mentions: str) -> None:
    """Swap the summaries of the articles listed in view `ids` (column article_id) for those of
    their mentions in view `mentions`; call inside the transaction that wrote those mentions."""
    wanted = f"article_id IN (SELECT article_id FROM {ids})"
    con.execute(f"CREATE OR REPLACE TEMP TABLE batch_old_stats AS FROM article_entity_stats WHERE {wanted}")
    con.execute(f"CREATE OR REPLACE TEMP TABLE batch_new_stats AS FROM article_entity_rows('{mentions}')")
    con.execute(_DAY_CHANGES)
    con.execute(f"DELETE FROM article_entity_stats WHERE {wanted}")
    con.execute("INSERT INTO article_entity_stats FROM batch_new_stats")
    con.execute(f"DELETE FROM article_person_roles WHERE {wanted}")
    con.execute(f"INSERT INTO article_person_roles FROM article_role_rows('{mentions}')")
    con.execute("DROP TABLE batch_old_stats")
    con.execute("DROP TABLE batch_new_stats")


def rebuild_aggregates(con: duckdb.DuckDBPyConnection) -> None:
    """Recompute every summary from the mentions as judged, for data written around the loader.

    Rows go in by day, as the loader's batches mostly arrive: the zone maps of each row group
    then let a query for a few days skip the rest of the table."""
    for table in ("article_entity_stats", "entity_days", "article_person_roles"):
        con.execute(f"DELETE FROM {table}")
    con.execute(
        "INSERT INTO article_entity_stats FROM article_entity_rows('mentions_reviewed')"
        " ORDER BY day, article_key"
    )
    con.execute("INSERT INTO entity_days FROM entity_day_rows('article_entity_stats')")
    con.execute("INSERT INTO article_person_roles FROM article_role_rows('mentions_reviewed')")
