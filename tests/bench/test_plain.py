"""The plain script's rows: what a user's afternoon script keeps of a parse."""

from __future__ import annotations

from bench.plain import entity_rows


def test_countries_get_their_iso3_code_and_other_labels_are_dropped() -> None:
    entities = [("France", "GPE"), ("Springfield", "GPE"), ("Emmanuel Macron", "PERSON"), ("NATO", "ORG")]
    rows = entity_rows("http://127.0.0.1/a", entities)
    assert rows == [
        ("http://127.0.0.1/a", "GPE", "France", "FRA"),
        ("http://127.0.0.1/a", "GPE", "Springfield", None),
        ("http://127.0.0.1/a", "PERSON", "Emmanuel Macron", None),
    ]


def test_a_person_named_like_a_country_gets_no_code() -> None:
    assert entity_rows("u", [("Jordan", "PERSON")]) == [("u", "PERSON", "Jordan", None)]
