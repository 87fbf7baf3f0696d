"""Queries analysts and the run summary share: named `.sql` queries and a reader connection."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from importlib.resources import files
from pathlib import Path
from typing import Any

import duckdb

from warehouse.db import MIGRATIONS, connect, migrate
from warehouse.lookup import data_span, find_entities, near_names, span_note

QUERIES = files("warehouse") / "queries"


def top_entities(con: duckdb.DuckDBPyConnection, per_label: int = 5) -> list[tuple[str, str, int]]:
    """The most mentioned entities per label, as the analysts' verdicts have them: (label, name,
    mentions)."""
    rows = con.execute(
        """
        SELECT label, name, n FROM (
            SELECT m.label, coalesce(e.name, m.norm) AS name, count(*) AS n,
                   row_number() OVER (
                       PARTITION BY m.label ORDER BY count(*) DESC, coalesce(e.name, m.norm)
                   ) AS rank
            FROM mentions_reviewed m LEFT JOIN entities e USING (entity_id)
            WHERE m.norm IS NOT NULL
            GROUP BY m.label, coalesce(e.name, m.norm)
        ) WHERE rank <= ? ORDER BY label, n DESC, name
    """,
        [per_label],
    ).fetchall()
    return [(str(r[0]), str(r[1]), int(r[2])) for r in rows]


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    default: str | None
    help: str


# Parameter types that name an entity, and the label it must have (None: any).
ENTITY_TYPES = {"ENTITY": None, "COUNTRY": "COUNTRY", "PERSON": "PERSON", "WEAPON": "WEAPON"}


@dataclass(frozen=True)
class Answer:
    """A named query's columns and rows, and the lines that explain an empty or refused answer."""

    columns: list[str]
    rows: list[tuple[Any, ...]]
    notes: list[str]


@dataclass(frozen=True)
class NamedQuery:
    """A `.sql` file in this folder: a first comment line saying what it answers, then its parameters."""

    name: str
    description: str
    params: tuple[Param, ...]
    sql: str

    def bind(
        self, con: duckdb.DuckDBPyConnection, given: Mapping[str, str]
    ) -> tuple[dict[str, object], list[str]]:
        """Parameter values from what was typed, defaults filled in, and a note for each entity
        that matched nothing. An entity parameter becomes the norm of the one entity it names
        (NULL when none); a date of `latest` the newest publication day in the data. Unknown or
        missing names, bad values and ambiguous entities are errors."""
        known = {p.name: p for p in self.params}
        unknown = sorted(set(given) - set(known))
        if unknown:
            raise QueryError(f"{self.name} has no parameter {', '.join(unknown)} (it takes: {self.usage()})")
        values: dict[str, object] = {}
        notes: list[str] = []
        for param in self.params:
            raw = given.get(param.name, param.default)
            if raw is None:
                raise QueryError(f"{self.name} needs --param {param.name}=... ({param.help})")
            if param.type in ENTITY_TYPES:
                values[param.name], note = _entity(con, param, raw)
                notes += [note] if note else []
            else:
                values[param.name] = _typed(con, param, raw)
        return values, notes

    def usage(self) -> str:
        return ", ".join(f"{p.name}={p.default}" if p.default else p.name for p in self.params) or "none"


class QueryError(ValueError):
    """A named query that does not exist, or parameters that do not fit it."""


_PARAM = re.compile(r"^-- param (\w+) (DATE|INTEGER|TEXT|ENTITY|COUNTRY|PERSON|WEAPON)(?: = (\S+))? : (.+)$")


def named_queries() -> dict[str, NamedQuery]:
    """Every named query shipped in this folder, by file name without `.sql`."""
    queries = {}
    for path in sorted(QUERIES.iterdir(), key=lambda p: p.name):
        if path.name.endswith(".sql"):
            query = _parse(path.name.removesuffix(".sql"), path.read_text(encoding="utf-8"))
            queries[query.name] = query
    return queries


