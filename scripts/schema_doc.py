"""Write docs/schema.md from a freshly migrated warehouse: every table and view with its columns
and the COMMENT ON text the migrations store, so the page cannot drift from the schema."""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import duckdb

from pipeline import REPO_ROOT
from warehouse.db import open_warehouse

HEADER = """# Warehouse schema

Every table and view of the DuckDB warehouse as `warehouse/migrations/` builds it, with the
`COMMENT ON` text the migrations store (read it from SQL with `duckdb_tables()`, `duckdb_views()`
and `duckdb_columns()`). Dates in the views are publication days in UTC
(`article_day(published_at, fetched_at)`: the fetch day when a page gives no date). Written by
`python -m scripts.schema_doc`; a test checks it matches the migrations.
"""


def render(con: duckdb.DuckDBPyConnection) -> str:
    """The page for the schema `con` holds, tables in creation order, then views."""
    relations = con.execute(
        "SELECT table_name, 'table', comment, table_oid FROM duckdb_tables() WHERE schema_name = 'main'"
        " UNION ALL SELECT view_name, 'view', comment, view_oid FROM duckdb_views()"
        " WHERE schema_name = 'main' AND NOT internal ORDER BY 2, 4"
    ).fetchall()
    sections = []
    for name, kind, comment, _ in relations:
        columns = con.execute(
            "SELECT column_name, data_type, coalesce(comment, '') FROM duckdb_columns()"
            " WHERE schema_name = 'main' AND table_name = ? ORDER BY column_index",
            [name],
        ).fetchall()
        rows = "\n".join(f"| `{column}` | {kind_} | {note} |" for column, kind_, note in columns)
        about = f"{comment}\n\n" if comment else ""
        table = f"| column | type | note |\n| --- | --- | --- |\n{rows}\n"
        sections.append(f"## `{name}` ({kind})\n\n{about}{table}")
    return HEADER + "\n" + "\n".join(sections)


def current() -> str:
    """The page for today's migrations, built in a throwaway warehouse."""
    with tempfile.TemporaryDirectory() as folder, open_warehouse(Path(folder) / "schema.duckdb") as con:
        return render(con)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-o", "--output", type=Path, default=REPO_ROOT / "docs" / "schema.md")
    args = parser.parse_args()
    args.output.write_text(current(), encoding="utf-8")
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
