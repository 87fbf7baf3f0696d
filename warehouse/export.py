"""Exports for tools outside DuckDB: Parquet partitioned by day (Hive layout), or one CSV per table."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

# Tables that grow with the news carry the article's day and are split by it; the rest are small
# reference tables, written whole. `{since}` keeps rows from that day on.
_DAY = "article_day(a.published_at, a.fetched_at)"
DATED = {
    "articles": f"SELECT a.*, {_DAY} AS day FROM articles a WHERE {_DAY} >= {{since}}",
    "mentions": f"SELECT m.*, {_DAY} AS day FROM mentions m JOIN articles a USING (article_id)"
    f" WHERE {_DAY} >= {{since}}",
    "article_entities": "SELECT * FROM article_entities WHERE day >= {since}",
}
WHOLE = {
    "entities": "SELECT * FROM entities",
    "feeds": "SELECT * FROM feeds",
    "runs": "SELECT * FROM runs",
}
FORMATS = ("parquet", "csv")


@dataclass(frozen=True)
class Exported:
    table: str
    path: Path
    rows: int


def export(
    con: duckdb.DuckDBPyConnection, out_dir: Path, fmt: str = "parquet", since: date | None = None
) -> list[Exported]:
    """Write every exported table under `out_dir`; existing files of the same tables are replaced.

    Parquet: `<table>/day=YYYY-MM-DD/*.parquet` for dated tables (readable by DuckDB's
    `read_parquet(..., hive_partitioning=true)` and pyarrow/pandas datasets), `<table>.parquet`
    for the rest. CSV: `<table>.csv` with a header, dated tables keeping their `day` column.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}: use one of {', '.join(FORMATS)}")
    out_dir.mkdir(parents=True, exist_ok=True)
    bound = f"DATE '{(since or date.min).isoformat()}'"
    done = []
    for table, sql in {**DATED, **WHOLE}.items():
        query = sql.format(since=bound)
        ((rows,),) = con.execute(f"SELECT count(*) FROM ({query})").fetchall()
        if fmt == "parquet" and table in DATED:
            target = out_dir / table
            options = "FORMAT parquet, PARTITION_BY (day), OVERWRITE"
        else:
            target = out_dir / f"{table}.{fmt}"
            options = "FORMAT parquet" if fmt == "parquet" else "FORMAT csv, HEADER"
        con.execute(f"COPY ({query}) TO '{_quoted(target)}' ({options})")
        done.append(Exported(table, target, int(rows)))
    return done


def _quoted(path: Path) -> str:
    return str(path).replace("'", "''")
