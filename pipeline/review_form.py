"""The review form as an analyst fills it in: the choices per queue item, the evidence shown
beside them, and the verdicts the answers amount to.

Pure: queue items and answers in, text and verdicts out. The Prefect form itself (a RunInput
model built from these) is made in flows.review. Article text comes from the web, so every
piece of it is escaped before it goes into the Markdown the form shows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from pipeline.event_verdicts import EventItem, EventKind, EventVerdict
from pipeline.events.lexicon import STATUSES, TYPES
from pipeline.review import escape_md, link
from pipeline.verdicts import LABELS, Kind, QueueItem, Verdict

Item = QueueItem | EventItem

# The verdict an answer starts with: nothing is recorded for an item left at it.
NOT_JUDGED = "not judged"
# Choices whose correction is typed in the item's text field.
WRONG_NORM = "wrong norm (type the right one)"
SAME_AS = "same entity as (type its norm)"
_WRONG_LABEL = "wrong label: "  # + the right label; one choice per other label
_FIXED: dict[str, Kind] = {"correct": "correct", "not an entity": "not_entity"}
_TYPED: dict[str, Kind] = {WRONG_NORM: "wrong_norm", SAME_AS: "merge"}
WRONG_ROLES = "wrong roles (type them: actors > counterparts)"
_WRONG_TYPE = "wrong type: "  # + the right type; one choice per other type
_WRONG_STATUS = "wrong status: "  # + the right status; one choice per other status
_EVENT_FIXED: dict[str, EventKind] = {"correct": "correct", "not an event": "not_event"}

QUEUE_NOTES = {
    "new": "an entity first seen in recent runs",
    "low_confidence": "one of the least confident of its kind",
    "sample": "drawn at random: counts towards the precision estimate",
}


@dataclass(frozen=True)
class Answer:
    """What the form holds for one item: the chosen verdict and the text typed beside it."""

    choice: str = NOT_JUDGED
    text: str = ""


def choices(label: str) -> tuple[str, ...]:
    """The verdicts offered for a mention with `label`, not judged first; a wrong label names
    each other label."""
    relabel = tuple(f"{_WRONG_LABEL}{other}" for other in LABELS if other != label)
    return (NOT_JUDGED, *_FIXED, *relabel, WRONG_NORM, SAME_AS)


def event_choices(type_: str, status: str) -> tuple[str, ...]:
    """The verdicts offered for an event of `type_` and `status`, not judged first; a wrong type
    or status names each other one, wrong roles takes them typed in."""
    retype = tuple(f"{_WRONG_TYPE}{other}" for other in TYPES if other != type_)
    restatus = tuple(f"{_WRONG_STATUS}{other}" for other in STATUSES if other != status)
    return (NOT_JUDGED, *_EVENT_FIXED, *retype, WRONG_ROLES, *restatus)


def field_name(item: Item) -> str:
    """The form's key for an item: its id, the same wherever and whenever it is shown."""
    return f"item_{item.item_id}"


def item_title(number: int, item: Item) -> str:
    """Plain text (the form does not render its labels as Markdown)."""
    if isinstance(item, EventItem):
        return f"{number}. {' '.join(item.weapon_text.split())} ({item.type} event)"
    return f"{number}. {' '.join(item.text.split())} ({item.label})"


def item_evidence(item: Item, problem: str | None = None) -> str:
    """The mention in bold in its sentence, then its norm, method, confidence, queue and article;
    and why its last answer was sent back, if it was. An event's is `event_evidence`."""
    if isinstance(item, EventItem):
        return event_evidence(item, problem)
    before, words, after = item.sentence[: item.start], item.text, item.sentence[item.end :]
    if item.sentence[item.start : item.end] != item.text:  # offsets off: show the sentence as is
        sentence = escape_md(item.sentence)
    else:
        sentence = f"{_escaped(before)}**{escape_md(words)}**{_escaped(after)}".strip()
    norm = f"norm *{escape_md(item.norm)}*" if item.norm else "no norm"
    facts = [norm, escape_md(item.method), f"confidence {item.confidence:.2f}", QUEUE_NOTES[item.queue]]
    shown = f"{sentence}\n\n{' · '.join(facts)} · {link(item.title, item.url)}"
    return f"{shown}\n\n**Not recorded: {escape_md(problem)}**" if problem else shown


