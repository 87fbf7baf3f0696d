"""Review queues and analysts' verdicts in the warehouse (migration 0010).

A verdict is stored with its mention's anchor and with what the mention said when judged, and
takes effect in the same transaction: the summaries of every article it touches are summed
again from `mentions_reviewed`, so each view and named query counts the mentions as judged.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

import duckdb

from pipeline.verdict_patch import Judged, model_patch
from pipeline.verdicts import (
    Queue,
    QueueItem,
    Verdict,
    anchor_of,
    country_code,
    verdict_problem,
    wilson_interval,
)
from warehouse.aggregates import replace_aggregates
from warehouse.db import now, stage_rows, transaction
from warehouse.identity import plain_id

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class VerdictError:
    """A verdict that was not recorded, and why."""

    item_id: str
    problem: str


@dataclass(frozen=True, slots=True)
class UnmatchedVerdict:
    """A verdict in force whose anchor no current mention has."""

    verdict_id: int
    item_id: str
    verdict: str
    correction: str | None
    reviewer: str
    judged_at: datetime
    article_id: str
    label: str
    text: str
    context_before: str
    context_after: str


@dataclass(frozen=True, slots=True)
class Precision:
    """Precision of the mentions of one label or one method, from the sample queue's verdicts:
    the share judged `correct`, with its Wilson 95 % interval."""

    by: Literal["label", "method"]
    key: str
    n: int
    correct: int
    estimate: float
    low: float
    high: float


def review_queue(
    con: duckdb.DuckDBPyConnection,
    *,
    recent_runs: int = 3,
    new: int = 10,
    low: int = 10,
    sample: int = 10,
    seed: int | None = None,
) -> list[QueueItem]:
    """Mentions to judge: one of each of up to `new` entities first seen in the last
    `recent_runs` runs (every entity when fewer runs are recorded), the `low` lowest-confidence
    mentions, and a uniform random sample of `sample` mentions, drawn first so the other queues
    cannot bias it; the same `seed` draws the same sample. No item comes twice, and items that
    have a verdict are left out (the sample's population is so every mention not yet judged)."""
    seed = random.randrange(2**31) if seed is None else seed
    _stage_unjudged(con)
    sampled = _ids(con, _SAMPLE, {"n": sample, "seed": seed})
    fresh = _ids(con, _NEW, {"n": new, "runs": recent_runs, "taken": sampled})
    lowest = _ids(con, _LOW, {"n": low, "taken": sampled + fresh})
    chosen: list[tuple[Queue, str]] = [("new", i) for i in fresh]
    chosen += [("low_confidence", i) for i in lowest] + [("sample", i) for i in sampled]
    return _items(con, chosen)


def check_verdicts(con: duckdb.DuckDBPyConnection, verdicts: Sequence[Verdict]) -> list[VerdictError]:
    """Why each of `verdicts` that `record_verdicts` would not record cannot be: a bad kind,
    queue or correction, an item no current mention has, a merge with no such entity."""
    return _resolve(con, verdicts)[1]


def record_verdicts(
    con: duckdb.DuckDBPyConnection, verdicts: Sequence[Verdict], at: datetime | None = None
) -> int:
    """Store the verdicts that can be (see `check_verdicts`; the others are logged and left out)
    and apply them, in one transaction; returns how many were stored. Each row keeps the anchor
    and what the mention said, taken from the current mention, so it outlives reprocessing."""
    at = at or now()
    with transaction(con):
        rows, errors = _resolve(con, verdicts)
        for error in errors:
            log.warning("verdict on %s not recorded: %s", error.item_id, error.problem)
        if not rows:
            return 0
        con.execute("CREATE OR REPLACE TEMP TABLE merges_before AS FROM entity_merges")
        stage_rows(con, "given_verdicts", _VERDICT_COLUMNS, [{**r, "judged_at": at} for r in rows])
        con.execute(f"INSERT INTO verdicts ({', '.join(_VERDICT_COLUMNS)}) FROM given_verdicts")
        _refresh_judged(con, "given_verdicts")
    return len(rows)


def _refresh_judged(con: duckdb.DuckDBPyConnection, given: str) -> None:
    """Sum again, from the mentions as judged, the summaries of the articles whose mentions the
    items in `given` (column item_id) name, and of every article naming an entity (as found, or
    as a verdict corrected it) whose merge changed since `merges_before` was taken; inside the
    transaction that wrote the verdicts."""
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE verdict_articles AS
        WITH changed AS (
            SELECT from_entity_id FROM (FROM merges_before EXCEPT FROM entity_merges)
            UNION SELECT from_entity_id FROM (FROM entity_merges EXCEPT FROM merges_before)
        )
        SELECT DISTINCT article_id FROM mentions
        WHERE item_id IN (SELECT item_id FROM {given})
           OR entity_id IN (FROM changed)
           OR item_id IN (SELECT item_id FROM latest_verdicts WHERE new_entity_id IN (FROM changed))
    """)
    con.execute("""
        CREATE OR REPLACE TEMP TABLE verdict_rows AS
        FROM mentions_reviewed WHERE article_id IN (SELECT article_id FROM verdict_articles)
    """)
    replace_aggregates(con, "verdict_articles", "verdict_rows")
    for table in ("verdict_rows", "verdict_articles", "merges_before"):
        con.execute(f"DROP TABLE {table}")


def unmatched_verdicts(con: duckdb.DuckDBPyConnection) -> list[UnmatchedVerdict]:
    """Verdicts in force that no current mention matches (the view `verdicts_unmatched`)."""
    rows = con.execute("""
        SELECT verdict_id, item_id, verdict, correction, reviewer, judged_at, article_id, label, text,
               context_before, context_after
        FROM verdicts_unmatched ORDER BY judged_at, verdict_id
    """).fetchall()
    return [UnmatchedVerdict(*r) for r in rows]


def unmatched_count(con: duckdb.DuckDBPyConnection) -> int:
    """How many verdicts in force match no current mention: for a run's summary."""
    ((count,),) = con.execute("SELECT count(*) FROM verdicts_unmatched").fetchall()
    return int(count)


def precision_estimates(con: duckdb.DuckDBPyConnection) -> list[Precision]:
    """Precision per label and per method (of the mention as judged), from the verdicts in force
    on items of the `sample` queue only: the other queues pick likely mistakes on purpose."""
    rows = con.execute("""
        WITH judged AS (
            SELECT label, method, verdict = 'correct' AS ok FROM verdicts WHERE queue = 'sample'
            QUALIFY row_number() OVER (PARTITION BY item_id ORDER BY judged_at DESC, verdict_id DESC) = 1
        )
        SELECT 'label', label, count(*), count(*) FILTER (WHERE ok) FROM judged GROUP BY label
        UNION ALL
        SELECT 'method', method, count(*), count(*) FILTER (WHERE ok) FROM judged GROUP BY method
        ORDER BY 1, 2
    """).fetchall()
    return [_precision(by, key, int(n), int(ok)) for by, key, n, ok in rows]


def export_patch(con: duckdb.DuckDBPyConnection, models: Path) -> str:
    """A unified diff against the files under `models` that the verdicts in force call for,
    headed by `#` lines for the verdicts no file can express (see pipeline.verdict_patch)."""
    rows = con.execute("""
        SELECT verdict, correction, label, text, norm, kind, new_label, new_norm
        FROM latest_verdicts WHERE verdict <> 'correct' ORDER BY judged_at, verdict_id
    """).fetchall()
    return model_patch([Judged(*r) for r in rows], models)


def _precision(by: Literal["label", "method"], key: str, n: int, correct: int) -> Precision:
    interval = wilson_interval(correct, n)
    return Precision(by, key, n, correct, interval.estimate, interval.low, interval.high)


def _stage_unjudged(con: duckdb.DuckDBPyConnection) -> None:
    """Mentions nobody judged, one row per item (two rows with one anchor are one item)."""
    con.execute("""
        CREATE OR REPLACE TEMP TABLE unjudged AS
        SELECT item_id, any_value(entity_id) AS entity_id, min(confidence) AS confidence
        FROM mentions
        WHERE item_id IS NOT NULL AND item_id NOT IN (SELECT item_id FROM verdicts)
        GROUP BY item_id
    """)


# A hash of id and seed orders the items in a random permutation that the seed fixes.
_SAMPLE = "SELECT item_id FROM unjudged ORDER BY hash(item_id, $seed), item_id LIMIT $n"
_NEW = """
    WITH cutoff AS (
        SELECT coalesce(min(started_at), '-infinity'::TIMESTAMPTZ) AS since FROM (
            SELECT started_at FROM runs ORDER BY started_at DESC LIMIT $runs
        ) HAVING count(*) >= $runs
    ),
    fresh AS (
        SELECT e.entity_id, e.first_seen_at FROM entities e
        WHERE e.first_seen_at >= coalesce((SELECT since FROM cutoff), '-infinity'::TIMESTAMPTZ)
    )
    SELECT min(u.item_id) AS item_id
    FROM unjudged u JOIN fresh f USING (entity_id)
    WHERE u.item_id NOT IN (SELECT unnest($taken::TEXT[]))
    GROUP BY u.entity_id
    ORDER BY count(*) DESC, any_value(f.first_seen_at) DESC, u.entity_id
    LIMIT $n
"""
_LOW = """
    SELECT item_id FROM unjudged
    WHERE item_id NOT IN (SELECT unnest($taken::TEXT[]))
    ORDER BY confidence, item_id LIMIT $n
"""


def _ids(con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, Any]) -> list[str]:
    return [str(r[0]) for r in con.execute(sql, params).fetchall()]


