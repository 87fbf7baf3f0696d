"""Opening the DuckDB file: short-lived connections, lock retries, migrations in order."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from importlib.resources import files
from pathlib import Path
from typing import Any

import duckdb
from tenacity import Retrying, retry_if_exception, stop_after_delay, wait_random_exponential

log = logging.getLogger(__name__)

MIGRATIONS = files("warehouse") / "migrations"

# Read-only connections run analysts' SQL (`newsint sql`), so they may read the warehouse file and
# nothing else. Without external access no other file or URL is opened (COPY, EXPORT, ATTACH,
# read_csv, glob, Python objects by name) and no extension is installed or loaded; DuckDB still
# allows the file's own temporary folder, for large sorts. Extensions are also kept from being
# fetched or loaded on demand, and secrets from being read from or written to ~/.duckdb. Locking the
# configuration refuses the SET or RESET that would undo any of it.
READER_CONFIG: dict[str, str | bool | int | float | list[str]] = {
    "enable_external_access": False,
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "allow_community_extensions": False,
    "allow_unsigned_extensions": False,
    "allow_persistent_secrets": False,
    "lock_configuration": True,
}


class DatabaseBusy(RuntimeError):
    """Another process kept the database file locked for longer than we wait."""


def _is_lock_error(error: BaseException) -> bool:
    return isinstance(error, duckdb.IOException) and "lock" in str(error).lower()


@contextmanager
def connect(
    path: Path | str, read_only: bool = False, wait_seconds: float = 60.0
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection that waits with backoff while another process holds the file's lock.

    A read-only one is also locked down (READER_CONFIG): whatever SQL it runs stays in the file.
    """
    path = Path(path)
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    retrying = Retrying(
        retry=retry_if_exception(_is_lock_error),
        wait=wait_random_exponential(multiplier=0.05, max=0.5),  # batch locks last well under a second
        stop=stop_after_delay(wait_seconds),
        reraise=True,
    )
    try:
        con = retrying(
            duckdb.connect, str(path), read_only=read_only, config=READER_CONFIG if read_only else {}
        )
    except duckdb.IOException as exc:
        if _is_lock_error(exc):
            raise DatabaseBusy(
                f"{path} stayed locked by another process for {wait_seconds:g} s; nothing was written"
            ) from exc
        raise
    try:
        yield con
    finally:
        con.close()


def migrate(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Apply the numbered .sql files not yet applied, each in its own transaction."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ DEFAULT now())"
    )
    done = {row[0] for row in con.execute("SELECT version FROM schema_migrations").fetchall()}
    applied = []
    for script in sorted(MIGRATIONS.iterdir(), key=lambda p: p.name):
        if not script.name.endswith(".sql"):
            continue
        version = int(script.name.split("_", 1)[0])
        if version in done:
            continue
        con.execute("BEGIN")
        try:
            con.execute(script.read_text(encoding="utf-8"))
            con.execute(
                "INSERT INTO schema_migrations (version, name) VALUES (?, ?)",
                [version, script.name],
            )
            con.execute("COMMIT")
        except BaseException:
            _rollback(con)
            raise
        log.info("applied migration %s", script.name)
        applied.append(script.name)
    return applied


@contextmanager
def open_warehouse(path: Path | str) -> Iterator[duckdb.DuckDBPyConnection]:
    """A migrated read-write connection."""
    with connect(path) as con:
        migrate(con)
        yield con


def now() -> datetime:
    return datetime.now(UTC)


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """One transaction: committed when the block ends, rolled back when it raises."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
    except BaseException:
        _rollback(con)
        raise
    con.execute("COMMIT")


def _rollback(con: duckdb.DuckDBPyConnection) -> None:
    """Roll back after a failure without hiding it: an interrupted COMMIT (Ctrl-C, SIGTERM) may
    already have ended the transaction, and "no transaction is active" must not replace the
    error that says what happened."""
    with suppress(duckdb.TransactionException):
        con.execute("ROLLBACK")


def stage_rows(
    con: duckdb.DuckDBPyConnection, name: str, columns: Mapping[str, str], rows: Sequence[Mapping[str, Any]]
) -> None:
    """Temp table `name` with these columns (name -> DuckDB type) holding `rows`, sent as one list
    per column. For the few rows of a poll this beats Arrow, whose first conversion in a process
    imports pandas when it is installed (~0.3 s, a seventh of a run with nothing new)."""
    select = ", ".join(
        f"unnest(${i}::{kind}[]) AS {column}" for i, (column, kind) in enumerate(columns.items(), 1)
    )
    values = [[row.get(column) for row in rows] for column in columns]
    con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT {select}", values)


def dedupe_rows(rows: list[dict[str, Any]], key: tuple[str, ...]) -> list[dict[str, Any]]:
    """Last row wins: one statement may not carry the same key twice."""
    return list({tuple(r[k] for k in key): r for r in rows}.values())