def event_evidence(item: EventItem, problem: str | None = None) -> str:
    """The weapon in bold in its sentence, then what the event says (type, actors > counterparts
    as the codes a correction is typed in, status, negation), method, confidence, queue, article;
    and why its last answer was sent back, if it was."""
    start, end = item.weapon_start, item.weapon_end
    if item.sentence[start:end] != item.weapon_text:
        sentence = escape_md(item.sentence)
    else:
        before, after = _escaped(item.sentence[:start]), _escaped(item.sentence[end:])
        sentence = f"{before}**{escape_md(item.weapon_text)}**{after}".strip()
    facts = [
        f"*{item.type}* of {escape_md(item.weapon)}",
        f"roles {roles_text(item.actors, item.counterparts)}",
        f"status *{item.status}*" + (", **negated**" if item.negated else ""),
        escape_md(item.method),
        f"confidence {item.confidence:.2f}",
        QUEUE_NOTES[item.queue],
    ]
    shown = f"{sentence}\n\n{' · '.join(facts)} · {link(item.title, item.url)}"
    return f"{shown}\n\n**Not recorded: {escape_md(problem)}**" if problem else shown


def roles_text(actors: Sequence[str], counterparts: Sequence[str]) -> str:
    """Roles as a correction types them: 'USA > TWN', a side with nobody as '?'."""
    return f"{', '.join(actors) or '?'} > {', '.join(counterparts) or '?'}"


def _escaped(text: str) -> str:
    """`text` escaped, keeping a space at either end where it had white space: bold needs none."""
    inner = escape_md(text)
    lead = " " if text[:1].isspace() and inner else ""
    trail = " " if text[-1:].isspace() and inner else ""
    return f"{lead}{inner}{trail}"


def batch_description(number: int, total: int, items: Sequence[Item], problems: Mapping[str, str]) -> str:
    """The Markdown above the form: what to do, and why the last answers were sent back (by item
    id). The UI shows it only while the form fits its window, so each item repeats its own."""
    lines = [
        f"## Review: batch {number} of {total} ({_counted(items)})",
        "",
        "For each mention or event below choose a verdict; an item left at *not judged* is skipped and comes"
        " back in a later review. *Wrong norm* and *same entity as* take the norm typed in the item's"
        " text field. For an event, *wrong roles* takes the right countries typed as three-letter codes,"
        " actors then counterparts: `USA > TWN`. Submit to record the verdicts.",
    ]
    if problems:
        lines += ["", "**These answers could not be recorded; nothing of this batch was. Correct them:**", ""]
        lines += [
            f"- {number}. {escape_md(_words(item))}: {escape_md(problems[item.item_id])}"
            for number, item in enumerate(items, 1)
            if item.item_id in problems
        ]
    return "\n".join(lines)


def _counted(items: Sequence[Item]) -> str:
    events = sum(isinstance(item, EventItem) for item in items)
    parts = [(len(items) - events, "mentions"), (events, "events")]
    return ", ".join(f"{n} {what}" for n, what in parts if n) or "nothing"


def _words(item: Item) -> str:
    return item.weapon_text if isinstance(item, EventItem) else item.text


