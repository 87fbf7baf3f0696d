from __future__ import annotations

from pipeline.event_table import SCHEMA, event_table
from pipeline.records import Event


def _event(article_id: str, quantity: int | None, amount: float | None) -> Event:
    return Event(
        article_id, 10, 60, "The US approved the sale of 60 Harpoon missiles to Taiwan.", "transfer",
        "Harpoon", 38, 45, "Harpoon", ("USA",), ("TWN",), "approved", quantity, amount,
        "USD" if amount else None, None, False, "cue:sale", "sale", 0.8,
    )  # fmt: skip


def test_each_event_is_one_row_with_roles_as_lists() -> None:
    rows = event_table([_event("a1", 60, 1.1e9), _event("a2", None, None)]).to_pylist()

    assert [(r["article_id"], r["actors"], r["counterparts"], r["quantity"]) for r in rows] == [
        ("a1", ["USA"], ["TWN"], 60),
        ("a2", ["USA"], ["TWN"], None),
    ]
    assert (rows[0]["value_amount"], rows[0]["value_currency"]) == (1.1e9, "USD")
    assert rows[1]["value_currency"] is None


def test_as_json_gives_the_events_layout() -> None:
    found = _event("a1", 60, 1.1e9).as_json()
    assert found["value"] == {"amount": 1.1e9, "currency": "USD"}
    assert (found["actors"], found["counterparts"], found["negated"]) == (["USA"], ["TWN"], False)
    assert _event("a1", None, None).as_json()["value"] is None


def test_no_events_is_an_empty_table_with_the_columns() -> None:
    table = event_table(iter([]))
    assert table.num_rows == 0
    assert table.schema == SCHEMA
