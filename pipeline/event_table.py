"""A batch's events as one Arrow table, built beside the mention table and for the same reason:
the one DuckDB writer should only do database work, and a table crosses processes as buffers."""

from __future__ import annotations

from collections.abc import Iterable
from operator import attrgetter

import pyarrow as pa

from pipeline.records import Event

SCHEMA = pa.schema(
    [
        ("article_id", pa.string()),
        ("start_char", pa.int32()),
        ("end_char", pa.int32()),
        ("sentence", pa.string()),
        ("type", pa.string()),
        ("weapon", pa.string()),
        ("weapon_start", pa.int32()),
        ("weapon_end", pa.int32()),
        ("weapon_text", pa.string()),
        ("actors", pa.list_(pa.string())),
        ("counterparts", pa.list_(pa.string())),
        ("status", pa.string()),
        ("quantity", pa.int64()),
        ("value_amount", pa.float64()),
        ("value_currency", pa.string()),
        ("when", pa.string()),
        ("negated", pa.bool_()),
        ("method", pa.string()),
        ("cue", pa.string()),
        ("confidence", pa.float64()),
    ]
)

# The Event fields behind SCHEMA's columns, in order.
_FIELDS = (
    "article_id",
    "start",
    "end",
    "sentence",
    "type",
    "weapon",
    "weapon_start",
    "weapon_end",
    "weapon_text",
    "actors",
    "counterparts",
    "status",
    "quantity",
    "value_amount",
    "value_currency",
    "when",
    "negated",
    "method",
    "cue",
    "confidence",
)


def event_table(events: Iterable[Event]) -> pa.Table:
    """The events as columns, actors and counterparts as lists of ISO codes."""
    rows = list(events)
    columns = [list(map(attrgetter(name), rows)) for name in _FIELDS]
    return pa.table(
        [pa.array(column, field.type) for column, field in zip(columns, SCHEMA, strict=True)], schema=SCHEMA
    )
