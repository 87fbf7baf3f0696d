"""Review queues and analysts' verdicts on weapon events in the warehouse (migration 0013).

A verdict is stored with its event's anchor and with what the event said when judged. The event
views read `events_reviewed`, so a verdict takes effect as soon as it is stored.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import duckdb

from pipeline.event_verdicts import (
    EventItem,
    EventQueue,
    EventVerdict,
    Roles,
    event_verdict_problem,
    parse_roles,
)
from pipeline.verdicts import anchor_of, wilson_interval
from warehouse.db import now, stage_rows, transaction
from warehouse.verdicts import VerdictError

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class EventPrecision:
    """Precision of the events of one type, from the sample queue's verdicts: the share judged
    `correct`, with its Wilson 95 % interval."""

    by: str  # "event type"
    key: str
    n: int
    correct: int
    estimate: float
    low: float
    high: float


@dataclass(frozen=True, slots=True)
class UnmatchedEventVerdict:
    """An event verdict in force whose anchor no current event has."""

    verdict_id: int
    item_id: str
    verdict: str
    correction: str | None
    reviewer: str
    judged_at: datetime
    article_id: str
    type: str
    weapon_text: str


def review_event_queue(
    con: duckdb.DuckDBPyConnection, *, low: int = 5, sample: int = 5, seed: int | None = None
) -> list[EventItem]:
    """Events to judge: a uniform random sample of `sample` events not yet judged, drawn first so
    the other queue cannot bias it (the same `seed` draws the same one), then the `low`
    least confident of the rest."""
    seed = random.randrange(2**31) if seed is None else seed
    con.execute("""
        CREATE OR REPLACE TEMP TABLE unjudged_events AS
        SELECT item_id, min(confidence) AS confidence FROM events
        WHERE item_id IS NOT NULL AND item_id NOT IN (SELECT item_id FROM event_verdicts)
        GROUP BY item_id
    """)
    sampled = _ids(con, _SAMPLE, {"n": sample, "seed": seed})
    lowest = _ids(con, _LOW, {"n": low, "taken": sampled})
    chosen: list[tuple[EventQueue, str]] = [("low_confidence", i) for i in lowest]
    return _items(con, chosen + [("sample", i) for i in sampled])


_SAMPLE = "SELECT item_id FROM unjudged_events ORDER BY hash(item_id, $seed), item_id LIMIT $n"
_LOW = """
    SELECT item_id FROM unjudged_events WHERE item_id NOT IN (SELECT unnest($taken::TEXT[]))
    ORDER BY confidence, item_id LIMIT $n
