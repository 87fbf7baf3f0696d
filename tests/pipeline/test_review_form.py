from __future__ import annotations

import math
from dataclasses import dataclass

from pipeline.review_form import (
    NOT_JUDGED,
    SAME_AS,
    WRONG_NORM,
    Answer,
    batch_description,
    choices,
    field_name,
    item_evidence,
    item_title,
    summary_markdown,
    verdicts_of,
)
from pipeline.verdicts import LABELS, QueueItem, wilson_interval


@dataclass(frozen=True)
class Precision:
    """An estimate of the shape warehouse.verdicts gives."""

    by: str
    key: str
    n: int
    correct: int
    estimate: float
    low: float
    high: float


def _item(item_id: str, label: str = "WEAPON", queue: str = "sample", **fields: object) -> QueueItem:
    sentence = str(fields.pop("sentence", "Pyongyang fired a Hwasong-18 on Monday."))
    text = str(fields.pop("text", "Hwasong-18"))
    start = sentence.find(text)
    values = {
        "item_id": item_id,
        "queue": queue,
        "article_id": "a1",
        "title": "North Korea fires a missile",
        "url": "https://example.org/nk",
        "label": label,
        "text": text,
        "norm": "Hwasong-18",
        "method": "gazetteer",
        "confidence": 0.95,
        "sentence": sentence,
        "start": start,
        "end": start + len(text),
    }
    values.update(fields)
    return QueueItem(**values)  # type: ignore[arg-type]


def test_each_label_is_offered_as_the_right_one_except_the_mentions_own() -> None:
    for label in LABELS:
        offered = choices(label)
        assert offered[0] == NOT_JUDGED
        assert f"wrong label: {label}" not in offered
        assert {f"wrong label: {other}" for other in LABELS if other != label} <= set(offered)
        assert {"correct", "not an entity", WRONG_NORM, SAME_AS} <= set(offered)


def test_answers_become_verdicts_and_untouched_items_none() -> None:
    items = [_item("i1"), _item("i2", queue="new"), _item("i3"), _item("i4", "PERSON"), _item("i5")]
    answers = {
        field_name(items[0]): Answer("not an entity", "typed by mistake"),
        field_name(items[1]): Answer("wrong label: COUNTRY"),
        field_name(items[2]): Answer(WRONG_NORM, "  Hwasong-18 ICBM "),
        field_name(items[3]): Answer(SAME_AS, "Kim Jong Un"),
    }
    verdicts, problems = verdicts_of(items, answers, " analyst ")
    assert problems == {}
    given = {v.item_id: (v.verdict, v.correction, v.queue, v.reviewer) for v in verdicts}
    assert given == {
        "i1": ("not_entity", None, "sample", "analyst"),
        "i2": ("wrong_label", "COUNTRY", "new", "analyst"),
        "i3": ("wrong_norm", "Hwasong-18 ICBM", "sample", "analyst"),
        "i4": ("merge", "Kim Jong Un", "sample", "analyst"),
    }


def test_a_correction_without_its_norm_or_an_unknown_choice_is_sent_back() -> None:
    items = [_item("i1"), _item("i2"), _item("i3")]
    answers = {
        field_name(items[0]): Answer(WRONG_NORM, "   "),
        field_name(items[1]): Answer("wrong label: ORGANISATION"),
        field_name(items[2]): Answer("correct"),
    }
    verdicts, problems = verdicts_of(items, answers, "analyst")
    assert [v.item_id for v in verdicts] == ["i3"]
    assert problems == {
        "i1": "wrong norm needs a norm typed in",
        "i2": "unknown verdict 'wrong label: ORGANISATION'",
    }


def test_evidence_marks_the_mention_and_escapes_what_the_web_wrote() -> None:
    item = _item(
        "i1",
        sentence="A *new* [missile]: the Hwasong-18, said <b>KCNA</b>.",
        title="Fires_missile [update]",
        method="model",
        confidence=0.5,
    )
    shown = item_evidence(item)
    assert "the **Hwasong-18**, said" in shown
    assert r"\*new\*" in shown and r"\[missile\]" in shown and "&lt;b&gt;KCNA" in shown
    assert "<b>" not in shown
    assert r"[Fires\_missile \[update\]](https://example.org/nk)" in shown
    assert "norm *Hwasong-18*" in shown and "model" in shown and "confidence 0.50" in shown
    assert "drawn at random" in shown
    assert item_title(3, item) == "3. Hwasong-18 (WEAPON)"


def test_evidence_shows_the_sentence_unmarked_when_the_offsets_do_not_fit() -> None:
    item = _item("i1", start=0, end=4)
    shown = item_evidence(item)
    assert "**" not in shown.split("\n")[0]
    assert shown.startswith("Pyongyang fired a Hwasong-18 on Monday.")


def test_a_batch_sent_back_says_why_above_the_form_and_at_each_item() -> None:
    items = [_item("i1"), _item("i2", text="Pyongyang")]
    assert "could not be recorded" not in batch_description(1, 2, items, {})
    why = "merge: no entity has the id or norm 'X_Y'"
    text = batch_description(2, 2, items, {"i2": why})
    assert "batch 2 of 2" in text
    assert r"- 2. Pyongyang: merge: no entity has the id or norm 'X\_Y'" in text and "- 1." not in text
    assert item_evidence(items[1], why).endswith(
        r"**Not recorded: merge: no entity has the id or norm 'X\_Y'**"
    )
    assert "Not recorded" not in item_evidence(items[0])


def test_summary_shows_each_estimate_with_its_interval_and_sample_size() -> None:
    estimates = []
    for by, key, correct, n in (("label", "WEAPON", 4, 5), ("method", "gazetteer", 3, 3)):
        interval = wilson_interval(correct, n)
        estimates.append(Precision(by, key, n, correct, interval.estimate, interval.low, interval.high))
    interval = wilson_interval(1, 2)
    estimates.append(Precision("event type", "test", 2, 1, interval.estimate, interval.low, interval.high))
    text = summary_markdown(6, 24, estimates, 2, 5)
    assert "**6 verdicts recorded**, 24 mentions and events left" in text
    assert "| event type | test | 2 | 1 | 0.50 (" in text
    assert "no current event matches: **5**" in text
    low, high = wilson_interval(4, 5).low, wilson_interval(4, 5).high
    assert f"| label | WEAPON | 5 | 4 | 0.80 ({low:.2f} – {high:.2f}) |" in text
    assert "| method | gazetteer | 3 | 3 | 1.00 (" in text
    assert "matches: **2**" in text
    assert not math.isnan(high)


def test_summary_without_sample_verdicts_says_there_is_no_estimate() -> None:
    assert "No sample verdicts yet" in summary_markdown(0, 3, [], 0)
