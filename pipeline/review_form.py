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

from pipeline.review import escape_md, link
from pipeline.verdicts import LABELS, Kind, QueueItem, Verdict

# The verdict an answer starts with: nothing is recorded for an item left at it.
NOT_JUDGED = "not judged"
# Choices whose correction is typed in the item's text field.
WRONG_NORM = "wrong norm (type the right one)"
SAME_AS = "same entity as (type its norm)"
_WRONG_LABEL = "wrong label: "  # + the right label; one choice per other label
_FIXED: dict[str, Kind] = {"correct": "correct", "not an entity": "not_entity"}
_TYPED: dict[str, Kind] = {WRONG_NORM: "wrong_norm", SAME_AS: "merge"}

QUEUE_NOTES = {
    "new": "an entity first seen in recent runs",
    "low_confidence": "one of the least confident mentions",
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


def field_name(item: QueueItem) -> str:
    """The form's key for an item: its id, the same wherever and whenever it is shown."""
    return f"item_{item.item_id}"


def item_title(number: int, item: QueueItem) -> str:
    """Plain text (the form does not render its labels as Markdown)."""
    return f"{number}. {' '.join(item.text.split())} ({item.label})"


def item_evidence(item: QueueItem, problem: str | None = None) -> str:
    """The mention in bold in its sentence, then its norm, method, confidence, queue and article;
    and why its last answer was sent back, if it was."""
    before, words, after = item.sentence[: item.start], item.text, item.sentence[item.end :]
    if item.sentence[item.start : item.end] != item.text:  # offsets off: show the sentence as is
        sentence = escape_md(item.sentence)
    else:
        sentence = f"{_escaped(before)}**{escape_md(words)}**{_escaped(after)}".strip()
    norm = f"norm *{escape_md(item.norm)}*" if item.norm else "no norm"
    facts = [norm, escape_md(item.method), f"confidence {item.confidence:.2f}", QUEUE_NOTES[item.queue]]
    shown = f"{sentence}\n\n{' · '.join(facts)} · {link(item.title, item.url)}"
    return f"{shown}\n\n**Not recorded: {escape_md(problem)}**" if problem else shown


def _escaped(text: str) -> str:
    """`text` escaped, keeping a space at either end where it had white space: bold needs none."""
    inner = escape_md(text)
    lead = " " if text[:1].isspace() and inner else ""
    trail = " " if text[-1:].isspace() and inner else ""
    return f"{lead}{inner}{trail}"


def batch_description(
    number: int, total: int, items: Sequence[QueueItem], problems: Mapping[str, str]
) -> str:
    """The Markdown above the form: what to do, and why the last answers were sent back (by item
    id). The UI shows it only while the form fits its window, so each item repeats its own."""
    lines = [
        f"## Review: batch {number} of {total} ({len(items)} mentions)",
        "",
        "For each mention below choose a verdict; an item left at *not judged* is skipped and comes"
        " back in a later review. *Wrong norm* and *same entity as* take the norm typed in the item's"
        " text field. Submit to record the verdicts.",
    ]
    if problems:
        lines += ["", "**These answers could not be recorded; nothing of this batch was. Correct them:**", ""]
        lines += [
            f"- {number}. {escape_md(item.text)}: {escape_md(problems[item.item_id])}"
            for number, item in enumerate(items, 1)
            if item.item_id in problems
        ]
    return "\n".join(lines)


def verdicts_of(
    items: Sequence[QueueItem], answers: Mapping[str, Answer], reviewer: str
) -> tuple[list[Verdict], dict[str, str]]:
    """The verdicts the answers give, and by item id why an answer gives none it should.

    Text typed beside a verdict that takes none (correct, not an entity) is ignored."""
    verdicts: list[Verdict] = []
    problems: dict[str, str] = {}
    for item in items:
        answer = answers.get(field_name(item), Answer())
        if answer.choice == NOT_JUDGED:
            continue
        kind, correction = _verdict(answer)
        if kind is None:
            problems[item.item_id] = f"unknown verdict {answer.choice!r}"
        elif kind in _TYPED.values() and correction is None:
            problems[item.item_id] = f"{answer.choice.split(' (')[0]} needs a norm typed in"
        else:
            verdicts.append(Verdict(item.item_id, kind, correction, reviewer.strip(), item.queue))
    return verdicts, problems


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


def summary_markdown(recorded: int, skipped: int, estimates: Sequence[Estimate], unmatched: int) -> str:
    """What a review recorded, and the precision that every random-sample verdict so far gives."""
    lines = [
        f"**{recorded} verdicts recorded**, {skipped} mentions left for a later review.",
        "",
        "Precision per label and per method, from every verdict in force on the random *sample*"
        " queue (the other queues pick likely mistakes on purpose); the interval is Wilson's 95 %"
        " score interval, *n* the mentions judged.",
        "",
    ]
    if estimates:
        lines += ["| by | | n | correct | precision (95 % interval) |", "|---|---|---:|---:|---|"]
        lines += [
            f"| {e.by} | {escape_md(e.key)} | {e.n} | {e.correct} | {_interval(e)} |" for e in estimates
        ]
    else:
        lines.append("*No sample verdicts yet: no estimate.*")
    lines += ["", f"Verdicts in force that no current mention matches: **{unmatched}**."]
    return "\n".join(lines)


def _interval(e: Estimate) -> str:
    return f"{e.estimate:.2f} ({e.low:.2f} – {e.high:.2f})"
