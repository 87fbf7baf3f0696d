"""Turning what an analyst types ("Putin", "PAC-3", "iranian", "IRN") into the entities the
warehouse holds, and saying what the data spans when an answer is empty."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb


@dataclass(frozen=True)
class Candidate:
    """An entity a typed name may mean, with how much the data says about it."""

    label: str
    norm: str
    name: str
    mentions: int

    def describe(self) -> str:
        return f"{self.name} ({self.label}, {self.mentions} mentions)"


# Tried in order; the first that finds anything decides. A one-word person norm ("Austin" as an
# article wrote it, never tied to a full name) is no exact match: it is the surname step's.
_STEPS = (
    """(lower(a.norm) = lower($text) OR lower(a.name) = lower($text))
       AND NOT (a.label = 'PERSON' AND NOT contains(trim(a.norm), ' '))""",
    "a.alias = $text",
    "a.label = 'PERSON' AND lower(regexp_extract(a.name, '(\\S+)$')) = lower($text)",
)
_FIND = """
    SELECT a.label, a.norm, any_value(a.name) AS name, coalesce(any_value(m.mentions), 0) AS mentions
    FROM entity_aliases a
    LEFT JOIN (SELECT label, norm, sum(mentions) AS mentions FROM entity_days GROUP BY ALL) m
        USING (label, norm)
    WHERE ($label IS NULL OR a.label = $label) AND ({step})
    GROUP BY a.label, a.norm
    ORDER BY mentions DESC, a.norm
"""


def find_entities(con: duckdb.DuckDBPyConnection, text: str, label: str | None = None) -> list[Candidate]:
    """The entities `text` names: by norm or name, else by any alias, else (one word) by surname;
    several when it is ambiguous ("Korea", a surname two people share), none when unknown."""
    for step in _STEPS:
        rows = con.execute(_FIND.format(step=step), {"text": text.strip(), "label": label}).fetchall()
        if rows:
            return [Candidate(str(r[0]), str(r[1]), str(r[2]), int(r[3])) for r in rows]
    return []


def near_names(
    con: duckdb.DuckDBPyConnection, text: str, label: str | None = None, limit: int = 3
) -> list[str]:
    """The names closest in spelling to an unknown one, for a "did you mean"."""
    rows = con.execute(
        """
        SELECT any_value(name) FROM entity_aliases
        WHERE ($label IS NULL OR label = $label)
          AND jaro_winkler_similarity(lower(alias), lower($text)) >= 0.85
        GROUP BY entity_id
        ORDER BY max(jaro_winkler_similarity(lower(alias), lower($text))) DESC, 1
        LIMIT $limit
        """,
        {"text": text, "label": label, "limit": limit},
    ).fetchall()
    return [str(r[0]) for r in rows]


def data_span(con: duckdb.DuckDBPyConnection) -> tuple[date, date] | None:
    """The first and last publication day (UTC) of the articles held; None when there are none."""
    first, last = con.execute(
        "SELECT min(article_day(published_at, fetched_at)), max(article_day(published_at, fetched_at))"
        " FROM articles"
    ).fetchone() or (None, None)
    return (first, last) if first and last else None


def span_note(con: duckdb.DuckDBPyConnection) -> str:
    """One line on what the data spans, for an empty answer."""
    span = data_span(con)
    if span is None:
        return "no rows: the warehouse holds no articles yet"
    return f"no rows: the data spans {span[0]} to {span[1]} (publication days, UTC)"
