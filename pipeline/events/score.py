"""Scoring predicted events against gold ones in the EVENTS.md layout: an event matches when
the article, type, weapon norm (any case) and set of actors agree and the sentences overlap;
counterparts, status, quantity and value are then compared on the matched pairs."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.events.lexicon import TYPES

# Compared on matched events, in the order they are reported.
AGREEMENT = ("counterparts", "status", "quantity", "value")


@dataclass(frozen=True, slots=True)
class Scored:
    """One event as the scorer sees it."""

    start: int
    end: int
    type: str
    weapon: str
    actors: frozenset[str]
    counterparts: frozenset[str]
    status: str | None
    quantity: int | None
    value: tuple[float, str] | None


@dataclass(frozen=True, slots=True)
class Document:
    """A line of an events file: the text (gold only) and its events."""

    id: str
    text: str | None
    events: tuple[Scored, ...]


@dataclass
class Scores:
    """Counts per type, and agreement on the matched pairs."""

    gold: dict[str, int] = field(default_factory=dict)
    predicted: dict[str, int] = field(default_factory=dict)
    matched: dict[str, int] = field(default_factory=dict)
    agreed: dict[str, int] = field(default_factory=lambda: dict.fromkeys(AGREEMENT, 0))

    def counts(self, kind: str | None = None) -> tuple[int, int, int]:
        """Gold, predicted and matched events of one type, or of all types."""

        def pick(counts: dict[str, int]) -> int:
            return counts.get(kind, 0) if kind else sum(counts.values())

        return pick(self.gold), pick(self.predicted), pick(self.matched)

    def prf(self, kind: str | None = None) -> tuple[float, float, float]:
        """Precision, recall and F1 for one type, or over all types."""
        gold, pred, tp = self.counts(kind)
        precision = tp / pred if pred else 0.0
        recall = tp / gold if gold else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return precision, recall, f1


def read_events(path: Path) -> dict[str, Document]:
    """An events file by id; a line that is not a document raises ValueError naming the line."""
    documents: dict[str, Document] = {}
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                document = parse_document(json.loads(line))
            except (ValueError, KeyError, TypeError) as error:
                detail = f"missing field {error}" if isinstance(error, KeyError) else str(error)
                raise ValueError(f"{path}:{number}: not an events line ({detail})") from None
            documents[document.id] = document
    return documents


def parse_document(record: dict[str, Any]) -> Document:
    """A document from its JSON object (EVENTS.md layout)."""
    if not isinstance(record, dict):
        raise TypeError("not a JSON object")
    text = record.get("text")
    events = record.get("events", [])
    if not isinstance(events, list):
        raise TypeError("events is not a list")
    return Document(
        str(record["id"]), text if isinstance(text, str) else None, tuple(map(parse_event, events))
    )


def parse_event(event: dict[str, Any]) -> Scored:
    value = event.get("value")
    return Scored(
        start=int(event["start"]),
        end=int(event["end"]),
        type=str(event["type"]),
        weapon=str(event["weapon"]).casefold(),
        actors=frozenset(event.get("actors") or ()),
        counterparts=frozenset(event.get("counterparts") or ()),
        status=event.get("status"),
        quantity=event.get("quantity"),
        value=(float(value["amount"]), str(value["currency"]).upper()) if value else None,
    )


def score(gold: dict[str, Document], predicted: dict[str, Document]) -> Scores:
    """Counts over the gold documents; predictions for documents not in the gold are ignored."""
    scores = Scores()
    for doc_id, document in gold.items():
        guesses = predicted[doc_id].events if doc_id in predicted else ()
        _count(scores.gold, (e.type for e in document.events))
        _count(scores.predicted, (e.type for e in guesses))
        for g, p in _pairs(document.events, guesses):
            scores.matched[g.type] = scores.matched.get(g.type, 0) + 1
            for name in AGREEMENT:
                scores.agreed[name] += _agrees(name, g, p)
    return scores


def _pairs(gold: Iterable[Scored], predicted: Iterable[Scored]) -> Iterator[tuple[Scored, Scored]]:
    """Matching pairs, each event used once, in the order the gold gives them."""
    free = list(predicted)
    for g in gold:
        p = next((p for p in free if _matches(g, p)), None)
        if p is not None:
            free.remove(p)
            yield g, p


def _matches(g: Scored, p: Scored) -> bool:
    return (
        g.type == p.type
        and g.weapon == p.weapon
        and g.actors == p.actors
        and g.start < p.end
        and p.start < g.end
    )


def _agrees(name: str, g: Scored, p: Scored) -> bool:
    if name != "value":
        return bool(getattr(g, name) == getattr(p, name))
    if g.value is None or p.value is None:
        return g.value is p.value
    # A sum written "$1.1 billion" may be read as 1.1e9 or 1.10e9: agree within a thousandth.
    return g.value[1] == p.value[1] and abs(g.value[0] - p.value[0]) <= 1e-3 * abs(g.value[0])


def _count(counts: dict[str, int], kinds: Iterable[str]) -> None:
    for kind in kinds:
        counts[kind] = counts.get(kind, 0) + 1


def report(scores: Scores) -> str:
    """The scores as a plain-text table, one line per type and one overall, then agreement."""
    lines = [f"{'type':<13} {'gold':>5} {'pred':>5} {'match':>5} {'P':>6} {'R':>6} {'F1':>6}"]
    kinds = [k for k in TYPES if k in scores.gold or k in scores.predicted]
    kinds += sorted((scores.gold.keys() | scores.predicted.keys()) - set(TYPES))
    for kind in [*kinds, None]:
        p, r, f = scores.prf(kind)
        gold, pred, tp = scores.counts(kind)
        lines.append(f"{kind or 'overall':<13} {gold:>5} {pred:>5} {tp:>5} {p:>6.3f} {r:>6.3f} {f:>6.3f}")
    matched = sum(scores.matched.values())
    lines.append(f"agreement on {matched} matched events:")
    for name in AGREEMENT:
        share = scores.agreed[name] / matched if matched else 0.0
        lines.append(f"  {name:<13} {scores.agreed[name]:>5} {share:>6.3f}")
    return "\n".join(lines)