"""


def _ids(con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, Any]) -> list[str]:
    return [str(r[0]) for r in con.execute(sql, params).fetchall()]


def _items(con: duckdb.DuckDBPyConnection, chosen: list[tuple[EventQueue, str]]) -> list[EventItem]:
    stage_rows(con, "chosen_events", {"item_id": "TEXT"}, [{"item_id": i} for _, i in chosen])
    rows = con.execute("""
        SELECT e.item_id, e.article_id, a.title, a.url, e.type, e.weapon, e.weapon_text, e.actors,
               e.counterparts, e.status, e.negated, e.method, e.confidence, e.sentence,
               e.weapon_start - e.start_char, e.weapon_end - e.start_char
        FROM events e JOIN articles a USING (article_id)
        WHERE e.item_id IN (SELECT item_id FROM chosen_events)
        QUALIFY row_number() OVER (PARTITION BY e.item_id ORDER BY e.start_char) = 1
    """).fetchall()
    by_id = {r[0]: r for r in rows}
    return [
        EventItem(i, queue, *r[1:7], tuple(r[7]), tuple(r[8]), *r[9:])
        for queue, i in chosen
        if (r := by_id.get(i)) is not None
    ]


def check_event_verdicts(
    con: duckdb.DuckDBPyConnection, verdicts: Sequence[EventVerdict]
) -> list[VerdictError]:
    """Why each of `verdicts` that `record_event_verdicts` would not record cannot be: a bad kind,
    queue or correction, a correction that changes nothing, an item no current event has."""
    return _resolve(con, verdicts)[1]


def record_event_verdicts(
    con: duckdb.DuckDBPyConnection, verdicts: Sequence[EventVerdict], at: datetime | None = None
) -> int:
    """Store the verdicts that can be (the others are logged and left out) in one transaction;
    returns how many were stored. Each row keeps the anchor and what the event said."""
    at = at or now()
    with transaction(con):
        rows, errors = _resolve(con, verdicts)
        for error in errors:
            log.warning("event verdict on %s not recorded: %s", error.item_id, error.problem)
        if rows:
            stage_rows(con, "given_event_verdicts", _COLUMNS, [{**r, "judged_at": at} for r in rows])
            con.execute(f"INSERT INTO event_verdicts ({', '.join(_COLUMNS)}) FROM given_event_verdicts")
    return len(rows)


def unmatched_event_verdicts(con: duckdb.DuckDBPyConnection) -> list[UnmatchedEventVerdict]:
    """Event verdicts in force that no current event matches (the view `event_verdicts_unmatched`)."""
    rows = con.execute("""
        SELECT verdict_id, item_id, verdict, correction, reviewer, judged_at, article_id, type, weapon_text
        FROM event_verdicts_unmatched ORDER BY judged_at, verdict_id
    """).fetchall()
    return [UnmatchedEventVerdict(*r) for r in rows]


def event_precision_estimates(con: duckdb.DuckDBPyConnection) -> list[EventPrecision]:
    """Precision per event type (as extracted), from the verdicts in force on the `sample` queue."""
    rows = con.execute("""
        SELECT type, count(*), count(*) FILTER (WHERE verdict = 'correct')
        FROM latest_event_verdicts WHERE queue = 'sample' GROUP BY type ORDER BY type
    """).fetchall()
    out = []
    for key, n, correct in rows:
        interval = wilson_interval(int(correct), int(n))
        out.append(EventPrecision("event type", str(key), int(n), int(correct), interval.estimate,
                                  interval.low, interval.high))  # fmt: skip
    return out


_COLUMNS = {
    "item_id": "TEXT",
    "verdict": "TEXT",
    "correction": "TEXT",
    "reviewer": "TEXT",
    "queue": "TEXT",
    "judged_at": "TIMESTAMPTZ",
    "article_id": "TEXT",
    "content_hash": "TEXT",
    "type": "TEXT",
    "weapon": "TEXT",
    "weapon_text": "TEXT",
    "context_before": "TEXT",
    "context_after": "TEXT",
    "actors": "TEXT[]",
    "counterparts": "TEXT[]",
    "status": "TEXT",
    "method": "TEXT",
    "confidence": "DOUBLE",
    "pipeline_version": "TEXT",
    "new_type": "TEXT",
    "new_actors": "TEXT[]",
    "new_counterparts": "TEXT[]",
    "new_status": "TEXT",
}


def _resolve(
    con: duckdb.DuckDBPyConnection, verdicts: Sequence[EventVerdict]
) -> tuple[list[dict[str, Any]], list[VerdictError]]:
    """The event_verdicts row for each verdict that can be recorded, and the errors of the rest."""
    found = _current_events(con, [v.item_id for v in verdicts])
    rows, errors = [], []
    for verdict in verdicts:
        event = found.get(verdict.item_id)
        problem = event_verdict_problem(verdict)
        if problem is None and event is None:
            problem = "no current event has this item id"
        effect = _effect(verdict, event) if problem is None and event is not None else problem
        if isinstance(effect, str) or effect is None or event is None:
            errors.append(VerdictError(verdict.item_id, effect or "not recordable"))
            continue
        given = {"verdict": verdict.verdict, "correction": (verdict.correction or "").strip() or None}
        rows.append({**event, **given, "reviewer": verdict.reviewer, "queue": verdict.queue, **effect})
    return rows, errors


def _current_events(con: duckdb.DuckDBPyConnection, item_ids: list[str]) -> dict[str, dict[str, Any]]:
    """The anchor and the judged fields of the current event of each asked item."""
    stage_rows(con, "asked_events", {"item_id": "TEXT"}, [{"item_id": i} for i in item_ids])
    cursor = con.execute("""
        SELECT e.item_id, e.article_id, a.content_hash, a.text AS article_text, e.weapon_start,
               e.weapon_end, e.type, e.weapon, e.actors, e.counterparts, e.status, e.method,
               e.confidence, e.pipeline_version
        FROM events e JOIN articles a USING (article_id)
        WHERE e.item_id IN (SELECT item_id FROM asked_events)
        QUALIFY row_number() OVER (PARTITION BY e.item_id ORDER BY e.start_char) = 1
    """)
    names = [d[0] for d in cursor.description or []]
    out = {}
    for values in cursor.fetchall():
        row = dict(zip(names, values, strict=True))
        anchor = anchor_of(row["article_id"], row.pop("article_text"), row["type"], row.pop("weapon_start"),
                           row.pop("weapon_end"))  # fmt: skip
        out[row["item_id"]] = {
            **row,
            "weapon_text": anchor.text,
            "context_before": anchor.before,
            "context_after": anchor.after,
        }
    return out


def _effect(verdict: EventVerdict, event: dict[str, Any]) -> dict[str, Any] | str:
    """What the verdict changes (new_type, new_actors, new_counterparts, new_status), or why it
    cannot: a correction to what the event already says changes nothing."""
    correction = (verdict.correction or "").strip()
    effect: dict[str, Any] = dict.fromkeys(("new_type", "new_actors", "new_counterparts", "new_status"))
    if verdict.verdict == "wrong_type":
        if correction == event["type"]:
            return f"wrong_type: the event is a {correction} already"
        effect["new_type"] = correction
    elif verdict.verdict == "wrong_status":
        if correction == event["status"]:
            return f"wrong_status: the event is {correction} already"
        effect["new_status"] = correction
    elif verdict.verdict == "wrong_roles":
        roles = parse_roles(correction)
        if isinstance(roles, str):
            return roles
        if roles == Roles(tuple(event["actors"]), tuple(event["counterparts"])):
            return "wrong_roles: the event has these roles already"
        effect["new_actors"], effect["new_counterparts"] = list(roles.actors), list(roles.counterparts)
    return effect
