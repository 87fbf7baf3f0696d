"""Sums of money and dates read from text, with the real data files."""

from __future__ import annotations

import pytest

from pipeline.events.amounts import value, when
from pipeline.events.lexicon import load_lexicon
from pipeline.settings import DEFAULT_MODELS


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("approved the sale for $1.1 billion.", (1.1e9, "USD")),
        ("a deal worth 1.1 billion dollars", (1.1e9, "USD")),
        ("for €500 million", (5e8, "EUR")),
        ("worth £2bn in all", (2e9, "GBP")),
        ("a US$ 750m contract", (7.5e8, "USD")),
        ("3.95 billion euros", (3.95e9, "EUR")),
        ("a contract of $1,250,000", (1.25e6, "USD")),
        ("Rs 5,000 crore", (5e10, "INR")),
    ],
)
def test_value(text: str, expected: tuple[float, str]) -> None:
    found = value(text, load_lexicon(DEFAULT_MODELS))
    assert found is not None
    assert found[0] == pytest.approx(expected[0]) and found[1] == expected[1]


@pytest.mark.parametrize(
    "text", ["60 Harpoon missiles", "in 2021", "a 2 billion increase", "Boeing 787-9 jets"]
)
def test_no_value_without_a_currency(text: str) -> None:
    assert value(text, load_lexicon(DEFAULT_MODELS)) is None


@pytest.mark.parametrize(
    ("dates", "expected"),
    [
        (["2021"], "2021"),
        (["March 2023"], "2023-03"),
        (["15 August 2023"], "2023-08-15"),
        (["August 15, 2023"], "2023-08-15"),
        (["Sunday"], "Sunday"),
        (["earlier this week", "2024"], "2024"),
        (["earlier this week"], None),
        ([], None),
    ],
)
def test_when(dates: list[str], expected: str | None) -> None:
    assert when(dates) == expected
