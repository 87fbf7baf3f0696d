"""The gazetteer aliases and country display names built from models/."""

from __future__ import annotations

import pytest

from pipeline.norms.aliases import listed_aliases
from pipeline.norms.countries import country_name, display_names
from pipeline.settings import DEFAULT_MODELS


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("RUS", "Russia"),
        ("IRN", "Iran"),
        ("KOR", "South Korea"),
        ("PRK", "North Korea"),
        ("SYR", "Syria"),
        ("VEN", "Venezuela"),
        ("BOL", "Bolivia"),
        ("TZA", "Tanzania"),
        ("VNM", "Vietnam"),
        ("LAO", "Laos"),
        ("MDA", "Moldova"),
        ("TWN", "Taiwan"),
        ("XKX", "Kosovo"),
        ("PSE", "Palestine"),
        ("CZE", "Czechia"),
        ("TUR", "Turkey"),
        ("GBR", "United Kingdom"),
    ],
)
def test_a_country_is_shown_by_its_common_short_name(code: str, name: str) -> None:
    assert country_name(code, display_names(DEFAULT_MODELS / "countries")) == name


def test_no_display_name_is_an_iso_long_form() -> None:
    names = display_names(DEFAULT_MODELS / "countries")
    shown = {country_name(a.norm, names) for a in listed_aliases(DEFAULT_MODELS) if a.label == "COUNTRY"}
    assert not [name for name in shown if "," in name or "(" in name]


def test_listed_aliases_cover_every_gazetteer() -> None:
    found = {(a.label, a.norm, a.alias) for a in listed_aliases(DEFAULT_MODELS)}
    assert ("WEAPON", "Patriot PAC-3", "PAC-3") in found
    assert ("PERSON", "Vladimir Putin", "Putin") in found
    assert {("COUNTRY", "IRN", "Iranian"), ("COUNTRY", "IRN", "Iran"), ("COUNTRY", "KOR", "Korea")} <= found
    assert ("COUNTRY", "RUS", "Moscow") not in found  # a capital names a government, not an alias
    keys = [(a.label, a.weapon_id or a.norm, a.alias.casefold()) for a in listed_aliases(DEFAULT_MODELS)]
    assert len(keys) == len(set(keys))