def _items(con: duckdb.DuckDBPyConnection, chosen: list[tuple[Queue, str]]) -> list[QueueItem]:
    """The queue items for (queue, item id) pairs, in that order."""
    stage_rows(con, "chosen_items", {"item_id": "TEXT"}, [{"item_id": i} for _, i in chosen])
    rows = con.execute("""
        SELECT m.item_id, m.article_id, a.title, a.url, m.label, m.text, m.entity_norm, m.method,
               m.confidence, m.sentence, m.start_char - m.sentence_start, m.end_char - m.sentence_start
        FROM mentions m JOIN articles a USING (article_id)
        WHERE m.item_id IN (SELECT item_id FROM chosen_items)
        QUALIFY row_number() OVER (PARTITION BY m.item_id ORDER BY m.start_char) = 1
    """).fetchall()
    by_id = {r[0]: r for r in rows}
    return [QueueItem(i, queue, *by_id[i][1:]) for queue, i in chosen if i in by_id]


_VERDICT_COLUMNS = {
    "item_id": "TEXT",
    "verdict": "TEXT",
    "correction": "TEXT",
    "reviewer": "TEXT",
    "queue": "TEXT",
    "judged_at": "TIMESTAMPTZ",
    "article_id": "TEXT",
    "content_hash": "TEXT",
    "label": "TEXT",
    "text": "TEXT",
    "context_before": "TEXT",
    "context_after": "TEXT",
    "norm": "TEXT",
    "entity_id": "TEXT",
    "method": "TEXT",
    "kind": "TEXT",
    "confidence": "DOUBLE",
    "pipeline_version": "TEXT",
    "new_label": "TEXT",
    "new_norm": "TEXT",
    "new_entity_id": "TEXT",
}


