"""The per-article summaries the loader keeps (migration 0005) always equal a recomputation
from the mentions, through loads, reloads and reprocessing, and give what the original
views computed from the mentions directly."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from pipeline.mention_table import mention_table
from pipeline.records import Article, Mention
from warehouse.aggregates import rebuild_aggregates
from warehouse.db import open_warehouse, transaction
from warehouse.load import load_batch, replace_mentions

DAY = datetime(2024, 3, 1, 12, tzinfo=UTC)
COUNTRIES = ["UKR", "RUS", "POL", "USA"]
WEAPONS = ["drone", "tank", "MIM-104 Patriot"]

# The co-mentions as migration 0002 computed them, straight from the mentions.
CO_MENTIONS_FROM_MENTIONS = """
    SELECT x.article_id, x.label, x.norm, y.label, y.norm,
           count(DISTINCT x.sentence_start) FILTER (WHERE x.sentence_start = y.sentence_start)
    FROM mentions x
    JOIN mentions y ON x.article_id = y.article_id
        AND (x.label, y.label) IN (('COUNTRY', 'WEAPON'), ('PERSON', 'COUNTRY'), ('PERSON', 'WEAPON'))
    WHERE x.norm IS NOT NULL AND y.norm IS NOT NULL
    GROUP BY ALL ORDER BY ALL
"""
CO_MENTIONS = """
    SELECT article_id, left_label, left_norm, right_label, right_norm, sentences
    FROM co_mentions ORDER BY ALL
