"""The runs table: one row per flow run, with the model and pipeline version that produced it."""

from __future__ import annotations

import os
import socket
from datetime import datetime

import duckdb
import psutil

from warehouse.db import now


def start_run(con: duckdb.DuckDBPyConnection, run_id: str, flow: str, model: str, version: str) -> None:
    """A `running` row owned by this process on this host."""
    con.execute(
        "INSERT INTO runs (run_id, started_at, status, spacy_model, pipeline_version, flow, host, pid)"
        " VALUES (?, ?, 'running', ?, ?, ?, ?, ?)",
        [run_id, now(), model, version, flow, socket.gethostname(), os.getpid()],
    )


def finish_run(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    status: str,
    counts: dict[str, int],
    error: str | None = None,
) -> None:
    columns = "".join(f", {name} = ?" for name in counts)
    con.execute(
        f"UPDATE runs SET finished_at = ?, status = ?, error = ?{columns} WHERE run_id = ?",
        [now(), status, error, *counts.values(), run_id],
    )


def close_abandoned(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Close as failed the runs still `running` whose process on this host is gone; their ids.

    A SIGKILL, the out-of-memory killer or a power cut leaves no chance to close a run. What such a
    run loaded stays loaded, and its unfinished entries are pending for the next run; only its row
    would go on saying `running`. Runs of other hosts are left alone: their processes cannot be
    seen from here.
    """
    rows = con.execute(
        "SELECT run_id, pid, started_at FROM runs WHERE status = 'running' AND host = ?",
        [socket.gethostname()],
    ).fetchall()
    gone = [(run_id, pid) for run_id, pid, started in rows if not _alive(pid, started)]
    for run_id, pid in gone:
        con.execute(
            # finished_at: the last moment the run is known to have worked, not when this was seen.
            "UPDATE runs SET status = 'failed', error = $1, finished_at = coalesce("
            " (SELECT max(occurred_at) FROM fetch_events WHERE run_id = $2), started_at) WHERE run_id = $2",
            [f"abandoned: process {pid} ended without finishing the run", run_id],
        )
    return [run_id for run_id, _ in gone]


def _alive(pid: int | None, started: datetime) -> bool:
    """Whether `pid` is still the process that started the run (not a later one given its number)."""
    if pid is None:
        return False
    if pid == os.getpid():
        return True
    try:
        process = psutil.Process(pid)
        if process.status() == psutil.STATUS_ZOMBIE:  # dead, not yet reaped by its parent
            return False
        created = process.create_time()
    except psutil.Error:  # no such process
        return False
    return created <= started.timestamp() + 1