def verdicts_of(
    items: Sequence[Item], answers: Mapping[str, Answer], reviewer: str
) -> tuple[list[Verdict | EventVerdict], dict[str, str]]:
    """The verdicts the answers give, and by item id why an answer gives none it should.

    Text typed beside a verdict that takes none (correct, not an entity or event, a wrong label,
    type or status chosen from the list) is ignored."""
    verdicts: list[Verdict | EventVerdict] = []
    problems: dict[str, str] = {}
    for item in items:
        answer = answers.get(field_name(item), Answer())
        if answer.choice == NOT_JUDGED:
            continue
        if isinstance(item, EventItem):
            judged = _event_verdict(item, answer, reviewer.strip())
            if isinstance(judged, str):
                problems[item.item_id] = judged
            else:
                verdicts.append(judged)
            continue
        kind, correction = _verdict(answer)
        if kind is None:
            problems[item.item_id] = f"unknown verdict {answer.choice!r}"
        elif kind in _TYPED.values() and correction is None:
            problems[item.item_id] = f"{answer.choice.split(' (')[0]} needs a norm typed in"
        else:
            verdicts.append(Verdict(item.item_id, kind, correction, reviewer.strip(), item.queue))
    return verdicts, problems


def _event_verdict(item: EventItem, answer: Answer, reviewer: str) -> EventVerdict | str:
    """The verdict an event's answer gives, or why it gives none."""
    choice = answer.choice
    if choice in _EVENT_FIXED:
        return EventVerdict(item.item_id, _EVENT_FIXED[choice], None, reviewer, item.queue)
    if choice == WRONG_ROLES:
        typed = answer.text.strip()
        if not typed:
            return "wrong roles needs the countries typed in (USA > TWN)"
        return EventVerdict(item.item_id, "wrong_roles", typed, reviewer, item.queue)
    corrected = choice.split(": ", 1)[-1]
    if choice.startswith(_WRONG_TYPE) and corrected in TYPES:
        return EventVerdict(item.item_id, "wrong_type", corrected, reviewer, item.queue)
    if choice.startswith(_WRONG_STATUS) and corrected in STATUSES:
        return EventVerdict(item.item_id, "wrong_status", corrected, reviewer, item.queue)
    return f"unknown verdict {choice!r}"


def _verdict(answer: Answer) -> tuple[Kind | None, str | None]:
    typed = answer.text.strip() or None
    if answer.choice in _FIXED:
        return _FIXED[answer.choice], None
    if answer.choice in _TYPED:
        return _TYPED[answer.choice], typed
    if answer.choice.startswith(_WRONG_LABEL) and answer.choice[len(_WRONG_LABEL) :] in LABELS:
        return "wrong_label", answer.choice[len(_WRONG_LABEL) :]
    return None, None


class Estimate(Protocol):
    """A precision estimate as warehouse.verdicts.precision_estimates gives it."""

    by: str
    key: str
    n: int
    correct: int
    estimate: float
    low: float
    high: float


def summary_markdown(
    recorded: int, skipped: int, estimates: Sequence[Estimate], unmatched: int, unmatched_events: int = 0
) -> str:
    """What a review recorded, and the precision that every random-sample verdict so far gives."""
    lines = [
        f"**{recorded} verdicts recorded**, {skipped} mentions and events left for a later review.",
        "",
        "Precision per label, per method and per event type, from every verdict in force on the random"
        " *sample* queue (the other queues pick likely mistakes on purpose); the interval is Wilson's 95 %"
        " score interval, *n* the mentions or events judged.",
        "",
    ]
    if estimates:
        lines += ["| by | | n | correct | precision (95 % interval) |", "|---|---|---:|---:|---|"]
        lines += [
            f"| {e.by} | {escape_md(e.key)} | {e.n} | {e.correct} | {_interval(e)} |" for e in estimates
        ]
    else:
        lines.append("*No sample verdicts yet: no estimate.*")
    lines += [
        "",
        f"Verdicts in force that no current mention matches: **{unmatched}**; that no current event"
        f" matches: **{unmatched_events}**.",
    ]
    return "\n".join(lines)


def _interval(e: Estimate) -> str:
    return f"{e.estimate:.2f} ({e.low:.2f} – {e.high:.2f})"
