"""Keeping the gazetteers' aliases (and display names) in the warehouse in step with models/."""

from __future__ import annotations

from pathlib import Path

import duckdb

from pipeline.norms.aliases import listed_aliases
from warehouse.db import stage_rows, transaction
from warehouse.identity import identity

_COLUMNS = {
    "entity_id": "TEXT",
    "label": "TEXT",
    "norm": "TEXT",
    "name": "TEXT",
    "alias": "TEXT",
    "source": "TEXT",
    "family": "TEXT",
}


def sync_aliases(con: duckdb.DuckDBPyConnection, version: str, models: Path) -> bool:
    """Reload `gazetteer_aliases` from the `models` folder unless this pipeline version already
    did (a run with nothing new pays one small query), and give known entities their listed
    display names; whether it reloaded."""
    (stored,) = con.execute("SELECT any_value(pipeline_version) FROM gazetteer_aliases").fetchone() or (None,)
    if stored == version:
        return False
    rows = [
        {
            "entity_id": identity(models, a.label, a.norm, a.weapon_id)[0],
            "label": a.label,
            "norm": a.norm,
            "name": a.name,
            "alias": a.alias,
            "source": a.source,
            "family": a.family,
        }
        for a in listed_aliases(models)
    ]
    with transaction(con):
        stage_rows(con, "listed_aliases", _COLUMNS, rows)
        con.execute("DELETE FROM gazetteer_aliases")
        con.execute("INSERT INTO gazetteer_aliases SELECT *, ? FROM listed_aliases", [version])
        con.execute("""
            UPDATE entities SET name = g.name FROM gazetteer_names g
            WHERE entities.entity_id = g.entity_id AND entities.name <> g.name
        """)
    return True
