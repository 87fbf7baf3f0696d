from __future__ import annotations

from pipeline.event_table import SCHEMA as EVENT_SCHEMA
from pipeline.findings import concat, findings
from pipeline.mention_table import SCHEMA as MENTION_SCHEMA
from pipeline.records import Event, Mention

SENTENCE = "North Korea test-fired two cruise missiles."
TEXTS = dict.fromkeys(("a1", "a2", "a3"), SENTENCE)


def _parsed(article_id: str) -> tuple[str, list[Mention], list[Event]]:
    country = Mention(
        article_id, 0, 11, "North Korea", "COUNTRY", "PRK", "gazetteer", "name", 0.9, SENTENCE, 0
    )
    weapon = Mention(
        article_id, 27, 42, "cruise missiles", "WEAPON", "cruise missile", "pattern", None, 0.8, SENTENCE, 0
    )
    event = Event(
        article_id,
        0,
        len(SENTENCE),
        SENTENCE,
        "test",
        "cruise missile",
        27,
        42,
        "cruise missiles",
        ("PRK",),
        (),
        "completed",
        2,
        None,
        None,
        None,
        False,
        "test:subject",
        "test-fired",
        0.8,
    )
    return article_id, [country, weapon], [event]


def test_findings_hold_every_article_s_mentions_and_events_in_order() -> None:
    found = findings([_parsed("a1"), ("a2", [], []), _parsed("a3")], TEXTS)
    assert found.mentions.column("article_id").to_pylist() == ["a1", "a1", "a3", "a3"]
    assert found.events.column("article_id").to_pylist() == ["a1", "a3"]


def test_batches_concatenate_and_none_give_empty_tables() -> None:
    joined = concat([findings([_parsed("a1")], TEXTS), findings([], {}), findings([_parsed("a2")], TEXTS)])
    assert joined.events.column("article_id").to_pylist() == ["a1", "a2"]
    assert joined.mentions.num_rows == 4
    empty = concat([])
    assert (empty.mentions.schema, empty.events.schema) == (MENTION_SCHEMA, EVENT_SCHEMA)
    assert empty.mentions.num_rows == empty.events.num_rows == 0
