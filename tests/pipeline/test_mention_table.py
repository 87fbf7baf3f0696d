from __future__ import annotations

import json

from pipeline.mention_table import SCHEMA, mention_table
from pipeline.records import Mention
from pipeline.verdicts import anchor_of

TEXTS = {"a1": "Japan said.", "a2": "On Monday, Fumio Kishida said Georgia would not."}


def test_each_mention_is_one_row_with_its_fields_and_attrs_as_json() -> None:
    plain = Mention("a1", 0, 5, "Japan", "COUNTRY", "JPN", "gazetteer", "name", 0.9, "Japan said.", 0)
    titled = Mention(
        "a2", 11, 24, "Fumio Kishida", "PERSON", "Fumio Kishida", "model", "full", 0.8, "s", 3,
        attrs={"role": "Prime Minister", "affiliation": "JPN"},
    )  # fmt: skip
    unresolved = Mention("a2", 30, 37, "Georgia", "COUNTRY", None, "gazetteer", None, 0.5, "s", 3)

    rows = mention_table([plain, titled, unresolved], TEXTS).to_pylist()

    assert [(r["article_id"], r["start_char"], r["end_char"], r["norm"]) for r in rows] == [
        ("a1", 0, 5, "JPN"),
        ("a2", 11, 24, "Fumio Kishida"),
        ("a2", 30, 37, None),
    ]
    assert rows[0]["attrs"] is None
    assert json.loads(rows[1]["attrs"]) == titled.attrs
    assert (rows[1]["sentence_start"], rows[1]["confidence"], rows[1]["kind"]) == (3, 0.8, "full")
    assert rows[2]["kind"] is None
    assert [r["item_id"] for r in rows] == [
        anchor_of(m.article_id, TEXTS[m.article_id], m.label, m.start, m.end).item_id
        for m in (plain, titled, unresolved)
    ]


def test_sentences_are_numbered_in_text_order_within_each_article() -> None:
    """Numbers count the article's sentences that have a mention, whatever order they come in."""
    starts = [("a1", 40), ("a1", 0), ("a2", 7), ("a1", 40), ("a1", 90), ("a2", 7), ("a1", 0)]
    mentions = [
        Mention(article_id, start, start + 2, "x", "COUNTRY", None, "gazetteer", None, 0.5, "s", start)
        for article_id, start in starts
    ]
    table = mention_table(mentions, dict.fromkeys(("a1", "a2"), "x" * 100))
    assert table.column("sentence_no").to_pylist() == [1, 0, 0, 1, 2, 0, 0]


def test_no_mentions_is_an_empty_table_with_the_columns() -> None:
    table = mention_table(iter([]), {})
    assert table.num_rows == 0
    assert table.schema == SCHEMA