def _resolve(
    con: duckdb.DuckDBPyConnection, verdicts: Sequence[Verdict]
) -> tuple[list[dict[str, Any]], list[VerdictError]]:
    """The verdicts table's row for each verdict that can be recorded, and the errors of the rest."""
    stage_rows(con, "asked_items", {"item_id": "TEXT"}, [{"item_id": v.item_id} for v in verdicts])
    found = {r["item_id"]: r for r in _current_mentions(con)}
    rows, errors = [], []
    for verdict in verdicts:
        problem = verdict_problem(verdict)
        mention = found.get(verdict.item_id)
        if problem is None and mention is None:
            problem = "no current mention has this item id"
        effect = _effect(con, verdict, mention) if problem is None and mention else None
        if isinstance(effect, str):
            problem = effect
        if problem is not None or effect is None or mention is None:
            errors.append(VerdictError(verdict.item_id, problem or "not recordable"))
            continue
        given = {"verdict": verdict.verdict, "correction": _clean(verdict.correction)}
        rows.append({**mention, **given, "reviewer": verdict.reviewer, "queue": verdict.queue, **effect})
    return rows, errors


def _current_mentions(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """The anchor and the judged fields of the current mention of each asked item."""
    cursor = con.execute("""
        SELECT m.item_id, m.article_id, a.content_hash, a.text AS article_text, m.start_char, m.end_char,
               m.label, m.entity_norm AS norm, m.entity_id, m.method, m.kind, m.confidence,
               m.pipeline_version
        FROM mentions m JOIN articles a USING (article_id)
        WHERE m.item_id IN (SELECT item_id FROM asked_items)
        QUALIFY row_number() OVER (PARTITION BY m.item_id ORDER BY m.start_char) = 1
    """)
    names = [d[0] for d in cursor.description or []]
    out = []
    for values in cursor.fetchall():
        row = dict(zip(names, values, strict=True))
        anchor = anchor_of(row["article_id"], row.pop("article_text"), row["label"], row.pop("start_char"),
                           row.pop("end_char"))  # fmt: skip
        out.append(
            {**row, "text": anchor.text, "context_before": anchor.before, "context_after": anchor.after}
        )
    return out


def _effect(
    con: duckdb.DuckDBPyConnection, verdict: Verdict, mention: dict[str, Any]
) -> dict[str, str | None] | str:
    """What the verdict changes (new_label, new_norm, new_entity_id), or why it cannot."""
    correction = _clean(verdict.correction) or ""
    label, norm = mention["label"], mention["norm"]
    if verdict.verdict == "wrong_label":
        if correction == label:
            return f"wrong_label: the mention is a {label} already"
        entity = _entity_of(con, correction, norm) if norm else None
        return {"new_label": correction, "new_norm": None, "new_entity_id": entity}
    if verdict.verdict == "wrong_norm":
        if label == "COUNTRY" and not country_code(correction):
            return f"wrong_norm: a country's norm is its ISO 3166-1 alpha-3 code, not {correction!r}"
        return {
            "new_label": None,
            "new_norm": correction,
            "new_entity_id": _entity_of(con, label, correction),
        }
    if verdict.verdict == "merge":
        target = _merge_target(con, correction, label)
        if target is None:
            return f"merge: no entity has the id or norm {correction!r}"
        if target[0] == mention["entity_id"]:
            return "merge: that is the mention's own entity, or one already merged into it"
        return {"new_entity_id": target[0], "new_label": target[1], "new_norm": target[2]}
    return {"new_label": None, "new_norm": None, "new_entity_id": None}


def _entity_of(con: duckdb.DuckDBPyConnection, label: str, norm: str) -> str:
    """The id of the entity with this label and norm: the stored one, else the one made from them."""
    rows = con.execute(
        "SELECT entity_id FROM entities WHERE label = ? AND norm = ? ORDER BY entity_id LIMIT 1",
        [label, norm],
    ).fetchall()
    return str(rows[0][0]) if rows else plain_id(label, norm)


def _merge_target(con: duckdb.DuckDBPyConnection, correction: str, label: str) -> tuple[str, str, str] | None:
    """(entity id, label, norm) of the entity named by id, else by norm (one of the mention's
    label first), as far as merges already lead; None when none is."""
    rows = con.execute(
        """
        SELECT coalesce(g.entity_id, e.entity_id), coalesce(g.label, e.label), coalesce(g.norm, e.norm)
        FROM entities e LEFT JOIN entity_merges g ON g.from_entity_id = e.entity_id
        WHERE e.entity_id = $given OR e.norm = $given
        ORDER BY e.entity_id <> $given, e.label <> $label, e.entity_id
        LIMIT 1
        """,
        {"given": correction, "label": label},
    ).fetchall()
    return (str(rows[0][0]), str(rows[0][1]), str(rows[0][2])) if rows else None


def _clean(correction: str | None) -> str | None:
    return correction.strip() or None if correction else None