def run_named(con: duckdb.DuckDBPyConnection, name: str, given: Mapping[str, str]) -> Answer:
    """A named query run with the given parameters; an empty answer notes what the data spans."""
    queries = named_queries()
    if name not in queries:
        raise QueryError(f"no query named {name!r}; known: {', '.join(queries)}")
    query = queries[name]
    values, notes = query.bind(con, given)
    cursor = con.execute(query.sql, values)
    columns = [d[0] for d in cursor.description or []]
    # A query over an entity that matched nothing has no answer, even one that lists empty days.
    rows = [] if notes else cursor.fetchall()
    if not rows:
        notes.append(span_note(con))
    return Answer(columns, rows, notes)


@contextmanager
def open_reader(path: Path | str, wait_seconds: float = 60.0) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection on a migrated warehouse, for analysts' queries beside running loads.

    Like every read-only connection it is locked down (`warehouse.db.READER_CONFIG`): the SQL it
    runs can read the warehouse and nothing else, and cannot install or load extensions.
    DuckDB lets one process write and, while it does, no other process may even open the file,
    so the connection waits with backoff for the loader's short batch transaction to end; the
    loader likewise waits for readers. Keep the `with` block short: fetch, then format outside.
    An older file is first migrated, which needs a brief write connection.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no warehouse at {path}: run `newsint run` first")
    with connect(path, read_only=True, wait_seconds=wait_seconds) as con:
        if not _behind(con):  # the usual case: one wait for the lock, not two
            yield con
            return
    with connect(path, wait_seconds=wait_seconds) as con:
        migrate(con)
    with connect(path, read_only=True, wait_seconds=wait_seconds) as con:
        yield con


def _behind(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the file lacks a migration shipped with this code (views the queries rely on)."""
    shipped = {int(p.name.split("_", 1)[0]) for p in MIGRATIONS.iterdir() if p.name.endswith(".sql")}
    tables = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'schema_migrations'"
    ).fetchall()
    if tables[0][0] == 0:
        return True
    done = {row[0] for row in con.execute("SELECT version FROM schema_migrations").fetchall()}
    return bool(shipped - done)


def _parse(name: str, text: str) -> NamedQuery:
    lines = text.splitlines()
    if not lines or not lines[0].startswith("-- "):
        raise QueryError(f"{name}.sql must start with a '-- what it answers' line")
    params = tuple(Param(m[1], m[2], m[3], m[4]) for line in lines[1:] if (m := _PARAM.match(line.strip())))
    return NamedQuery(name, lines[0][3:].strip(), params, text)


def _entity(con: duckdb.DuckDBPyConnection, param: Param, raw: str) -> tuple[str | None, str | None]:
    """The norm of the one entity `raw` names, or (None, a note) when it names none."""
    label = ENTITY_TYPES[param.type]
    found = find_entities(con, raw, label)
    if len(found) > 1:
        listed = "; ".join(c.describe() for c in found[:10])
        more = f" and {len(found) - 10} more" if len(found) > 10 else ""
        raise QueryError(
            f"{param.name}={raw!r} could mean {len(found)} entities: {listed}{more}; give one by name"
        )
    if found:
        return found[0].norm, None
    near = near_names(con, raw, label)
    hint = f" (near: {', '.join(near)})" if near else ""
    return None, f"nothing in the warehouse is called {raw!r}{hint}"


def _typed(con: duckdb.DuckDBPyConnection, param: Param, raw: str) -> object:
    try:
        if param.type == "DATE":
            if raw == "latest":
                span = data_span(con)
                return span[1] if span else date.today()
            return date.today() if raw == "today" else date.fromisoformat(raw)
        if param.type == "INTEGER":
            return int(raw)
    except ValueError as exc:
        raise QueryError(f"--param {param.name}={raw!r} is not a valid {param.type}") from exc
    return raw
