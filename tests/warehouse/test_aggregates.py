"""The per-article summaries the loader keeps (migration 0005) always equal what the stored
mentions and articles say, worked out here in plain Python, through loads, reloads and
reprocessing; and give what the original views computed from the mentions directly."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from pipeline.mention_table import mention_table
from pipeline.records import Article, Mention
from pipeline.settings import DEFAULT_MODELS
from warehouse.aggregates import rebuild_aggregates
from warehouse.db import open_warehouse, transaction
from warehouse.load import load_batch, replace_mentions

DAY = datetime(2024, 3, 1, 12, tzinfo=UTC)
COUNTRIES = ["UKR", "RUS", "POL", "USA"]
WEAPONS = ["drone", "tank", "Patriot"]

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
    """`count` mentions of mixed labels spread over `sentences` sentences of article n, an entity
    written two ways when named often enough."""
    out = []
    for i in range(count):
        k = i + seed
        label = ("COUNTRY", "WEAPON", "PERSON")[k % 3]
        norm = {"COUNTRY": COUNTRIES[k % 4], "WEAPON": WEAPONS[k % 3], "PERSON": f"Person {k % 5}"}[label]
        attrs = {"role": "minister", "role_country": COUNTRIES[k % 4]} if label == "PERSON" and k % 2 else {}
        sentence = (i * sentences // count) * 40
        surface = norm if k % 24 < 12 else norm.lower()  # "UKR" and "ukr": only one is in the title
        out.append(
            Mention(f"a{n}", sentence + 3, sentence + 9, surface, label, norm, "gazetteer", "name", 0.9,
                    "A sentence.", sentence, attrs)
        )  # fmt: skip
    return out


Rows = dict[str, list[tuple[Any, ...]]]
PAIRS = (("COUNTRY", "WEAPON"), ("PERSON", "COUNTRY"), ("PERSON", "WEAPON"))


def _canonical(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """Rows in one order, lists as sorted tuples: a list's order is not part of its value."""
    fixed = [tuple(tuple(sorted(v)) if isinstance(v, list) else v for v in row) for row in rows]
    return sorted(fixed, key=repr)


def _summaries(con: duckdb.DuckDBPyConnection) -> Rows:
    """Every summary row, article_key aside (a fresh number at each recomputation)."""
    return {
        "stats": _canonical(
            con.execute("SELECT * EXCLUDE (article_key) FROM article_entity_stats").fetchall()
        ),
        "days": _canonical(con.execute("SELECT * FROM entity_days").fetchall()),
        "roles": _canonical(con.execute("SELECT * FROM article_person_roles").fetchall()),
        "co_mentions": _canonical(con.execute(CO_MENTIONS).fetchall()),
    }


def _in_title(title: str | None, surface: str) -> bool:
    """`surface` in `title` as a whole word, an ASCII letter or digit on neither side."""
    return (
        title is not None
        and re.search(rf"(?<![0-9A-Za-z]){re.escape(surface)}(?![0-9A-Za-z])", title) is not None
    )


def _expected(con: duckdb.DuckDBPyConnection) -> Rows:
    """The summaries as the schema's comments define them, worked out in Python from the stored
    mentions and articles; none of the warehouse's SQL macros is used."""
    articles = {
        row[0]: row[1:]
        for row in con.execute(
            "SELECT article_id, title, text, published_at, fetched_at FROM articles"
        ).fetchall()
    }
    mentions = con.execute(
        "SELECT article_id, label, norm, entity_id, start_char, text, sentence_start, attrs"
        " FROM mentions WHERE norm IS NOT NULL"
    ).fetchall()
    by_entity: dict[tuple[str, str, str], list[tuple[Any, ...]]] = defaultdict(list)
    for row in mentions:
        by_entity[row[0], row[1], row[2]].append(row)
    sentence_starts: dict[str, set[int]] = defaultdict(set)
    for article_id, start in con.execute("SELECT article_id, sentence_start FROM mentions").fetchall():
        sentence_starts[article_id].add(start)
    # A sentence's number: its place among the article's sentences that have any mention.
    numbers = {
        a: {start: n for n, start in enumerate(sorted(starts))} for a, starts in sentence_starts.items()
    }

    def day(article_id: str) -> date:
        _, _, published, fetched = articles[article_id]
        return (published or fetched).astimezone(UTC).date()

    stats = {}
    for (article_id, label, norm), rows in by_entity.items():
        title, text, published, _ = articles[article_id]
        (entity_id,) = {r[3] for r in rows}
        starts = {r[6] for r in rows}
        first = min(r[4] for r in rows)
        mask = sum(1 << numbers[article_id][s] for s in starts if numbers[article_id][s] < 64)
        later = sorted(s for s in starts if numbers[article_id][s] >= 64) or None
        in_title = any(_in_title(title, r[5]) for r in rows)
        stats[article_id, label, norm] = [
            article_id, day(article_id), label, norm, entity_id, len(rows), len(starts), mask, later,
            first, round(first / max(len(text), 1), 3), None, in_title, title, published,
        ]  # fmt: skip
    counts: dict[tuple[str, str], list[int]] = defaultdict(list)
    for (article_id, label, _), row in stats.items():
        counts[article_id, label].append(row[5])
    for (article_id, label, _), row in stats.items():  # rank by mentions; ties share the higher rank
        row[11] = 1 + sum(n > row[5] for n in counts[article_id, label])

    days: dict[tuple[date, str, str], list[Any]] = {}
    for (article_id, label, norm), rows in by_entity.items():
        total = days.setdefault((day(article_id), label, norm), [rows[0][3], 0, 0])
        total[1] += len(rows)
        total[2] += 1

    roles: dict[tuple[Any, ...], int] = defaultdict(int)
    for article_id, label, norm, *_, attrs in mentions:
        found = json.loads(attrs) if attrs else {}
        if label == "PERSON" and found.get("role") is not None:
            roles[article_id, day(article_id), norm, found["role"], found.get("role_country")] += 1

    pairs = []
    for (article_id, left, left_norm), x in by_entity.items():
        for (other, right, right_norm), y in by_entity.items():
            if other == article_id and (left, right) in PAIRS:
                shared = {r[6] for r in x} & {r[6] for r in y}
                pairs.append((article_id, left, left_norm, right, right_norm, len(shared)))
    return {
        "stats": _canonical([tuple(row) for row in stats.values()]),
        "days": _canonical([(*key, *value) for key, value in days.items()]),
        "roles": _canonical([(*key, count) for key, count in roles.items()]),
        "co_mentions": _canonical(pairs),
    }


