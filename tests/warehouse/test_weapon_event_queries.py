"""The named queries over weapon events, on hand-written stories (tests/warehouse/weapon_stories.py),
through `run_named` and as an analyst types them (`newsint query`)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from newsint.cli import app
from tests.warehouse.weapon_stories import STORIES, load
from warehouse.queries import open_reader, run_named


@pytest.fixture(scope="module")
def events_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("events") / "w.duckdb"
    load(db, STORIES)
    return db


def _run(db: Path, name: str, **params: str) -> list[dict[str, Any]]:
    with open_reader(db) as con:
        answer = run_named(con, name, params)
    return [dict(zip(answer.columns, row, strict=True)) for row in answer.rows]


def test_transfers_to_country(events_db: Path) -> None:
    rows = _run(events_db, "transfers_to_country", country="Taiwan")
    assert rows == _run(events_db, "transfers_to_country", country="twn")
    # The Harpoon deal only: the F-16 sale was negated and the drone sale denied.
    assert [(r["supplier_name"], r["weapon"], r["quantity"], r["status"], r["articles"]) for r in rows] == [
        ("United States", "Harpoon", 60, "completed", 2)
    ]
    assert (rows[0]["value_amount"], rows[0]["value_currency"]) == (1.1e9, "USD")
    # Since February: the delivery report alone, which gives no figures.
    later = _run(events_db, "transfers_to_country", country="Taiwan", since="2024-02-01")
    assert [(r["quantity"], r["value_amount"], r["first_reported"]) for r in later] == [
        (None, None, date(2024, 3, 5))
    ]
    assert _run(events_db, "transfers_to_country", country="Taiwan", since="2024-03-06") == []
    # A purchase lists no supplier; a country that only supplies receives nothing.
    poland = _run(events_db, "transfers_to_country", country="Poland")
    assert [(r["supplier"], r["weapon"], r["quantity"]) for r in poland] == [(None, "AH-64 Apache", 96)]
    assert _run(events_db, "transfers_to_country", country="Germany") == []


def test_country_tests(events_db: Path) -> None:
    rows = _run(events_db, "country_tests", country="North Korea")
    assert rows == _run(events_db, "country_tests", country="PRK")
    # Newest first; the launch two articles reported on one day is one test; the planned engine
    # test and the negated Harpoon test are left out.
    assert rows == [
        {
            "weapon": "Hwasong-18",
            "tests": 1,
            "articles": 1,
            "first_reported": date(2024, 2, 2),
            "last_reported": date(2024, 2, 2),
            "months": "2024-02",
        },
        {
            "weapon": "cruise missile",
            "tests": 1,
            "articles": 2,
            "first_reported": date(2024, 1, 14),
            "last_reported": date(2024, 1, 14),
            "months": "2024-01",
        },
    ]
    assert [r["weapon"] for r in _run(events_db, "country_tests", country="PRK", since="2024-02-01")] == [
        "Hwasong-18"
    ]
    assert _run(events_db, "country_tests", country="United States") == []


def test_system_operators(events_db: Path) -> None:
    rows = _run(events_db, "system_operators", weapon="patriot")
    # Poland only hosts the American batteries: no operator.
    assert {r["country"]: (r["acquired"], r["deployed"], r["used"]) for r in rows} == {
        "USA": (0, 1, 0),
        "UKR": (0, 0, 1),
        "ROU": (1, 0, 0),
    }
    harpoon = _run(events_db, "system_operators", weapon="Harpoon")
    # Taiwan received Harpoons; the United States supplied them, which is no operating.
    assert [(r["country_name"], r["received"]) for r in harpoon] == [("Taiwan", 1)]


def test_newsint_query_runs_them(events_db: Path, tmp_path: Path) -> None:
    config = tmp_path / "newsint.toml"
    config.write_text("", encoding="utf-8")
    on = ["--db", str(events_db), "--config", str(config), "--format", "json"]
    runner = CliRunner()
    listed = runner.invoke(app, ["query"])
    assert "transfers_to_country  (country, since=1900-01-01)" in listed.output
    result = runner.invoke(app, ["query", "system_operators", "-p", "weapon=Patriot", *on])
    assert result.exit_code == 0, result.output
    assert {r["country"] for r in json.loads(result.output)} == {"USA", "UKR", "ROU"}
    result = runner.invoke(app, ["query", "country_tests", "-p", "country=Atlantis", *on])
    assert result.exit_code == 0 and "nothing in the warehouse is called 'Atlantis'" in result.output
