"""The runs table: one row per flow run, with the model and pipeline version that produced it."""

from __future__ import annotations

import duckdb

from warehouse.db import now


def start_run(con: duckdb.DuckDBPyConnection, run_id: str, model: str, version: str) -> None:
    con.execute(
        "INSERT INTO runs (run_id, started_at, status, spacy_model, pipeline_version)"
        " VALUES (?, ?, 'running', ?, ?)",
        [run_id, now(), model, version],
    )


def finish_run(con: duckdb.DuckDBPyConnection, run_id: str, status: str, counts: dict[str, int]) -> None:
    columns = ", ".join(f"{name} = ?" for name in counts)
    con.execute(
        f"UPDATE runs SET finished_at = ?, status = ?, {columns} WHERE run_id = ?",
        [now(), status, *counts.values(), run_id],
    )
