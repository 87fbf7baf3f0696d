"""Weapon events in the review form: the verdicts offered, the evidence shown, the verdicts the
answers give, and the roles a correction types."""

from __future__ import annotations

from dataclasses import replace

from pipeline.event_verdicts import EventItem, EventVerdict, Roles, event_verdict_problem, parse_roles
from pipeline.events.lexicon import STATUSES, TYPES
from pipeline.review_form import (
    NOT_JUDGED,
    WRONG_ROLES,
    Answer,
    batch_description,
    event_choices,
    field_name,
    item_evidence,
    item_title,
    verdicts_of,
)
from pipeline.verdicts import QueueItem

SENTENCE = "The United States approved the sale of 60 Harpoon missiles to Taiwan."


def _event(item_id: str = "e1", **fields: object) -> EventItem:
    weapon_text = str(fields.pop("weapon_text", "Harpoon"))
    sentence = str(fields.pop("sentence", SENTENCE))
    at = sentence.find(weapon_text)
    values = {
        "item_id": item_id,
        "queue": "sample",
        "article_id": "t1",
        "title": "Harpoons for Taiwan",
        "url": "https://news.example/t1",
        "type": "transfer",
        "weapon": "Harpoon",
        "weapon_text": weapon_text,
        "actors": ("USA",),
        "counterparts": ("TWN",),
        "status": "approved",
        "negated": False,
        "method": "rule",
        "confidence": 0.7,
        "sentence": sentence,
        "weapon_start": at,
        "weapon_end": at + len(weapon_text),
    }
    return EventItem(**{**values, **fields})  # type: ignore[arg-type]


def test_an_event_is_offered_every_other_type_and_status_and_its_roles() -> None:
    offered = event_choices("transfer", "approved")
    assert offered[0] == NOT_JUDGED and {"correct", "not an event", WRONG_ROLES} <= set(offered)
    types = {c.split(": ")[1] for c in offered if c.startswith("wrong type: ")}
    statuses = {c.split(": ")[1] for c in offered if c.startswith("wrong status: ")}
    assert types == set(TYPES) - {"transfer"}
    assert statuses == set(STATUSES) - {"approved"}


def test_answers_on_events_become_event_verdicts() -> None:
    items = [_event("e1"), _event("e2"), _event("e3"), _event("e4"), _event("e5")]
    answers = {
        field_name(items[0]): Answer("correct", "ignored"),
        field_name(items[1]): Answer("wrong type: acquisition"),
        field_name(items[2]): Answer("wrong status: completed"),
        field_name(items[3]): Answer(WRONG_ROLES, " USA > TWN, JPN "),
    }
    verdicts, problems = verdicts_of(items, answers, " ana ")
    assert problems == {}
    assert verdicts == [
        EventVerdict("e1", "correct", None, "ana", "sample"),
        EventVerdict("e2", "wrong_type", "acquisition", "ana", "sample"),
        EventVerdict("e3", "wrong_status", "completed", "ana", "sample"),
        EventVerdict("e4", "wrong_roles", "USA > TWN, JPN", "ana", "sample"),
    ]


def test_an_event_answer_that_gives_no_verdict_is_sent_back() -> None:
    items = [_event("e1"), _event("e2"), _event("e3")]
    answers = {
        field_name(items[0]): Answer(WRONG_ROLES, "  "),
        field_name(items[1]): Answer("wrong type: sale"),
        field_name(items[2]): Answer("not an entity"),
    }
    verdicts, problems = verdicts_of(items, answers, "ana")
    assert verdicts == []
    assert "typed in" in problems["e1"]
    assert set(problems) == {"e1", "e2", "e3"}


def test_mentions_and_events_are_judged_in_one_batch() -> None:
    mention = QueueItem("m1", "new", "t1", None, "u", "COUNTRY", "Taiwan", "TWN", "gazetteer", 0.9,
                        SENTENCE, SENTENCE.find("Taiwan"), SENTENCE.find("Taiwan") + 6)  # fmt: skip
    event = _event("e1")
    answers = {field_name(mention): Answer("not an entity"), field_name(event): Answer("not an event")}
    verdicts, problems = verdicts_of([mention, event], answers, "ana")
    assert problems == {}
    assert [(type(v).__name__, v.verdict) for v in verdicts] == [
        ("Verdict", "not_entity"),
        ("EventVerdict", "not_event"),
    ]
    assert "1 mentions, 1 events" in batch_description(1, 1, [mention, event], {})


def test_event_evidence_marks_the_weapon_and_says_what_the_event_is() -> None:
    shown = item_evidence(_event(counterparts=(), negated=True, title="<b>Deal</b>"))
    assert "approved the sale of 60 **Harpoon** missiles to Taiwan" in shown
    assert "*transfer*" in shown and "USA > ?" in shown and "*approved*" in shown
    assert "**negated**" in shown and "drawn at random" in shown
    assert "<b>" not in shown
    assert item_title(3, _event()) == "3. Harpoon (transfer event)"


def test_event_evidence_shows_the_sentence_unmarked_when_the_offsets_do_not_fit() -> None:
    shifted = replace(_event(), weapon_start=0, weapon_end=7)
    shown = item_evidence(shifted, "wrong_type: the event is a transfer already")
    assert "**Harpoon**" not in shown and "Harpoon missiles" in shown
    assert "**Not recorded: wrong\\_type: the event is a transfer already**" in shown


def test_roles_are_typed_as_codes_actors_then_counterparts() -> None:
    assert parse_roles("usa, gbr > twn") == Roles(("USA", "GBR"), ("TWN",))
    assert parse_roles(" > UKR") == Roles((), ("UKR",))
    assert parse_roles("DEU → POL") == Roles(("DEU",), ("POL",))
    for wrong in ("USA TWN", "Germany > POL", "USA > TWN > JPN", " > "):
        assert isinstance(parse_roles(wrong), str), wrong


def test_an_event_verdict_needs_a_fitting_correction() -> None:
    def problem(kind: str, correction: str | None, queue: str = "sample") -> str | None:
        return event_verdict_problem(EventVerdict("e1", kind, correction, "ana", queue))  # type: ignore[arg-type]

    assert problem("correct", None) is None and problem("not_event", None) is None
    assert problem("wrong_type", "test") is None and problem("wrong_status", "denied") is None
    assert problem("wrong_roles", "USA > TWN") is None
    assert problem("correct", "x") and problem("wrong_type", None) and problem("wrong_type", "sale")
    assert problem("wrong_status", "done") and problem("wrong_roles", "USA")
    assert problem("wrong_label", "PERSON") and problem("correct", None, queue="new")
