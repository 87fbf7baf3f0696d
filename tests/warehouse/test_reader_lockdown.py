"""Reader connections keep analysts' SQL inside the warehouse, and every reading command still works.

The refused attacks themselves are reliability cases (tests/reliability/test_security.py); here are
the settings behind them and the commands that must not notice them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from pipeline.records import Article, Mention
from tests.conftest import load_article
from warehouse.db import connect
from warehouse.queries import open_reader

NEWSINT = Path(sys.executable).with_name("newsint")
AT = datetime(2024, 5, 2, 9, tzinfo=UTC)
TEXT = "Japan bought drones."
# What a reader connection must report, whatever SQL runs on it.
LOCKED = {
    "enable_external_access": False,
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "allow_community_extensions": False,
    "allow_unsigned_extensions": False,
    "allow_persistent_secrets": False,
    "lock_configuration": True,
}


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    """One article naming Japan and drones, with a config beside it so the repository's plays no part."""
    article = Article(
        "a1",
        "https://x.example/a",
        "Japan buys drones",
        None,
        AT,
        "feed",
        "X",
        "en",
        TEXT,
        "h",
        "t",
        "ok",
        AT,
    )
    mentions = [
        Mention("a1", 0, 5, "Japan", "COUNTRY", "JPN", "gazetteer", "name", 0.9, TEXT, 0),
        Mention("a1", 13, 19, "drones", "WEAPON", "drone", "pattern", "generic", 0.8, TEXT, 0),
    ]
    db = tmp_path / "w.duckdb"
    load_article(db, article, mentions)
    (tmp_path / "newsint.toml").touch()
    return db


def _newsint(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(NEWSINT), *args, "--db", str(db), "--config", str(db.parent / "newsint.toml")],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=db.parent,
        env={**os.environ, "HOME": str(db.parent)},
    )


def _settings(con: duckdb.DuckDBPyConnection) -> dict[str, object]:
    select = ", ".join(f"current_setting('{name}')" for name in LOCKED)
    return dict(zip(LOCKED, con.execute(f"SELECT {select}").fetchone() or (), strict=True))


def test_reader_connections_are_locked_down(warehouse: Path) -> None:
    with open_reader(warehouse) as con:
        assert _settings(con) == LOCKED
    # The run summary, the flows' review artifacts and reprocessing read through this one.
    with connect(warehouse, read_only=True) as con:
        assert _settings(con) == LOCKED
    with connect(warehouse) as con:  # the loader keeps DuckDB's defaults
        assert _settings(con)["lock_configuration"] is False


def test_sql_still_answers_selects(warehouse: Path) -> None:
    result = _newsint(
        warehouse,
        "sql",
        "SELECT a.title, m.norm FROM articles a JOIN mentions m USING (article_id) ORDER BY m.norm",
        "--format",
        "json",
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [
        {"title": "Japan buys drones", "norm": "JPN"},
        {"title": "Japan buys drones", "norm": "drone"},
    ]


def test_query_and_report_still_work(warehouse: Path) -> None:
    result = _newsint(warehouse, "query", "weapons_with_country", "-p", "country=JPN", "--format", "json")
    assert result.returncode == 0, result.stderr
    assert [row["weapon"] for row in json.loads(result.stdout)] == ["drone"]

    page = warehouse.parent / "report.html"
    result = _newsint(warehouse, "report", "--days", "7", "--until", "2024-05-02", "-o", str(page))
    assert result.returncode == 0, result.stderr
    assert "Japan buys drones" in page.read_text(encoding="utf-8")


def test_export_still_writes_its_files(warehouse: Path) -> None:
    out = warehouse.parent / "export"
    result = _newsint(warehouse, "export", "--format", "parquet", "-o", str(out))
    assert result.returncode == 0, result.stderr
    (day,) = (out / "mentions").iterdir()
    assert day.name == "day=2024-05-02"
    assert sorted(pq.read_table(day).column("norm").to_pylist()) == ["JPN", "drone"]
    assert pq.read_table(out / "entities.parquet").num_rows == 2

    result = _newsint(warehouse, "export", "--format", "csv", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert "Japan buys drones" in (out / "articles.csv").read_text(encoding="utf-8")
