"""Analysts' verdicts on weapon events: what they may say, and which event a verdict is about.

An event is anchored like a mention (pipeline.verdicts): its article, its type in the place of a
label, and the weapon's words with the characters around them; the same hash names it as a
review item, so a verdict finds its event again after reprocessing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal, get_args

from pipeline.events.lexicon import STATUSES, TYPES
from pipeline.verdicts import country_code, form_problem

EventKind = Literal["correct", "not_event", "wrong_type", "wrong_roles", "wrong_status"]
EventQueue = Literal["low_confidence", "sample"]
EVENT_KINDS: tuple[EventKind, ...] = get_args(EventKind)
EVENT_QUEUES: tuple[EventQueue, ...] = get_args(EventQueue)
# Between the actors and the counterparts of a roles correction ("USA > TWN"); → is accepted too.
ROLES_SEPARATOR = ">"
_CODES = re.compile(r"[\s,;]+")


@dataclass(frozen=True, slots=True)
class EventItem:
    """One weapon event put before an analyst. `weapon_start` and `weapon_end` are offsets in
    `sentence`, for marking the weapon there."""

    item_id: str
    queue: EventQueue
    article_id: str
    title: str | None
    url: str
    type: str
    weapon: str
    weapon_text: str
    actors: tuple[str, ...]
    counterparts: tuple[str, ...]
    status: str
    negated: bool
    method: str
    confidence: float
    sentence: str
    weapon_start: int
    weapon_end: int


@dataclass(frozen=True, slots=True)
class EventVerdict:
    """An analyst's judgement of one event. `correction`: the right type (wrong_type), the right
    status (wrong_status), or the right roles as 'actors > counterparts' (wrong_roles)."""

    item_id: str
    verdict: EventKind
    correction: str | None
    reviewer: str
    queue: EventQueue


@dataclass(frozen=True, slots=True)
class Roles:
    """Who acts and who is on the other side, as ISO alpha-3 codes."""

    actors: tuple[str, ...]
    counterparts: tuple[str, ...]


def parse_roles(text: str) -> Roles | str:
    """The roles typed as 'USA, GBR > TWN' (either side may be empty), or why they cannot be."""
    sides = text.replace("→", ROLES_SEPARATOR).split(ROLES_SEPARATOR)
    if len(sides) != 2:
        return f"roles are typed as 'actors > counterparts' (USA > TWN), not {text!r}"
    actors, counterparts = (tuple(c.upper() for c in _CODES.split(side.strip()) if c) for side in sides)
    wrong = [c for c in (*actors, *counterparts) if not country_code(c)]
    if wrong:
        return f"countries are ISO 3166-1 alpha-3 codes (GBR), not {', '.join(wrong)}"
    if not actors and not counterparts:
        return "roles name no country"
    return Roles(actors, counterparts)


def event_verdict_problem(verdict: EventVerdict) -> str | None:
    """Why an event verdict cannot be recorded as given (None when it can)."""
    correction = (verdict.correction or "").strip()
    plain = ("correct", "not_event")
    problem = form_problem(
        verdict.verdict, verdict.queue, verdict.reviewer, correction, EVENT_KINDS, EVENT_QUEUES, plain
    )
    if problem or verdict.verdict in plain:
        return problem
    if verdict.verdict == "wrong_type" and correction not in TYPES:
        return f"wrong_type needs the right type ({', '.join(TYPES)}), not {correction!r}"
    if verdict.verdict == "wrong_status" and correction not in STATUSES:
        return f"wrong_status needs the right status ({', '.join(STATUSES)}), not {correction!r}"
    if verdict.verdict == "wrong_roles":
        roles = parse_roles(correction)
        return roles if isinstance(roles, str) else None
    return None
