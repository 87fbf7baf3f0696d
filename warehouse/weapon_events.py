"""Replacing articles' weapon events (migration 0011) inside the loader's transaction.

Events are read from the same sentences as the mentions, by the same pipeline version, so an
article's events are swapped whenever its mentions are: delete every event of the batch's
articles, insert the new ones. A reload adds nothing twice, and an article whose new text says
nothing about weapons keeps no stale event. (Not `warehouse.events`: that one records fetches.)"""

from __future__ import annotations

import duckdb
import pyarrow as pa

from pipeline.event_table import SCHEMA

# One row per id: an extraction that gave the same sentence, weapon and type twice keeps the
# more confident reading (a statement may not insert one key twice).
_INSERT = """
    INSERT INTO events BY NAME
    SELECT * FROM (
        SELECT weapon_event_id(b.article_id, b.start_char, b.weapon_start, b.weapon_end, b.type) AS event_id,
               b.*, ? AS pipeline_version, ? AS run_id,
               mention_item_id(b.article_id, b.type, a.text, b.weapon_start, b.weapon_end) AS item_id
        FROM batch_events b LEFT JOIN articles a USING (article_id)
    )
    QUALIFY row_number() OVER (PARTITION BY event_id ORDER BY confidence DESC, end_char DESC) = 1
"""


def replace_events(
    con: duckdb.DuckDBPyConnection, ids: str, events: pa.Table | None, version: str, run_id: str
) -> int:
    """Swap the events of the articles listed in view `ids` (column article_id) for `events` (a
    `pipeline.event_table` table; None: no events, so those articles are left with none); returns
    the events written. Call inside the transaction that writes their mentions.

    Raises:
        ValueError: an event names an article not in `ids` (it would never be replaced).
    """
    con.register("batch_events", events if events is not None else SCHEMA.empty_table())
    ((strays,),) = con.execute(
        f"SELECT count(*) FROM batch_events WHERE article_id NOT IN (SELECT article_id FROM {ids})"
    ).fetchall()
    if strays:
        raise ValueError(f"{strays} events name articles outside the batch; nothing was written")
    con.execute(f"DELETE FROM events WHERE article_id IN (SELECT article_id FROM {ids})")
    ((written,),) = con.execute(_INSERT, [version, run_id]).fetchall()
    con.unregister("batch_events")
    return int(written)