def _table(mentions: dict[str, list[Mention]], text: str = "text") -> pa.Table:
    """The mentions of articles whose text is `text`, as the NLP stage hands them over."""
    return mention_table((m for found in mentions.values() for m in found), dict.fromkeys(mentions, text))


def _rebuilt(con: duckdb.DuckDBPyConnection) -> Rows:
    """The summaries `rebuild_aggregates` makes from the mentions table, in a transaction rolled
    back afterwards."""
    con.execute("BEGIN TRANSACTION")
    try:
        rebuild_aggregates(con)
        return _summaries(con)
    finally:
        con.execute("ROLLBACK")


def test_summaries_follow_loads_reloads_and_reprocessing(tmp_path: Path) -> None:
    articles = [_article(n) for n in range(6)]
    mentions = {f"a{n}": _mentions(n, 12 + n, 4) for n in range(6)}
    # A sentence whose only mention is unresolved still takes a number: the masks skip its bit.
    unresolved = Mention("a0", 23, 30, "Georgia", "COUNTRY", None, "gazetteer", None, 0.5, "In Georgia.", 20)
    mentions["a0"].append(unresolved)
    with open_warehouse(tmp_path / "w.duckdb") as con:
        load_batch(con, "r1", "v1", articles, _table(mentions), [], DEFAULT_MODELS)
        loaded = _summaries(con)
        assert loaded == _expected(con)
        assert loaded["stats"] and loaded["days"] and loaded["roles"] and loaded["co_mentions"]
        assert {row[12] for row in loaded["stats"]} == {True, False}  # "UKR" is in every title
        assert max(row[11] for row in loaded["stats"]) > 1  # not every entity is the most named

        load_batch(
            con,
            "r2",
            "v1",
            articles[:3],
            _table({k: mentions[k] for k in ("a0", "a1", "a2")}),
            [],
            DEFAULT_MODELS,
        )
        assert _summaries(con) == loaded  # a reload counts nothing twice

        changed = [_article(1, "new text")]
        load_batch(
            con,
            "r3",
            "v1",
            changed,
            _table({"a1": _mentions(1, 5, 2, seed=1)}, "new text"),
            [],
            DEFAULT_MODELS,
        )
        after_change = _summaries(con)
        assert after_change == _expected(con)
        assert after_change != loaded

        written = replace_mentions(
            con, "r4", "v2", ["a2", "a4"], _table({"a2": _mentions(2, 7, 3, seed=2)}), DEFAULT_MODELS
        )
        assert written == 7
        reprocessed = _summaries(con)
        assert reprocessed == _expected(con)
        assert _rebuilt(con) == reprocessed
        assert not [r for r in reprocessed["stats"] if r[0] == "a4"]
        day_totals = con.execute("SELECT sum(mentions) FROM entity_days").fetchall()
        resolved = con.execute("SELECT count(*) FROM mentions WHERE norm IS NOT NULL").fetchall()
        assert day_totals == resolved


def test_days_without_articles_leave_the_daily_totals(tmp_path: Path) -> None:
    with open_warehouse(tmp_path / "w.duckdb") as con:
        load_batch(con, "r1", "v1", [_article(0)], _table({"a0": _mentions(0, 6, 2)}), [], DEFAULT_MODELS)
        replace_mentions(con, "r2", "v2", ["a0"], _table({}), DEFAULT_MODELS)
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
        load_batch(con, "r1", "v1", articles, _table(mentions), [], DEFAULT_MODELS)
        overflow = con.execute(
            "SELECT count(later_sentences), count(*) - count(later_sentences) FROM article_entity_stats"
        ).fetchall()
        ours = con.execute(CO_MENTIONS).fetchall()
        direct = con.execute(CO_MENTIONS_FROM_MENTIONS).fetchall()
        assert _summaries(con) == _expected(con)
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
            _table({f"a{n}": _mentions(n, 9, 3) for n in range(3)}),
            [],
            DEFAULT_MODELS,
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
        assert _summaries(con) == expected == _expected(con)
