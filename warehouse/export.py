"""Exports for tools outside DuckDB: Parquet partitioned by day (Hive layout), or one CSV per table."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

from warehouse.db import READER_CONFIG

# Tables that grow with the news carry the article's day and are split by it; the rest are small
# reference tables, written whole. `{since}` keeps rows from that day on. Mentions go out as the
# analysts' verdicts have them, each with its verdict.
_DAY = "article_day(a.published_at, a.fetched_at)"
DATED = {
    "articles": f"SELECT a.*, {_DAY} AS day FROM articles a WHERE {_DAY} >= {{since}}",
    "mentions": f"SELECT m.*, {_DAY} AS day FROM mentions_reviewed m JOIN articles a USING (article_id)"
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

    `con` may be a locked-down reader: rows stream from it as Arrow batches into a separate
    DuckDB that may write under `out_dir` only.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}: use one of {', '.join(FORMATS)}")
    out_dir.mkdir(parents=True, exist_ok=True)
    bound = f"DATE '{(since or date.min).isoformat()}'"
    done = []
    with _writer(out_dir) as writer:
        for table, sql in {**DATED, **WHOLE}.items():
            if fmt == "parquet" and table in DATED:
                target = out_dir / table
                options = "FORMAT parquet, PARTITION_BY (day), OVERWRITE"
            else:
                target = out_dir / f"{table}.{fmt}"
                options = "FORMAT parquet" if fmt == "parquet" else "FORMAT csv, HEADER"
            rows = con.sql(sql.format(since=bound))
            # Arrow carries JSON as plain text: each column is cast back to its warehouse type.
            columns = ", ".join(
                f"{_column(c)}::{kind} AS {_column(c)}"
                for c, kind in zip(rows.columns, rows.types, strict=True)
            )
            writer.register("batch", rows.to_arrow_reader())
            copy = f"COPY (SELECT {columns} FROM batch) TO '{_quoted(target)}' ({options})"
            ((count,),) = writer.execute(copy).fetchall()
            writer.unregister("batch")
            done.append(Exported(table, target, int(count)))
    return done


@contextmanager
def _writer(out_dir: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """An in-memory DuckDB locked down like a reader, except that it may write under `out_dir`.

    DuckDB accepts `allowed_directories` only once started and while external access is still
    on, so it is set first; external access is turned off and the configuration locked after it.
    """
    late = {"enable_external_access", "lock_configuration"}
    writer = duckdb.connect(config={k: v for k, v in READER_CONFIG.items() if k not in late})
    try:
        writer.execute(f"SET allowed_directories = ['{_quoted(out_dir.resolve())}']")
        writer.execute("SET enable_external_access = false")
        writer.execute("SET lock_configuration = true")
        yield writer
    finally:
        writer.close()


def _quoted(path: Path) -> str:
    return str(path).replace("'", "''")


def _column(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
