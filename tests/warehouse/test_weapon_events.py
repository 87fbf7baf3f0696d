"""Weapon events in the warehouse: loaded and replaced with their articles' mentions, and the
analysts' views over them, on hand-written stories (tests/warehouse/weapon_stories.py)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest

from pipeline.event_table import event_table
from pipeline.mention_table import mention_table
from pipeline.settings import DEFAULT_MODELS
from tests.warehouse.weapon_stories import (
    EUROPE,
    HARPOON_DELIVERY,
    HARPOON_SALE,
    HWASONG,
    LAUNCH,
    STORIES,
    Story,
    load,
)
from warehouse.db import open_warehouse
from warehouse.load import load_batch, replace_mentions
from warehouse.review import review_articles


def _rows(db: Path, sql: str, *params: object) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, list(params)).fetchall()


def _dicts(db: Path, sql: str, *params: object) -> list[dict[str, Any]]:
    with duckdb.connect(str(db), read_only=True) as con:
        cursor = con.execute(sql, list(params))
        names = [d[0] for d in cursor.description or []]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _events(db: Path) -> list[tuple[Any, ...]]:
    return _rows(
        db, "SELECT event_id, article_id, type, weapon, status, run_id FROM events ORDER BY event_id"
    )


def test_events_load_with_their_mentions(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    stats = load(db, STORIES)
    said = [e for s in STORIES for e in s.said]
    assert stats.events == len(said)
    rows = _dicts(db, "SELECT * FROM events")
    assert len({r["event_id"] for r in rows}) == len(said)
    assert {(r["pipeline_version"], r["run_id"]) for r in rows} == {("v1", "r1")}
    sale = next(r for r in rows if r["article_id"] == "t1")
    text = HARPOON_SALE.text
    # The sentence is the evidence, and the spans point into the article's text.
    assert sale["sentence"] == text[sale["start_char"] : sale["end_char"]]
    assert text[sale["weapon_start"] : sale["weapon_end"]] == sale["weapon_text"] == "Harpoon"
    assert (sale["actors"], sale["counterparts"], sale["quantity"]) == (["USA"], ["TWN"], 60)
    assert (sale["value_amount"], sale["value_currency"]) == (1.1e9, "USD")


def test_events_and_mentions_are_written_together_or_not_at_all(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    # An event of an article the batch does not hold: the whole batch is refused.
    with open_warehouse(db) as con, pytest.raises(ValueError, match="outside the batch"):
        load_batch(
            con,
            "r1",
            "v1",
            [LAUNCH.article()],
            mention_table(LAUNCH.mentions(), {LAUNCH.article_id: LAUNCH.text}),
            [],
            DEFAULT_MODELS,
            event_table([*LAUNCH.said, *HWASONG.said]),
        )
    assert _rows(
        db, "SELECT (SELECT count(*) FROM articles), (SELECT count(*) FROM mentions), count(*) FROM events"
    ) == [(0, 0, 0)]


def test_reloading_a_batch_adds_no_event_twice(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    load(db, STORIES, "r1")
    first = _events(db)
    again = load(db, STORIES, "r2")
    second = _events(db)
    assert again.events == len(first)
    assert [r[:5] for r in second] == [r[:5] for r in first]  # the same ids: nothing added
    assert {r[5] for r in second} == {"r2"}


def test_one_event_read_twice_in_a_batch_is_kept_once(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    (sale,) = HARPOON_SALE.said
    doubled = Story(
        HARPOON_SALE.article_id,
        HARPOON_SALE.day,
        HARPOON_SALE.sentences,
        [sale, replace(sale, quantity=6, confidence=0.5)],
    )
    assert load(db, [doubled]).events == 1
    assert _rows(db, "SELECT quantity FROM events") == [(60,)]  # the more confident reading


def test_reprocessing_swaps_an_articles_events(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    load(db, STORIES)
    before = {r[0] for r in _events(db) if r[1] != "t1"}
    (sale,) = HARPOON_SALE.said
    reread = replace(sale, status="completed", quantity=50)
    with open_warehouse(db) as con:
        written = replace_mentions(
            con,
            "r2",
            "v2",
            ["t1"],
            mention_table(HARPOON_SALE.mentions(), {HARPOON_SALE.article_id: HARPOON_SALE.text}),
            DEFAULT_MODELS,
            event_table([reread]),
        )
    assert written == len(HARPOON_SALE.mentions())
    assert _rows(
        db, "SELECT status, quantity, pipeline_version, run_id FROM events WHERE article_id = 't1'"
    ) == [("completed", 50, "v2", "r2")]
    assert {r[0] for r in _events(db) if r[1] != "t1"} == before  # other articles untouched


def test_an_article_left_with_no_events_loses_its_old_ones(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    load(db, [HARPOON_DELIVERY, EUROPE])
    # A new version of the delivery story that no longer says anything about a weapon.
    edited = Story("t2", HARPOON_DELIVERY.day, ("Taiwan held elections on Saturday.",))
    stats = load(db, [edited], "r2")
    assert (stats.changed, stats.events) == (1, 0)
    assert {r[1] for r in _events(db)} == {"t3"}
    # Reprocessing with no events given (None) empties the article's events too.
    with open_warehouse(db) as con:
        replace_mentions(
            con,
            "r3",
            "v2",
            ["t3"],
            mention_table(EUROPE.mentions(), {EUROPE.article_id: EUROPE.text}),
            DEFAULT_MODELS,
        )
    assert _events(db) == []


def test_arms_transfers(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    load(db, STORIES)
    rows = {
        (r["supplier"], r["recipient"], r["weapon"]): r
        for r in _dicts(db, "SELECT * EXCLUDE (evidence) FROM arms_transfers")
    }
    # Approved on 10 Jan with quantity and value, delivered on 5 Mar: the latest status, the
    # figures the one report gave, both days, two articles.
    assert rows[("USA", "TWN", "Harpoon")] == {
        "supplier": "USA",
        "supplier_name": "United States",
        "recipient": "TWN",
        "recipient_name": "Taiwan",
        "weapon": "Harpoon",
        "quantity": 60,
        "value_amount": 1.1e9,
        "value_currency": "USD",
        "status": "completed",
        "statuses": ["approved", "completed"],
        "first_reported": date(2024, 1, 10),
        "last_reported": date(2024, 3, 5),
        "articles": 2,
        "reports": 2,
    }
    # A purchase names no supplier; a delivery names both sides.
    assert rows[(None, "POL", "AH-64 Apache")]["quantity"] == 96
    assert rows[("DEU", "UKR", "Leopard 2")]["recipient_name"] == "Ukraine"
    # Negated (F-16) and denied (Reaper) sales did not happen.
    assert set(rows) == {
        ("USA", "TWN", "Harpoon"),
        (None, "POL", "AH-64 Apache"),
        ("DEU", "UKR", "Leopard 2"),
        (None, "ROU", "Patriot"),
    }
    ((evidence,),) = _rows(db, "SELECT evidence FROM arms_transfers WHERE weapon = 'Harpoon'")
    assert evidence == HARPOON_DELIVERY.sentences[0]
    # Counting from February on leaves the delivery alone, with no figures.
    since = _dicts(
        db,
        "SELECT quantity, status, first_reported, articles FROM arms_transfer_rows(since := ?)"
        " WHERE weapon = 'Harpoon'",
        date(2024, 2, 1),
    )
    assert since == [
        {"quantity": None, "status": "completed", "first_reported": date(2024, 3, 5), "articles": 1}
    ]


def test_weapon_tests(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    load(db, STORIES)
    rows = _rows(
        db,
        "SELECT month, country, country_name, weapon, tests, reports, articles FROM weapon_tests"
        " ORDER BY month, weapon",
    )
    # Two articles on one day report one launch; the planned engine test and the negated Harpoon
    # test are not tests.
    assert rows == [
        (date(2024, 1, 1), "PRK", "North Korea", "cruise missile", 1, 2, 2),
        (date(2024, 2, 1), "PRK", "North Korea", "Hwasong-18", 1, 1, 1),
    ]


def test_weapon_activity(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    load(db, STORIES)
    counted = ("supplied", "received", "acquired", "tested", "deployed", "hosted", "used", "planned")
    rows = {
        (r["country"], r["weapon"]): {k: v for k, v in r.items() if k in counted and v}
        for r in _dicts(db, "SELECT * FROM weapon_activity")
    }
    assert rows[("USA", "Patriot")] == {"deployed": 1}
    assert rows[("POL", "Patriot")] == {"hosted": 1}
    assert rows[("UKR", "Patriot")] == {"used": 1}
    assert rows[("ROU", "Patriot")] == {"acquired": 1}
    # The approved sale is planned, the delivery took place.
    assert rows[("USA", "Harpoon")] == {"supplied": 1, "planned": 1}
    assert rows[("TWN", "Harpoon")] == {"received": 1, "planned": 1}
    assert rows[("PRK", "cruise missile")] == {"tested": 2}
    assert rows[("PRK", "engine")] == {"planned": 1}
    # What was negated or denied, and the target of a use, are no activity.
    assert not {("USA", "F-16"), ("TWN", "MQ-9 Reaper"), ("PRK", "Harpoon"), ("RUS", "Patriot")} & set(rows)


def test_event_views_are_documented_in_sql(tmp_path: Path) -> None:
    with open_warehouse(tmp_path / "w.duckdb") as con:
        views = dict(
            con.execute("SELECT view_name, comment FROM duckdb_views() WHERE NOT internal").fetchall()
        )
        (table,) = (
            con.execute("SELECT comment FROM duckdb_tables() WHERE table_name = 'events'").fetchone() or ()
        )
    assert table and "evidence" in table
    assert all(views[v] for v in ("event_reports", "arms_transfers", "weapon_tests", "weapon_activity"))


def test_the_review_reads_each_article_with_its_events_as_extracted(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    load(db, STORIES)
    with duckdb.connect(str(db), read_only=True) as con:
        articles = review_articles(con, ["t2", "k1", "none"])
    assert [a.article_id for a in articles] == ["t2", "k1"]
    # Every event, the negated and the denied ones too: the evidence says what was extracted.
    assert [a.events for a in articles] == [tuple(HARPOON_DELIVERY.said), tuple(LAUNCH.said)]
