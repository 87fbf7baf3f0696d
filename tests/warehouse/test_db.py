from datetime import UTC, datetime
from pathlib import Path

import pytest

from warehouse.db import open_warehouse, stage_rows

COLUMNS = {"name": "TEXT", "seen_at": "TIMESTAMPTZ", "count": "INTEGER", "ok": "BOOLEAN"}


def test_staged_rows_keep_order_types_and_missing_values(tmp_path: Path) -> None:
    at = datetime(2026, 3, 1, 12, 30, tzinfo=UTC)
    rows = [{"name": "b", "seen_at": at, "count": 2, "ok": True}, {"name": "a", "count": None}]
    with open_warehouse(tmp_path / "w.duckdb") as con:
        stage_rows(con, "staged", COLUMNS, rows)
        types = dict(con.execute("SELECT column_name, column_type FROM (DESCRIBE staged)").fetchall())
        got = con.execute("SELECT name, seen_at, count, ok FROM staged").fetchall()
    assert types == {
        "name": "VARCHAR",
        "seen_at": "TIMESTAMP WITH TIME ZONE",
        "count": "INTEGER",
        "ok": "BOOLEAN",
    }
    assert got == [("b", at, 2, True), ("a", None, None, None)]


def test_no_rows_still_make_a_typed_empty_table(tmp_path: Path) -> None:
    with open_warehouse(tmp_path / "w.duckdb") as con:
        stage_rows(con, "staged", COLUMNS, [])
        assert con.execute("SELECT count(*) FROM staged").fetchall() == [(0,)]
        with pytest.raises(Exception, match="Conversion"):
            con.execute("INSERT INTO staged (count) VALUES ('not a number')")