"""


def _article(n: int, text: str = "text") -> Article:
    at = DAY + timedelta(days=n % 3)
    return Article(
        f"a{n}", f"https://news.example/{n}", f"Drone strikes on UKR {n}", None, at, "feed",
        "News", "en", text, f"hash-{text}", "test", "ok", at,
    )  # fmt: skip


def _mentions(n: int, count: int, sentences: int, seed: int = 0) -> list[Mention]:
    """`count` mentions of mixed labels spread over `sentences` sentences of article n."""
    out = []
    for i in range(count):
        k = i + seed
        label = ("COUNTRY", "WEAPON", "PERSON")[k % 3]
        norm = {"COUNTRY": COUNTRIES[k % 4], "WEAPON": WEAPONS[k % 3], "PERSON": f"Person {k % 5}"}[label]
        attrs = {"role": "minister", "role_country": COUNTRIES[k % 4]} if label == "PERSON" and k % 2 else {}
        sentence = (i * sentences // count) * 40
        out.append(
            Mention(f"a{n}", sentence + 3, sentence + 9, norm, label, norm, "gazetteer", "name", 0.9,
                    "A sentence.", sentence, attrs)
        )  # fmt: skip
    return out


def _summaries(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple[Any, ...]]]:
    """Every summary row, article_key aside (a fresh number at each recomputation)."""
    return {
        "stats": con.execute(
            "SELECT * EXCLUDE (article_key) FROM article_entity_stats ORDER BY ALL"
        ).fetchall(),
        "days": con.execute("SELECT * FROM entity_days ORDER BY ALL").fetchall(),
        "roles": con.execute("SELECT * FROM article_person_roles ORDER BY ALL").fetchall(),
        "co_mentions": con.execute(CO_MENTIONS).fetchall(),
    }


def _table(mentions: dict[str, list[Mention]]) -> pa.Table:
    return mention_table(m for found in mentions.values() for m in found)


def _recomputed(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple[Any, ...]]]:
    """The summaries rebuilt from the mentions table, in a transaction rolled back afterwards."""
    con.execute("BEGIN TRANSACTION")
    try:
        rebuild_aggregates(con)
        return _summaries(con)
    finally:
        con.execute("ROLLBACK")


def test_summaries_follow_loads_reloads_and_reprocessing(tmp_path: Path) -> None:
    articles = [_article(n) for n in range(6)]
    mentions = {f"a{n}": _mentions(n, 12 + n, 4) for n in range(6)}
    with open_warehouse(tmp_path / "w.duckdb") as con:
        load_batch(con, "r1", "v1", articles, _table(mentions), [])
        loaded = _summaries(con)
        assert loaded == _recomputed(con)
        assert loaded["stats"] and loaded["days"] and loaded["roles"] and loaded["co_mentions"]

        load_batch(con, "r2", "v1", articles[:3], _table({k: mentions[k] for k in ("a0", "a1", "a2")}), [])
        assert _summaries(con) == loaded  # a reload counts nothing twice

        changed = [_article(1, "new text")]
        load_batch(con, "r3", "v1", changed, mention_table(_mentions(1, 5, 2, seed=1)), [])
        after_change = _summaries(con)
        assert after_change == _recomputed(con)
        assert after_change != loaded

        written = replace_mentions(con, "r4", "v2", ["a2", "a4"], mention_table(_mentions(2, 7, 3, seed=2)))
        assert written == 7
        reprocessed = _summaries(con)
        assert reprocessed == _recomputed(con)
        assert not [r for r in reprocessed["stats"] if r[0] == "a4"]
        day_totals = con.execute("SELECT sum(mentions) FROM entity_days").fetchall()
        resolved = con.execute("SELECT count(*) FROM mentions WHERE norm IS NOT NULL").fetchall()
        assert day_totals == resolved


def test_days_without_articles_leave_the_daily_totals(tmp_path: Path) -> None:
    with open_warehouse(tmp_path / "w.duckdb") as con:
        load_batch(con, "r1", "v1", [_article(0)], mention_table(_mentions(0, 6, 2)), [])
        replace_mentions(con, "r2", "v2", ["a0"], mention_table([]))
        rows = con.execute("SELECT count(*) FROM entity_days").fetchall()
    assert rows == [(0,)]


def test_shared_sentences_match_the_mentions_past_64_sentences(tmp_path: Path) -> None:
    """Masks hold 64 sentences and lists the rest; together they must count what the mentions do."""
    articles = [_article(0), _article(1), _article(2)]
    mentions = {
        "a0": _mentions(0, 300, 150),  # every entity past the 64th sentence
        "a1": _mentions(1, 300, 150, seed=1)[:150] + _mentions(1, 30, 10, seed=2),
        "a2": _mentions(2, 30, 6),
    }
    with open_warehouse(tmp_path / "w.duckdb") as con:
        load_batch(con, "r1", "v1", articles, _table(mentions), [])
        overflow = con.execute(
            "SELECT count(later_sentences), count(*) - count(later_sentences) FROM article_entity_stats"
        ).fetchall()
        ours = con.execute(CO_MENTIONS).fetchall()
        direct = con.execute(CO_MENTIONS_FROM_MENTIONS).fetchall()
    assert overflow[0][0] > 0 and overflow[0][1] > 0
    assert ours == direct
    assert any(row[-1] > 0 for row in ours) and any(row[-1] == 0 for row in ours)


def test_migration_backfills_an_existing_warehouse(tmp_path: Path) -> None:
    """A file loaded before the summaries existed gets them when migrated."""
    path = tmp_path / "w.duckdb"
    with open_warehouse(path) as con:
        load_batch(
            con,
            "r1",
            "v1",
            [_article(n) for n in range(3)],
            mention_table(m for n in range(3) for m in _mentions(n, 9, 3)),
            [],
        )
        expected = _summaries(con)
        with transaction(con):
            for table in ("article_entity_stats", "entity_days", "article_person_roles"):
                con.execute(f"DROP TABLE {table}")
            con.execute("DROP SEQUENCE article_key_seq")
            for macro in ("article_entity_rows", "entity_day_rows", "article_role_rows", "entity_pairs"):
                con.execute(f"DROP MACRO TABLE {macro}")
            for macro in ("names_in_title", "shared_sentences"):
                con.execute(f"DROP MACRO {macro}")
            con.execute("DELETE FROM schema_migrations WHERE version = 5")
    with open_warehouse(path) as con:
        assert _summaries(con) == expected
