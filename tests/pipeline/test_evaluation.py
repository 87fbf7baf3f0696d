from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pipeline.evaluation import (
    FALSE_POSITIVE,
    MISSED,
    WRONG_NORM,
    WRONG_SPAN,
    Benchmark,
    Scored,
    Target,
    benchmarks,
    country_names_only,
    errors_markdown,
    find_errors,
    markdown_table,
    select,
    sentence_around,
    summary_table,
)


def _entity(label: str, kind: str | None, start: int) -> dict:
    return {"start": start, "end": start + 4, "label": label, "text": "x", "norm": "X", "kind": kind}


def test_names_only_view_drops_demonyms_and_capitals_but_nothing_else() -> None:
    doc = {
        "id": "d",
        "entities": [
            _entity("COUNTRY", "name", 0),
            _entity("COUNTRY", "adjective", 10),
            _entity("COUNTRY", "plural", 20),
            _entity("COUNTRY", "capital", 30),
            _entity("COUNTRY", "compound", 40),
            _entity("COUNTRY", "abbreviation", 50),
            _entity("PERSON", None, 60),
            _entity("WEAPON", "class", 70),
        ],
    }
    kept = country_names_only({"d": doc})["d"]["entities"]
    assert [e["start"] for e in kept] == [0, 40, 50, 60, 70]
    assert len(doc["entities"]) == 8  # the full predictions are left as they were


def test_table_without_micro_row() -> None:
    result = {
        "views": {
            v: {"COUNTRY": {"f1": 0.5, "p": 0.5, "r": 0.5, "tp": 1, "pred": 2, "gold": 2}}
            for v in ("exact", "overlap", "doc")
        }
    }
    table = markdown_table("t", ("COUNTRY",), result, result, micro=False)
    assert "| micro |" not in table and table.count("| COUNTRY |") == 3


def _key(label: str, norm: str | None, text: str) -> str:
    """A stand-in for the scorer's norm_key: case and spacing do not matter."""
    return "".join((norm or text).split()).casefold()


def _span(text: str, part: str, label: str, norm: str, **extra: Any) -> dict[str, Any]:
    start = text.index(part)
    return {"start": start, "end": start + len(part), "label": label, "text": part, "norm": norm, **extra}


TEXT = "Gen. Ada Brook met Cy Vale in Ruritania.\nLater Tarn said the talks went well."
GOLD = {
    "id": "d1",
    "text": TEXT,
    "entities": [
        _span(TEXT, "Ada Brook", "PERSON", "Ada Brook"),
        _span(TEXT, "Cy Vale", "PERSON", "Cy Vale"),
        _span(TEXT, "Ruritania", "COUNTRY", "RUR", metonym=False),
        _span(TEXT, "Tarn", "COUNTRY", "RUR", metonym=True),
    ],
}
PREDICTED = {
    "d1": {
        "id": "d1",
        "entities": [
            _span(TEXT, "Gen. Ada Brook", "PERSON", "Ada Brook"),  # wrong span
            _span(TEXT, "Tarn", "PERSON", "Tarn"),  # false positive; gold's COUNTRY missed
            _span(TEXT, "Ruritania", "COUNTRY", "RUX"),  # wrong norm
            # Cy Vale missed
        ],
    }
}


def test_each_kind_of_error_is_found_with_both_sides() -> None:
    found = find_errors([GOLD], PREDICTED, ("PERSON", "COUNTRY"), _key)
    assert [(e.label, e.kind) for e in found] == [
        ("PERSON", FALSE_POSITIVE),
        ("PERSON", MISSED),
        ("PERSON", WRONG_SPAN),
        ("COUNTRY", MISSED),
        ("COUNTRY", WRONG_NORM),
    ]
    false_positive, missed, wrong_span, missed_country, wrong_norm = found
    assert false_positive.predicted is not None and false_positive.predicted["text"] == "Tarn"
    assert false_positive.gold is None
    assert [e["label"] for e in false_positive.others] == ["COUNTRY"]
    assert missed.predicted is None and missed.gold is not None and missed.gold["text"] == "Cy Vale"
    assert missed.others == ()
    assert [e["label"] for e in missed_country.others] == ["PERSON"]
    assert wrong_span.predicted is not None and wrong_span.predicted["text"] == "Gen. Ada Brook"
    assert wrong_span.gold is not None and wrong_span.gold["text"] == "Ada Brook"
    assert wrong_norm.predicted is not None and wrong_norm.predicted["norm"] == "RUX"
    assert wrong_norm.gold is not None and wrong_norm.gold["norm"] == "RUR"
    assert missed.context == "Gen. Ada Brook met [[Cy Vale]] in Ruritania."
    assert false_positive.context == "Later [[Tarn]] said the talks went well."


