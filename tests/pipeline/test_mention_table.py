from __future__ import annotations

import json

from pipeline.mention_table import SCHEMA, mention_table
from pipeline.records import Mention


def test_each_mention_is_one_row_with_its_fields_and_attrs_as_json() -> None:
    plain = Mention("a1", 0, 5, "Japan", "COUNTRY", "JPN", "gazetteer", "name", 0.9, "Japan said.", 0)
    titled = Mention(
        "a2", 19, 32, "Fumio Kishida", "PERSON", "Fumio Kishida", "model", "full", 0.8, "s", 3,
        attrs={"role": "Prime Minister", "affiliation": "JPN"},
    )  # fmt: skip
    unresolved = Mention("a2", 40, 47, "Georgia", "COUNTRY", None, "gazetteer", None, 0.5, "s", 3)

    rows = mention_table([plain, titled, unresolved]).to_pylist()

    assert [(r["article_id"], r["start_char"], r["end_char"], r["norm"]) for r in rows] == [
        ("a1", 0, 5, "JPN"),
        ("a2", 19, 32, "Fumio Kishida"),
        ("a2", 40, 47, None),
    ]
    assert rows[0]["attrs"] is None
    assert json.loads(rows[1]["attrs"]) == titled.attrs
    assert (rows[1]["sentence_start"], rows[1]["confidence"], rows[1]["kind"]) == (3, 0.8, "full")
    assert rows[2]["kind"] is None


def test_no_mentions_is_an_empty_table_with_the_columns() -> None:
    table = mention_table(iter([]))
    assert table.num_rows == 0
    assert table.schema == SCHEMA
