"""Exports read back with DuckDB and pyarrow and compared with the warehouse tables."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

from warehouse.export import export
from warehouse.queries import open_reader

pytestmark = pytest.mark.model

SINCE = date(2024, 3, 1)


def test_parquet_partitioned_by_day_matches_the_tables(sample_db: Path, tmp_path: Path) -> None:
    with open_reader(sample_db) as con:
        written = {e.table: e for e in export(con, tmp_path, "parquet", SINCE)}
        days = sorted(
            d
            for (d,) in con.execute(
                "SELECT DISTINCT article_day(published_at, fetched_at) FROM articles"
            ).fetchall()
            if d >= SINCE
        )
        mentions = con.execute(
            "SELECT m.article_id, m.start_char, m.label, m.norm FROM mentions m JOIN articles a"
            " USING (article_id) WHERE article_day(a.published_at, a.fetched_at) >= ? ORDER BY ALL",
            [SINCE],
        ).fetchall()
        entities = con.execute("SELECT entity_id, aliases FROM entities ORDER BY entity_id").fetchall()

    # One folder per day since SINCE: 5 Mar, 22 Mar, 14 Apr, 24 May, 20 Jun, 8 Jul in the sample.
    assert len(days) == 6
    folders = sorted(p.name for p in (tmp_path / "mentions").iterdir())
    assert folders == [f"day={d.isoformat()}" for d in days]

    back = duckdb.sql(
        f"SELECT article_id, start_char, label, norm, day FROM read_parquet("
        f"'{tmp_path}/mentions/**/*.parquet', hive_partitioning = true) ORDER BY ALL"
    ).fetchall()
    assert [r[:4] for r in back] == mentions
    assert written["mentions"].rows == len(mentions)
    assert min(r[4] for r in back) >= SINCE

    # pyarrow's Hive datasets (what pandas reads through) see the same rows and the partition column.
    dataset = ds.dataset(tmp_path / "articles", format="parquet", partitioning="hive")
    table = dataset.to_table()
    assert table.num_rows == written["articles"].rows == 6
    assert "day" in table.column_names and "text" in table.column_names
    assert sorted(table.column("day").to_pylist()) == sorted(d.isoformat() for d in days)

    whole = pq.read_table(tmp_path / "entities.parquet")
    pairs = zip(whole.column("entity_id").to_pylist(), whole.column("aliases").to_pylist(), strict=True)
    assert sorted(pairs) == [(eid, aliases) for eid, aliases in entities]


def test_csv_export_has_every_row(sample_db: Path, tmp_path: Path) -> None:
    with open_reader(sample_db) as con:
        written = {e.table: e for e in export(con, tmp_path, "csv")}
        ((articles, mentions),) = con.execute(
            "SELECT (SELECT count(*) FROM articles), (SELECT count(*) FROM mentions)"
        ).fetchall()
    back = duckdb.sql(f"SELECT count(*), count(DISTINCT article_id) FROM read_csv('{tmp_path}/mentions.csv')")
    assert back.fetchall() == [(mentions, articles - 1)]  # the French article has no mentions
    texts = duckdb.sql(f"SELECT text FROM read_csv('{tmp_path}/articles.csv') ORDER BY text").fetchall()
    assert len(texts) == written["articles"].rows == articles
    assert any("\n" in t for (t,) in texts)  # multi-line bodies survive the round trip


def test_unknown_format_is_refused(sample_db: Path, tmp_path: Path) -> None:
    with open_reader(sample_db) as con, pytest.raises(ValueError, match="parquet, csv"):
        export(con, tmp_path, "xlsx")


def test_pandas_reads_the_partitioned_export(sample_db: Path, tmp_path: Path) -> None:
    import pandas as pd

    with open_reader(sample_db) as con:
        written = {e.table: e for e in export(con, tmp_path, "parquet", SINCE)}
        labels = dict(
            con.execute(
                "SELECT m.label, count(*) FROM mentions m JOIN articles a USING (article_id)"
                " WHERE article_day(a.published_at, a.fetched_at) >= ? GROUP BY ALL",
                [SINCE],
            ).fetchall()
        )
    frame = pd.read_parquet(tmp_path / "mentions")
    assert len(frame) == written["mentions"].rows
    assert frame.groupby("label").size().to_dict() == labels
    assert {"article_id", "norm", "sentence", "day"} <= set(frame.columns)
