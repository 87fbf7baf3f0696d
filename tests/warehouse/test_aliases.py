"""The alias view and named-query parameters as an analyst types them, on a small warehouse
loaded from hand-made mentions (no spaCy)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from newsint.cli import app
from pipeline.mention_table import mention_table
from pipeline.records import Article, Mention
from pipeline.settings import DEFAULT_MODELS
from warehouse.aliases import sync_aliases
from warehouse.db import open_warehouse
from warehouse.load import load_batch
from warehouse.queries import QueryError, open_reader, run_named

runner = CliRunner()

# Two days of news, long before today: the default window must follow the data, not the clock.
ARTICLES = {
    "a1": (datetime(2024, 2, 1, 9, tzinfo=UTC), "Russia fired Kinzhal missiles. Putin spoke."),
    "a2": (
        datetime(2024, 2, 3, 9, tzinfo=UTC),
        "Iran and PAC-3 batteries. Lloyd Austin and Jerome Austin met.",
    ),
}
MENTIONS = [
    ("a1", "Russia", "COUNTRY", "RUS", {}),
    ("a1", "Kinzhal", "WEAPON", "Kh-47M2 Kinzhal", {"weapon_id": "kh-47m2-kinzhal"}),
    ("a1", "Putin", "PERSON", "Vladimir Putin", {}),
    ("a2", "Iran", "COUNTRY", "IRN", {}),
    ("a2", "PAC-3", "WEAPON", "Patriot PAC-3", {"weapon_id": "patriot-pac-3"}),
    ("a2", "Lloyd Austin", "PERSON", "Lloyd Austin", {}),
    ("a2", "Jerome Austin", "PERSON", "Jerome Austin", {}),
]


def _article(article_id: str) -> Article:
    at, text = ARTICLES[article_id]
    url = f"https://news.example/{article_id}"
    return Article(article_id, url, "Title", None, at, "feed", "News", "en", text, text, "test", "ok", at)


def _mention(article_id: str, surface: str, label: str, norm: str, attrs: dict[str, str]) -> Mention:
    start = ARTICLES[article_id][1].index(surface)
    return Mention(
        article_id,
        start,
        start + len(surface),
        surface,
        label,
        norm,
        "gazetteer",
        "name",
        0.9,
        "S.",
        0,
        attrs,
    )


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    path = tmp_path / "w.duckdb"
    with open_warehouse(path) as con:
        assert sync_aliases(con, "v1", DEFAULT_MODELS)
        load_batch(
            con,
            "r1",
            "v1",
            articles := [_article(a) for a in ARTICLES],
            mention_table((_mention(*m) for m in MENTIONS), {a.article_id: a.text for a in articles}),
            [],
            DEFAULT_MODELS,
        )
    return path


def _aliases(path: Path, alias: str) -> list[tuple[Any, ...]]:
    with open_reader(path) as con:
        return con.execute(
            "SELECT entity_id, label, norm, seen FROM entity_aliases WHERE alias = ? ORDER BY 1", [alias]
        ).fetchall()


def test_alias_view_finds_gazetteer_and_seen_names_in_any_case(warehouse: Path) -> None:
    assert _aliases(warehouse, "pac-3") == [("weapon:patriot-pac-3", "WEAPON", "Patriot PAC-3", True)]
    # Listed in the gazetteer, never written by an article here.
    assert _aliases(warehouse, "TOMAHAWK") == [("weapon:bgm-109-tomahawk", "WEAPON", "Tomahawk", False)]
    assert _aliases(warehouse, "Iranian") == [("country:IRN", "COUNTRY", "IRN", False)]
    assert _aliases(warehouse, "turkiye") == [("country:TUR", "COUNTRY", "TUR", False)]
    assert [r[0] for r in _aliases(warehouse, "putin")] == ["person:vladimir-putin"]
    assert {r[2] for r in _aliases(warehouse, "Korea")} == {"PRK", "KOR"}


def test_sync_is_idempotent_and_follows_the_version(warehouse: Path) -> None:
    with open_warehouse(warehouse) as con:
        before = con.execute("SELECT count(*) FROM gazetteer_aliases").fetchall()
        assert not sync_aliases(con, "v1", DEFAULT_MODELS)
        assert sync_aliases(con, "v2", DEFAULT_MODELS)
        after = con.execute(
            "SELECT count(*), count(DISTINCT pipeline_version) FROM gazetteer_aliases"
        ).fetchall()
        rows = con.execute("SELECT count(*) FROM entity_aliases WHERE alias = 'Tomahawk'").fetchall()
    assert before[0][0] > 5000 and after == [(before[0][0], 1)] and rows == [(1,)]


def test_country_entities_take_their_display_names(warehouse: Path) -> None:
    with open_reader(warehouse) as con:
        names = dict(con.execute("SELECT norm, name FROM entities WHERE label = 'COUNTRY'").fetchall())
    assert names == {"RUS": "Russia", "IRN": "Iran"}


def _answer(path: Path, name: str, **params: str) -> tuple[list[dict[str, Any]], list[str]]:
    with open_reader(path) as con:
        answer = run_named(con, name, params)
    return [dict(zip(answer.columns, row, strict=True)) for row in answer.rows], answer.notes


@pytest.mark.parametrize("typed", ["Iran", "iranian", "IRN", "Islamic Republic of Iran"])
def test_a_country_parameter_takes_names_demonyms_and_codes(warehouse: Path, typed: str) -> None:
    rows, notes = _answer(warehouse, "articles_mentioning", entity=typed)
    assert [(r["norm"], r["day"]) for r in rows] == [("IRN", date(2024, 2, 3))] and notes == []


@pytest.mark.parametrize(("typed", "norm"), [("PAC-3", "Patriot PAC-3"), ("kinzhal", "Kh-47M2 Kinzhal")])
def test_a_weapon_parameter_takes_aliases(warehouse: Path, typed: str, norm: str) -> None:
    rows, _ = _answer(warehouse, "articles_mentioning", entity=typed)
    assert [r["norm"] for r in rows] == [norm]


def test_a_surname_alone_resolves_when_the_gazetteer_says_so(warehouse: Path) -> None:
    rows, _ = _answer(warehouse, "articles_mentioning", entity="Putin")
    assert [r["norm"] for r in rows] == ["Vladimir Putin"]


def test_a_shared_surname_lists_the_candidates(warehouse: Path) -> None:
    with open_reader(warehouse) as con, pytest.raises(QueryError) as error:
        run_named(con, "articles_mentioning", {"entity": "Austin"})
    assert "could mean 2 entities" in str(error.value)
    assert "Lloyd Austin (PERSON, 1 mentions)" in str(error.value) and "Jerome Austin" in str(error.value)


def test_the_default_window_ends_on_the_latest_day_in_the_data(warehouse: Path) -> None:
    rows, _ = _answer(warehouse, "mention_trend", norm="Russian", days="3")
    assert [(r["day"], r["mentions"]) for r in rows] == [
        (date(2024, 2, 1), 1),
        (date(2024, 2, 2), 0),
        (date(2024, 2, 3), 0),
    ]
    countries, _ = _answer(warehouse, "top_countries_week")
    assert {r["country"]: r["name"] for r in countries} == {"RUS": "Russia", "IRN": "Iran"}


def test_an_empty_answer_says_what_the_data_spans(warehouse: Path) -> None:
    rows, notes = _answer(warehouse, "articles_mentioning", entity="Tomahawk")
    assert rows == [] and notes == [
        "no rows: the data spans 2024-02-01 to 2024-02-03 (publication days, UTC)"
    ]


def test_an_unknown_entity_says_so_with_near_names(warehouse: Path) -> None:
    rows, notes = _answer(warehouse, "mention_trend", norm="Putn")
    assert rows == []
    assert notes[0].startswith("nothing in the warehouse is called 'Putn' (near: Vladimir Putin")
    assert notes[1].startswith("no rows: the data spans 2024-02-01")


def test_the_command_prints_notes_on_standard_error(warehouse: Path) -> None:
    args = [
        "query",
        "articles_mentioning",
        "-p",
        "entity=Tomahawk",
        "--db",
        str(warehouse),
        "--format",
        "json",
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 0 and result.stdout.strip() == "[]"
    assert "the data spans 2024-02-01 to 2024-02-03" in result.stderr
    result = runner.invoke(
        app, ["query", "articles_mentioning", "-p", "entity=Austin", "--db", str(warehouse)]
    )
    assert result.exit_code == 2 and "Lloyd Austin" in result.output
