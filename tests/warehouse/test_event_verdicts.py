"""Verdicts on weapon events change the data: the event views and named queries count the events
as judged, through a reload that moves them; queues, unmatched verdicts and precision per type."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pytest

from pipeline.event_verdicts import EventKind, EventQueue, EventVerdict
from tests.warehouse.weapon_stories import EUROPE, HWASONG, LAUNCH, STORIES, Story, load
from warehouse.db import open_warehouse
from warehouse.event_verdicts import (
    check_event_verdicts,
    event_precision_estimates,
    record_event_verdicts,
    review_event_queue,
    unmatched_event_verdicts,
)
from warehouse.queries import open_reader, run_named


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "w.duckdb"
    load(path, STORIES)
    return path


def _rows(db: Path, sql: str) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


def _named(db: Path, name: str, **params: str) -> list[dict[str, Any]]:
    with open_reader(db) as con:
        answer = run_named(con, name, params)
    return [dict(zip(answer.columns, row, strict=True)) for row in answer.rows]


def _item(db: Path, article_id: str, weapon_text: str) -> str:
    ((item_id,),) = _rows(
        db, f"SELECT item_id FROM events WHERE article_id = '{article_id}' AND weapon_text = '{weapon_text}'"
    )
    return str(item_id)


def _judge(
    db: Path,
    item_id: str,
    kind: EventKind,
    correction: str | None = None,
    queue: EventQueue = "low_confidence",
) -> int:
    with open_warehouse(db) as con:
        return record_event_verdicts(con, [EventVerdict(item_id, kind, correction, "ana", queue)])


def _transfers(db: Path) -> set[tuple[Any, ...]]:
    return {r[:3] for r in _rows(db, "SELECT supplier, recipient, weapon FROM arms_transfers")}


def _tests(db: Path) -> set[tuple[Any, ...]]:
    return {r for r in _rows(db, "SELECT country, weapon FROM weapon_tests")}


def test_not_an_event_leaves_the_views_and_named_queries(db: Path) -> None:
    assert ("DEU", "UKR", "Leopard 2") in _transfers(db)
    assert [r["weapon"] for r in _named(db, "transfers_to_country", country="Ukraine")] == ["Leopard 2"]
    assert _judge(db, _item(db, "t3", "Leopard 2"), "not_event") == 1
    assert ("DEU", "UKR", "Leopard 2") not in _transfers(db)
    assert _named(db, "transfers_to_country", country="Ukraine") == []
    # Kept in the table, dropped from what counts.
    assert _rows(db, "SELECT count(*) FROM events WHERE weapon_text = 'Leopard 2'") == [(1,)]
    assert _rows(db, "SELECT count(*) FROM events_reviewed WHERE weapon_text = 'Leopard 2'") == [(0,)]


def test_a_wrong_type_counts_the_event_as_the_right_one(db: Path) -> None:
    assert ("PRK", "Hwasong-18") in _tests(db)
    assert "Hwasong-18" in {r["weapon"] for r in _named(db, "country_tests", country="North Korea")}
    assert _judge(db, _item(db, "k3", "Hwasong-18"), "wrong_type", "development") == 1
    assert ("PRK", "Hwasong-18") not in _tests(db)
    assert "Hwasong-18" not in {r["weapon"] for r in _named(db, "country_tests", country="North Korea")}
    assert _rows(db, "SELECT developed FROM weapon_activity WHERE weapon = 'Hwasong-18'") == [(1,)]


def test_wrong_roles_move_the_event_to_the_right_countries(db: Path) -> None:
    before = {r["country"] for r in _named(db, "system_operators", weapon="Patriot")}
    assert "USA" in before and "DEU" not in before
    assert _judge(db, _patriot_deployment(db), "wrong_roles", "deu > pol") == 1
    after = {r["country"]: r for r in _named(db, "system_operators", weapon="Patriot")}
    assert "USA" not in after and after["DEU"]["deployed"] == 1
    hosted = _rows(db, "SELECT country, hosted FROM weapon_activity WHERE weapon = 'Patriot' AND hosted > 0")
    assert hosted == [("POL", 1)]


def _patriot_deployment(db: Path) -> str:
    ((item_id,),) = _rows(db, "SELECT item_id FROM events WHERE article_id = 'd1' AND type = 'deployment'")
    return str(item_id)


def test_a_wrong_status_counts_a_planned_test_as_done(db: Path) -> None:
    assert ("PRK", "engine") not in _tests(db)
    assert _judge(db, _item(db, "k3", "solid-fuel engine"), "wrong_status", "completed") == 1
    assert ("PRK", "engine") in _tests(db)


def test_verdicts_hold_when_the_article_is_reloaded_with_its_events_moved(db: Path) -> None:
    _judge(db, _item(db, "t3", "Leopard 2"), "not_event")
    _judge(db, _item(db, "k3", "Hwasong-18"), "wrong_type", "development")
    moved_europe = Story(EUROPE.article_id, EUROPE.day, ("Ministers met in Brussels.", *EUROPE.sentences))
    moved_europe = moved_europe.event(1, "acquisition", "Apache", ("POL",), (), "completed", 96).event(
        2, "transfer", "Leopard 2", ("DEU",), ("UKR",), "completed", 18
    )
    # An edit more than 32 characters after Hwasong-18 leaves its anchor alone.
    edited = Story(HWASONG.article_id, HWASONG.day, HWASONG.sentences[:2])
    edited = edited.event(0, "test", "Hwasong-18", ("PRK",)).event(1, "test", "solid-fuel engine", ("PRK",))
    load(db, [moved_europe, edited, LAUNCH], run_id="r2")
    offsets = _rows(db, "SELECT weapon_start FROM events WHERE weapon_text = 'Leopard 2'")
    assert offsets != [(EUROPE.said[1].weapon_start,)]  # the event did move
    assert ("DEU", "UKR", "Leopard 2") not in _transfers(db)
    assert ("PRK", "Hwasong-18") not in _tests(db)
    with duckdb.connect(str(db), read_only=True) as con:
        assert unmatched_event_verdicts(con) == []


def test_a_verdict_whose_event_is_gone_is_reported_unmatched(db: Path) -> None:
    _judge(db, _item(db, "k1", "cruise missiles"), "wrong_status", "claimed")
    gone = Story(LAUNCH.article_id, LAUNCH.day, ("North Korea fired two cruise missiles on Sunday.",))
    load(db, [gone.event(0, "use", "cruise missiles", ("PRK",))], run_id="r2")
    with duckdb.connect(str(db), read_only=True) as con:
        unmatched = unmatched_event_verdicts(con)
    assert [(u.article_id, u.type, u.weapon_text, u.verdict) for u in unmatched] == [
        ("k1", "test", "cruise missiles", "wrong_status")
    ]


def test_verdicts_that_cannot_hold_are_refused_with_the_reason(db: Path) -> None:
    leopard, patriot = _item(db, "t3", "Leopard 2"), _patriot_deployment(db)
    asked = [
        EventVerdict("0" * 16, "correct", None, "ana", "sample"),
        EventVerdict(leopard, "wrong_type", "transfer", "ana", "sample"),
        EventVerdict(leopard, "wrong_type", "sale", "ana", "sample"),
        EventVerdict(leopard, "wrong_status", "completed", "ana", "sample"),
        EventVerdict(patriot, "wrong_roles", "USA > POL", "ana", "sample"),
        EventVerdict(patriot, "wrong_roles", "Poland", "ana", "sample"),
        EventVerdict(patriot, "not_event", "because", "ana", "sample"),
    ]
    with open_warehouse(db) as con:
        problems = [e.problem for e in check_event_verdicts(con, asked)]
        assert record_event_verdicts(con, asked) == 0
    assert len(problems) == len(asked)
    assert "no current event" in problems[0]
    assert "already" in problems[1] and "already" in problems[3] and "already" in problems[4]
    assert "transfer" in problems[2] and "actors > counterparts" in problems[5]
    assert "takes no correction" in problems[6]
    assert _rows(db, "SELECT count(*) FROM event_verdicts") == [(0,)]


def test_the_event_queue_keeps_its_sample_apart_and_skips_judged_events(db: Path) -> None:
    with open_warehouse(db) as con:
        first = review_event_queue(con, low=3, sample=4, seed=7)
        again = review_event_queue(con, low=3, sample=4, seed=7)
    assert first == again
    assert [i.queue for i in first] == ["low_confidence"] * 3 + ["sample"] * 4
    assert len({i.item_id for i in first}) == 7
    for item in first:  # the weapon is marked where the sentence has it
        assert item.sentence[item.weapon_start : item.weapon_end] == item.weapon_text
    sampled = [i for i in first if i.queue == "sample"]
    verdicts = [
        EventVerdict(sampled[0].item_id, "correct", None, "ana", "sample"),
        EventVerdict(sampled[1].item_id, "correct", None, "ana", "sample"),
        EventVerdict(sampled[2].item_id, "not_event", None, "ana", "sample"),
        EventVerdict(first[0].item_id, "not_event", None, "ana", "low_confidence"),
    ]
    with open_warehouse(db) as con:
        assert record_event_verdicts(con, verdicts) == 4
        later = review_event_queue(con, low=50, sample=0, seed=7)
        estimates = event_precision_estimates(con)
    judged = {v.item_id for v in verdicts}
    assert judged.isdisjoint(i.item_id for i in later)
    assert len(later) == sum(len(s.said) for s in STORIES) - len(judged)
    # Precision from the sample alone, per type as extracted.
    expected: dict[str, list[int]] = {}
    for item, verdict in zip(sampled[:3], verdicts, strict=False):
        counts = expected.setdefault(item.type, [0, 0])
        counts[0] += 1
        counts[1] += verdict.verdict == "correct"
    assert {e.key: [e.n, e.correct] for e in estimates} == expected
    assert all(0.0 <= e.low <= e.estimate <= e.high <= 1.0 for e in estimates)