def test_right_mentions_and_norms_equal_under_the_key_are_not_errors() -> None:
    predicted = {"d1": {"id": "d1", "entities": [{**e, "norm": e["norm"].upper()} for e in GOLD["entities"]]}}
    assert find_errors([GOLD], predicted, ("PERSON", "COUNTRY"), _key) == []


def test_an_exact_span_pairs_before_a_longer_overlapping_one() -> None:
    longer = _span(TEXT, "Gen. Ada Brook", "PERSON", "Ada Brook")
    exact = _span(TEXT, "Ada Brook", "PERSON", "Ada Brook")
    gold = {**GOLD, "entities": [exact]}
    found = find_errors([gold], {"d1": {"entities": [longer, exact]}}, ("PERSON",), _key)
    assert [(e.kind, e.predicted and e.predicted["text"]) for e in found] == [
        (FALSE_POSITIVE, "Gen. Ada Brook")
    ]


def test_a_document_without_predictions_has_every_gold_mention_missed() -> None:
    found = find_errors([GOLD], {}, ("PERSON", "COUNTRY"), _key)
    assert {e.kind for e in found} == {MISSED} and len(found) == 4


def test_sentence_is_cut_at_newlines_and_periods_but_not_abbreviations() -> None:
    text = "First line.\nGen. Ada Brook of the U.S. Army spoke. Then more."
    start = text.index("Ada")
    assert sentence_around(text, start, start + 3) == "Gen. [[Ada]] Brook of the U.S. Army spoke."


def test_a_long_sentence_is_cut_around_the_mention() -> None:
    text = "word " * 200 + "Ada " + "word " * 200
    start = text.index("Ada")
    snippet = sentence_around(text, start, start + 3, limit=60)
    assert snippet.startswith("…") and snippet.endswith("…") and "[[Ada]]" in snippet
    assert len(snippet) <= 70


def test_error_list_counts_groups_and_says_nothing_where_gold_has_nothing() -> None:
    found = find_errors([GOLD], PREDICTED, ("PERSON", "COUNTRY"), _key)
    page = errors_markdown("t", found, ("PERSON", "COUNTRY"), _key)
    assert "| PERSON | 1 | 1 | 1 | 0 | 3 |" in page
    assert "| COUNTRY | 0 | 1 | 0 | 1 | 2 |" in page
    assert "| all | 1 | 2 | 1 | 1 | 5 |" in page
    assert "## PERSON: false positive (1)" in page and "## COUNTRY: false positive" not in page
    fp_line = next(line for line in page.splitlines() if "`Tarn` → `Tarn`" in line)
    assert "`d1`" in fp_line and "47–51 PERSON" in fp_line
    assert "gold: nothing (as another label: 47–51 COUNTRY `Tarn` → `RUR` [metonym=true])" in fp_line
    assert "newsint: nothing · gold: 19–26 PERSON `Cy Vale` → `Cy Vale`" in page
    assert "(as another label: 47–51 PERSON `Tarn` → `Tarn`)" in page
    assert "(key `rux`)" in page and "(key `rur`)" in page


def _result(f1: dict[str, tuple[float, float]]) -> dict[str, Any]:
    views: dict[str, dict[str, Any]] = {"overlap": {}, "doc": {}}
    for label, (overlap, doc) in f1.items():
        views["overlap"][label] = {"f1": overlap}
        views["doc"][label] = {"f1": doc}
    return {"views": views}


def test_target_is_met_only_when_both_views_reach_it() -> None:
    target = Target(0.9, 0.8)
    assert target.verdict(_result({"PERSON": (0.9, 0.8)}), "PERSON") == "met"
    assert target.verdict(_result({"PERSON": (0.95, 0.79)}), "PERSON") == "missed (doc)"
    assert Target(0.77, 0.71, floor=True).describe() == "no lower than 0.77 / 0.71"


def test_summary_lists_targeted_labels_only() -> None:
    bench = Benchmark("k", "set", Path("g"), ("PERSON", "COUNTRY"), {"PERSON": Target(0.9, 0.8)})
    scored = Scored(bench, [], {}, _result({"PERSON": (0.95, 0.7)}), _result({"PERSON": (0.5, 0.4)}))
    table = summary_table([scored])
    assert "| set | PERSON | 0.950 / 0.700 | 0.500 / 0.400 | ≥ 0.90 / 0.80 | **missed (doc)** |" in table
    assert "COUNTRY" not in table


def test_sets_are_chosen_by_name_in_report_order() -> None:
    every = benchmarks(Path("shared"))
    assert [b.key for b in every] == ["guidelines", "re3d", "conll"]
    assert [b.key for b in select(every, "conll, guidelines")] == ["guidelines", "conll"]
    assert select(every, None) == every
    with pytest.raises(ValueError, match="unknown set nope"):
        select(every, "guidelines,nope")
