"""The analysts' views on the sample warehouse, and migrating an older file on open."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from warehouse.db import MIGRATIONS, connect, open_warehouse
from warehouse.queries import open_reader


def _rows(db: Path, sql: str) -> list[tuple[Any, ...]]:
    with open_reader(db) as con:
        return con.execute(sql).fetchall()


def test_an_older_file_is_migrated_when_opened_for_reading(tmp_path: Path) -> None:
    path = tmp_path / "old.duckdb"
    first = MIGRATIONS / "0001_init.sql"
    with connect(path) as con:
        con.execute(
            "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT, applied_at TIMESTAMPTZ)"
        )
        con.execute(first.read_text(encoding="utf-8"))
        con.execute("INSERT INTO schema_migrations VALUES (1, '0001_init.sql', now())")
        con.execute(
            "INSERT INTO articles (article_id, url, title, status, text, content_hash, extraction,"
            " fetched_at, run_id)"
            " VALUES ('a', 'https://x.example/a', 'T', 'ok', 'Japan.', 'h', 't', now(), 'r')"
        )
    versions = _rows(path, "SELECT version FROM schema_migrations ORDER BY version")
    assert [v for (v,) in versions][:2] == [1, 2]
    assert _rows(path, "SELECT count(*) FROM article_entities") == [(0,)]
    assert _rows(path, "SELECT count(*) FROM articles") == [(1,)]


def test_missing_file_is_an_error_not_a_new_database(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError), open_reader(tmp_path / "none.duckdb"):
        pass
    assert not (tmp_path / "none.duckdb").exists()


@pytest.mark.model
def test_article_entities_tells_about_from_mentioned(sample_db: Path) -> None:
    rows = {
        (title.split()[0], norm): about
        for title, norm, about in _rows(
            sample_db, "SELECT title, norm, is_about FROM article_entities WHERE label <> 'PERSON'"
        )
    }
    # Headlines: "Poland takes delivery ... from South Korea", "Washington moves Ukraine ...".
    assert rows[("Poland", "POL")] and rows[("Poland", "KOR")]
    assert rows[("Washington", "UKR")] and rows[("Washington", "USA")]
    # One "Turkish Bayraktar TB2 drones" late in the Polish story; "Britain and France" at the end of
    # the shells story.
    assert not rows[("Poland", "TUR")]
    assert not rows[("Europe", "GBR")]
    # Named in the lede and often, though not in the headline: Germany in the shells story.
    assert rows[("Europe", "DEU")]
    # One row per article and entity.
    assert _rows(
        sample_db,
        "SELECT count(*) FROM (SELECT article_id, label, norm FROM article_entities"
        " GROUP BY ALL HAVING count(*) > 1)",
    ) == [(0,)]


@pytest.mark.model
def test_daily_mentions_add_up_to_the_mentions(sample_db: Path) -> None:
    assert _rows(sample_db, "SELECT sum(mentions) FROM daily_mentions") == _rows(
        sample_db, "SELECT count(*) FROM mentions WHERE norm IS NOT NULL"
    )
    ((poland,),) = _rows(
        sample_db, "SELECT sum(articles) FROM daily_mentions WHERE norm = 'POL' AND day = '2024-03-05'"
    )
    assert poland == 1


@pytest.mark.model
def test_co_mentions_by_sentence_and_article(sample_db: Path) -> None:
    pairs = {
        (title.split()[0], pair, left, right): sentences
        for title, pair, left, right, sentences in _rows(
            sample_db,
            "SELECT a.title, c.pair, c.left_norm, c.right_norm, c.sentences"
            " FROM co_mentions c JOIN articles a USING (article_id)",
        )
    }
    # "... has taken delivery of Turkish Bayraktar TB2 drones": same sentence.
    assert pairs[("Poland", "COUNTRY×WEAPON", "TUR", "Bayraktar TB2")] == 1
    # Turkey and the K9 howitzers share the article but no sentence.
    assert pairs[("Poland", "COUNTRY×WEAPON", "TUR", "K9 Thunder")] == 0
    # "Polish Defence Minister Władysław Kosiniak-Kamysz said ...".
    assert pairs[("Poland", "PERSON×COUNTRY", "Władysław Kosiniak-Kamysz", "POL")] >= 1


@pytest.mark.model
def test_person_roles(sample_db: Path) -> None:
    roles = {
        person: (role, country, first, last)
        for person, role, country, first, last in _rows(
            sample_db, "SELECT person, role, country, first_seen, last_seen FROM person_roles"
        )
    }
    # "US Secretary of Defense Lloyd Austin" on 12 Jan (Red Sea) through 20 Jun (Patriot deliveries).
    assert roles["Lloyd Austin"] == ("Secretary of Defense", "USA", date(2024, 1, 12), date(2024, 6, 20))
    assert roles["Olaf Scholz"] == ("Chancellor", "DEU", date(2024, 2, 13), date(2024, 2, 13))


def test_views_are_documented_in_sql(tmp_path: Path) -> None:
    with open_warehouse(tmp_path / "w.duckdb") as con:
        comments = dict(
            con.execute("SELECT view_name, comment FROM duckdb_views() WHERE NOT internal").fetchall()
        )
    assert set(comments) >= {"article_entities", "daily_mentions", "co_mentions", "person_roles"}
    assert all(comments[v] for v in ("article_entities", "daily_mentions", "co_mentions", "person_roles"))


def test_sources_count_what_each_feed_brought(sample_db: Path) -> None:
    rows = _rows(sample_db, "SELECT name, entries_seen, articles_loaded FROM sources ORDER BY name")
    by_name = {name: (seen, loaded) for name, seen, loaded in rows}
    assert len(by_name) == 3
    # Defence Wire lists 5 items, Security Monitor 4 (one shared with Defence Wire), Regional Briefs 2.
    assert by_name["defence-wire"] == (5, 5)
    assert by_name["security-monitor"] == (4, 4)
    assert by_name["regional-briefs"] == (2, 2)
    events = _rows(sample_db, "SELECT count(*) FROM fetch_events WHERE stage = 'page' AND status = 'ok'")
    assert events == [(10,)]  # every page fetched once, successes recorded too
