"""Queries analysts and the run summary share."""

from __future__ import annotations

import duckdb


def top_entities(con: duckdb.DuckDBPyConnection, per_label: int = 5) -> list[tuple[str, str, int]]:
    """The most mentioned entities per label: (label, name, mentions)."""
    rows = con.execute(
        """
        SELECT label, name, n FROM (
            SELECT m.label, coalesce(e.name, m.norm) AS name, count(*) AS n,
                   row_number() OVER (
                       PARTITION BY m.label ORDER BY count(*) DESC, coalesce(e.name, m.norm)
                   ) AS rank
            FROM mentions m LEFT JOIN entities e USING (entity_id)
            WHERE m.norm IS NOT NULL
            GROUP BY m.label, coalesce(e.name, m.norm)
        ) WHERE rank <= ? ORDER BY label, n DESC, name
    """,
        [per_label],
    ).fetchall()
    return [(str(r[0]), str(r[1]), int(r[2])) for r in rows]
