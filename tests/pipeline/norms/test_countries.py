from __future__ import annotations

import re

import pytest

from pipeline.norms.countries import CountryTable, load_ambiguities, other_sense
from pipeline.norms.tables import read_lines
from tests.conftest import REPO


@pytest.fixture(scope="module")
def table() -> CountryTable:
    return CountryTable.load(REPO / "models" / "countries")


@pytest.mark.parametrize(
    ("text", "code", "kind"),
    [
        ("U.S.", "USA", None),
        ("US", "USA", None),
        ("United States", "USA", None),
        ("America", "USA", None),
        ("Japanese", "JPN", "adjective"),
        ("Ukrainians", "UKR", "plural"),
        ("Pyongyang", "PRK", "capital"),
        ("Britain", "GBR", None),
        ("DPRK", "PRK", None),
        ("the Netherlands", "NLD", None),
    ],
)
def test_lookup(table: CountryTable, text: str, code: str, kind: str | None) -> None:
    form = table.lookup(text)
    assert form is not None and form.code == code
    if kind is not None:
        assert form.kind == kind


def test_lowercase_us_is_a_pronoun(table: CountryTable) -> None:
    assert table.lookup("us") is None


@pytest.mark.parametrize("text", ["Korea", "Congo"])
def test_ambiguous_names_have_no_code(table: CountryTable, text: str) -> None:
    form = table.lookup(text)
    assert form is not None and form.code is None


def test_ambiguous_names_list_the_states_they_may_mean(table: CountryTable) -> None:
    assert table.states("Korea") == ("KOR", "PRK")
    assert table.states("the Congo") == ("COD", "COG")
    assert table.states("North Korea") == table.states("Japan") == ()


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        ("U.S.-Japan", [(0, 4, "USA"), (5, 10, "JPN")]),
        ("Japan-US", [(0, 5, "JPN"), (6, 8, "USA")]),
        ("Sino-Russian", [(0, 4, "CHN"), (5, 12, "RUS")]),
        ("Russo-Ukrainian", [(0, 5, "RUS"), (6, 15, "UKR")]),
    ],
)
def test_split_compound(table: CountryTable, token: str, expected: list[tuple]) -> None:
    parts = table.split_compound(token)
    assert parts is not None
    assert [(start, end, form.code) for start, end, form in parts] == expected


@pytest.mark.parametrize("token", ["Hwasong-18", "Al-Qaeda", "Japan"])
def test_not_a_compound(table: CountryTable, token: str) -> None:
    assert table.split_compound(token) is None


def test_patterns(table: CountryTable) -> None:
    patterns = table.patterns()
    assert patterns
    for pattern in patterns:
        assert pattern["label"] == "COUNTRY"
        assert re.fullmatch(r"gazetteer\|([A-Z]{3})?\|[a-z]+", str(pattern["id"])), pattern
    texts = {p["pattern"] for p in patterns}
    assert {"US", "U.S.", "Japan", "JAPAN", "Pyongyang"} <= texts
    assert "us" not in texts  # abbreviations match in their own case only
    assert "Sino" not in texts  # combining forms only count inside compounds
    assert {p["id"] for p in patterns if p["pattern"] == "Korea"} == {"gazetteer||ambiguous"}


AMBIGUOUS_CASES = [
    ("Michael Jordan played in Chicago.", "Jordan", True),
    ("Jordan Peterson gave a talk.", "Jordan", True),
    ("In Jordan, refugees may now work legally.", "Jordan", False),
    ("Syria and Iraq border Jordan. Amman said so.", "Jordan", False),
    ("Atlanta is the capital of Georgia, where Gov. Kemp spoke.", "Georgia", True),
    ("Georgia accused Moscow of backing separatists in South Ossetia.", "Georgia", False),
    ("Students at Georgia Tech built a drone.", "Georgia", True),
    ("Oil spills in the Niger Delta continue.", "Niger", True),
    ("Turkey prices rose before Thanksgiving.", "Turkey", True),
    ("Turkey and Greece met in Ankara.", "Turkey", False),
]


@pytest.mark.parametrize(("text", "name", "expected"), AMBIGUOUS_CASES)
def test_ambiguous_names_read_in_context(text: str, name: str, expected: bool) -> None:
    ambiguities = load_ambiguities(REPO / "models" / "countries" / "ambiguous.tsv")
    function_words = frozenset(read_lines(REPO / "models" / "countries" / "function_words.txt"))
    start = text.index(name)
    assert other_sense(ambiguities[name], text, start, start + len(name), function_words) is expected


def test_turkey_and_turkiye_are_one_country(table: CountryTable) -> None:
    assert table.lookup("Turkey") == table.lookup("Türkiye")
    form = table.lookup("Türkiye")
    assert form is not None and form.code == "TUR"
