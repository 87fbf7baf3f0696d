"""Scoring events: what matches, what is counted, what agrees, and what a bad file says."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pipeline.events.score import parse_document, read_events, report, score


def event(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "start": 0,
        "end": 50,
        "type": "transfer",
        "weapon": "Harpoon",
        "actors": ["USA"],
        "counterparts": ["TWN"],
        "status": "approved",
        "quantity": 60,
        "value": {"amount": 1.1e9, "currency": "USD"},
        "when": None,
        "negated": False,
    }
    return {**base, **changes}


def docs(*events: dict[str, Any], doc_id: str = "a") -> dict[str, Any]:
    return {doc_id: parse_document({"id": doc_id, "text": "x", "events": list(events)})}


def test_a_match_needs_type_weapon_actors_and_overlapping_sentences() -> None:
    gold = docs(event())
    assert score(gold, docs(event(weapon="HARPOON", start=10, end=60))).prf() == (1.0, 1.0, 1.0)
    for wrong in (
        {"type": "acquisition"},
        {"weapon": "Tomahawk"},
        {"actors": ["USA", "JPN"]},
        {"start": 50, "end": 90},
    ):
        scores = score(gold, docs(event(**wrong)))
        assert scores.prf() == (0.0, 0.0, 0.0), wrong


def test_actors_are_a_set() -> None:
    gold = docs(event(actors=["JPN", "USA"]))
    assert score(gold, docs(event(actors=["USA", "JPN"]))).matched == {"transfer": 1}


def test_counts_per_type_and_overall() -> None:
    gold = docs(event(), event(type="test", weapon="Agni-V", actors=["IND"]))
    predicted = docs(
        event(),
        event(type="use", weapon="Kalibr", actors=["RUS"]),
        event(type="use", weapon="Kalibr", actors=["RUS"], start=60, end=90),
    )
    scores = score(gold, predicted)
    assert scores.counts("transfer") == (1, 1, 1)
    assert scores.counts("test") == (1, 0, 0)
    assert scores.counts("use") == (0, 2, 0)
    precision, recall, _ = scores.prf()
    assert (precision, recall) == (pytest.approx(1 / 3), 0.5)


def test_each_event_is_matched_once() -> None:
    scores = score(docs(event()), docs(event(), event()))
    assert scores.counts() == (1, 2, 1)


def test_agreement_on_matched_events() -> None:
    gold = docs(event(), event(weapon="Patriot", start=60, end=90))
    predicted = docs(
        event(value={"amount": 1.1000001e9, "currency": "usd"}),
        event(
            weapon="Patriot", start=60, end=90, counterparts=[], status="planned", quantity=None, value=None
        ),
    )
    scores = score(gold, predicted)
    assert scores.agreed == {"counterparts": 1, "status": 1, "quantity": 1, "value": 1}
    assert "value" in report(scores) and "overall" in report(scores)


def test_predictions_for_documents_outside_the_gold_are_ignored() -> None:
    scores = score(docs(event()), {**docs(event()), **docs(event(), doc_id="b")})
    assert scores.counts() == (1, 1, 1)


def test_a_document_without_predictions_counts_as_missed() -> None:
    assert score(docs(event()), {}).counts() == (1, 0, 0)


def test_read_events_names_a_bad_line(tmp_path: Path) -> None:
    path = tmp_path / "gold.jsonl"
    good = json.dumps({"id": "a", "text": "x", "events": [event()]})
    path.write_text(good + "\n\n" + '{"id": "b", "events": [{"type": "test"}]}\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"gold.jsonl:3: .*missing field 'start'"):
        read_events(path)
    path.write_text(good + "\nnot json\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"gold.jsonl:2"):
        read_events(path)
    path.write_text(good + "\n", encoding="utf-8")
    assert read_events(path)["a"].events[0].weapon == "harpoon"
