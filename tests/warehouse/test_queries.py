"""Each named query on the warehouse built from the sample, against what the sample articles say."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest

from warehouse.queries import QueryError, named_queries, open_reader, run_named

pytestmark = pytest.mark.model


def _run(db: Path, name: str, **params: str) -> list[dict[str, Any]]:
    with open_reader(db) as con:
        answer = run_named(con, name, params)
    return [dict(zip(answer.columns, row, strict=True)) for row in answer.rows]


def _raw(db: Path, sql: str, *params: object) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, list(params)).fetchall()


def test_every_shipped_query_is_covered() -> None:
    # The weapon-event queries are tested on stories of their own: test_weapon_event_queries.py.
    assert set(named_queries()) == {
        "top_countries_week",
        "weapons_with_country",
        "people_with_weapon",
        "new_entities",
        "articles_mentioning",
        "mention_trend",
        "transfers_to_country",
        "country_tests",
        "system_operators",
    }


def test_top_countries_week(sample_db: Path) -> None:
    # 10-16 Jan 2024 holds the Red Sea strikes (12th), the North Korean launch (14th) and the French
    # piece (16th, not run through the English model). Only the United States is in both English ones
    # ("US and UK strike...", "Seoul, Tokyo and Washington"), and only the first is about it (headline).
    rows = _run(sample_db, "top_countries_week", as_of="2024-01-16", days="7")
    assert (rows[0]["country"], rows[0]["name"], rows[0]["articles"], rows[0]["about"]) == (
        "USA",
        "United States",
        2,
        1,
    )
    assert all(r["articles"] == 1 for r in rows[1:])
    countries = {r["country"] for r in rows}
    assert {"GBR", "YEM", "PRK", "KOR", "JPN"} <= countries
    assert not {"UKR", "POL", "TWN", "PHL"} & countries
    about = {r["country"] for r in rows if r["about"]}
    assert {"GBR", "PRK"} <= about
    (usa_mentions,) = _raw(
        sample_db,
        "SELECT count(*) FROM mentions JOIN articles USING (article_id)"
        " WHERE norm = 'USA' AND published_at >= '2024-01-10' AND published_at < '2024-01-17'",
    )
    assert rows[0]["mentions"] == usa_mentions[0]
    # The week before has no article at all.
    assert _run(sample_db, "top_countries_week", as_of="2024-01-11") == []


def test_weapons_with_country(sample_db: Path) -> None:
    by_name = _run(sample_db, "weapons_with_country", country="Ukraine")
    assert by_name == _run(sample_db, "weapons_with_country", country="ukr")
    weapons = {r["weapon"]: r for r in by_name}
    # "Ukrainian President Volodymyr Zelensky ... needs at least seven more Patriot batteries".
    assert weapons["Patriot"]["same_sentence"] >= 1
    assert weapons["Kh-47M2 Kinzhal"]["origin"] == "RUS"
    assert "Hwasong-18" not in weapons  # the North Korean piece never names Ukraine
    # Every pair listed really shares an article in the raw mentions.
    shared = {
        row[0]
        for row in _raw(
            sample_db,
            "SELECT DISTINCT w.norm FROM mentions w JOIN mentions c USING (article_id)"
            " WHERE w.label = 'WEAPON' AND c.label = 'COUNTRY' AND c.norm = 'UKR'",
        )
    }
    assert set(weapons) == shared


def test_people_with_weapon(sample_db: Path) -> None:
    rows = {r["person"]: r for r in _run(sample_db, "people_with_weapon", weapon="Patriot")}
    assert rows == {r["person"]: r for r in _run(sample_db, "people_with_weapon", weapon="PATRIOT")}
    # Zelensky is in one article, and there in the sentence about Patriot batteries.
    assert rows["Volodymyr Zelensky"] == {
        "person": "Volodymyr Zelensky",
        "roles": "President",
        "articles": 1,
        "same_sentence": 1,
    }
    assert rows["Lloyd Austin"]["roles"] == "Secretary of Defense"
    assert "Kim Jong Un" in rows  # the launch story names Patriot batteries
    assert "Grant Shapps" not in rows  # his two articles (Red Sea, AUKUS) never name Patriot


def test_new_entities(sample_db: Path) -> None:
    # 13-14 Jan: the North Korean launch is the only article; the US was already in the 12 Jan one.
    countries = _run(sample_db, "new_entities", as_of="2024-01-14", days="2", label="country")
    norms = {r["norm"] for r in countries}
    assert {"PRK", "KOR", "JPN", "RUS"} <= norms
    assert "USA" not in norms and "GBR" not in norms
    assert {r["first_seen"] for r in countries} == {date(2024, 1, 14)}
    people = {
        r["norm"] for r in _run(sample_db, "new_entities", as_of="2024-01-14", days="2", label="PERSON")
    }
    assert {"Kim Jong Un", "Yoon Suk Yeol", "Fumio Kishida"} <= people
    assert "Lloyd Austin" not in people


def test_articles_mentioning(sample_db: Path) -> None:
    rows = _run(sample_db, "articles_mentioning", entity="United Kingdom", as_of="2024-03-31", days="90")
    assert rows == _run(sample_db, "articles_mentioning", entity="gbr", as_of="2024-03-31", days="90")
    found = [(r["day"], r["title"].split()[0], r["is_about"]) for r in rows]
    # AUKUS: "British counterparts" in the lede and five more; Europe's shells: one "Britain" near the
    # end; the Red Sea strikes: "UK" in the headline.
    assert found == [
        (date(2024, 3, 22), "AUKUS", True),
        (date(2024, 2, 13), "Europe", False),
        (date(2024, 1, 12), "US", True),
    ]


def test_mention_trend(sample_db: Path) -> None:
    rows = _run(sample_db, "mention_trend", norm="DRONE", as_of="2024-04-15", days="3")
    assert [r["day"] for r in rows] == [date(2024, 4, 13), date(2024, 4, 14), date(2024, 4, 15)]
    ((drones,),) = _raw(
        sample_db,
        "SELECT count(*) FROM mentions JOIN articles a USING (article_id)"
        " WHERE norm = 'drone' AND a.title LIKE 'Israel and allies%'",
    )
    assert drones > 0  # "Iran's drone and missile barrage"
    assert [(r["mentions"], r["articles"]) for r in rows] == [(0, 0), (drones, 1), (0, 0)]


def test_parameters_are_checked(sample_db: Path) -> None:
    with pytest.raises(QueryError, match="needs --param country"):
        _run(sample_db, "weapons_with_country")
    with pytest.raises(QueryError, match="no parameter colour"):
        _run(sample_db, "mention_trend", norm="drone", colour="red")
    with pytest.raises(QueryError, match="not a valid DATE"):
        _run(sample_db, "mention_trend", norm="drone", as_of="last week")
    with pytest.raises(QueryError, match="no query named"):
        _run(sample_db, "nope")
