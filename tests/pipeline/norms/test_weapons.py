from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.norms.weapons import (
    ClassModifiers,
    Head,
    WeaponSystem,
    generic_norm,
    load_abbreviations,
    load_heads,
    load_systems,
    plural,
    system_patterns,
)
from tests.conftest import REPO


def test_generic_norm() -> None:
    assert generic_norm(["hypersonic"], ("missile",), {}) == "hypersonic missile"
    assert generic_norm(["Solid", "-", "fuel"], ("rocket",), {}) == "solid-fuel rocket"


def test_generic_norm_spells_out_abbreviations() -> None:
    spelled = load_abbreviations(REPO / "models" / "weapons" / "abbreviations.tsv")
    assert generic_norm([], ("icbm",), spelled) == "intercontinental ballistic missile"
    assert generic_norm(["nuclear-capable"], ("vbied",), spelled) == (
        "nuclear-capable vehicle-borne improvised explosive device"
    )


def test_class_modifiers_keep_classes_and_drop_the_rest() -> None:
    classes = ClassModifiers.load(REPO / "models" / "weapons" / "class_modifiers.tsv")
    for word in ("hypersonic", "Anti-ship", "medium-range", "nuclear-powered", "surface-to-air", "one-way"):
        assert classes.keeps(word), word
    for word in ("new", "older", "Iranian", "US-made", "coalition", "Hezbollah", "working", "expensive"):
        assert not classes.keeps(word), word
    assert ClassModifiers.from_config(classes.as_config()) == classes


def test_plural_forms_of_system_names() -> None:
    assert plural("TB2") == "TB2s"
    assert plural("K9 howitzer") == "K9 howitzers"
    assert plural("Patriot system") == "Patriot systems"


def test_designation_is_matched_and_name_is_the_norm() -> None:
    patriot = WeaponSystem("p", "Patriot", ("PAC-2",), "air_defence", "USA", "MIM-104 Patriot")
    assert patriot.forms() == [("MIM-104 Patriot", "name"), ("PAC-2", "alias")]
    assert patriot.attributes() == {"designation": "MIM-104 Patriot"}


def test_system_patterns_split_by_case() -> None:
    systems = {
        "patriot": WeaponSystem("patriot", "Patriot", ("MIM-104",), "air_defence", "USA"),
        "df-17": WeaponSystem("df-17", "DF-17", (), "missile", "CHN"),
    }
    loose, exact = system_patterns(systems)
    assert {p["pattern"] for p in exact} == {"Patriot", "PATRIOT", "Patriots"}
    assert {p["pattern"] for p in loose} == {"DF-17", "DF-17s", "MIM-104", "MIM-104s"}
    assert all(p["label"] == "WEAPON" for p in loose + exact)
    assert {p["id"] for p in exact} == {"gazetteer|patriot|name"}
    assert {p["id"] for p in loose} == {"gazetteer|df-17|name", "gazetteer|patriot|alias"}


def write_jsonl(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


def test_load_systems(tmp_path: Path) -> None:
    rows = [{"id": "df-17", "name": "DF-17", "aliases": ["Dongfeng-17"], "category": "missile"}]
    systems = load_systems(write_jsonl(tmp_path / "ok.jsonl", rows))
    assert systems["df-17"].aliases == ("Dongfeng-17",)
    assert systems["df-17"].origin is None


def test_load_systems_rejects_unknown_category(tmp_path: Path) -> None:
    rows = [
        {"id": "df-17", "name": "DF-17", "category": "missile"},
        {"id": "sling", "name": "Sling", "category": "catapult"},
    ]
    with pytest.raises(ValueError, match=r":2: unknown category 'catapult'"):
        load_systems(write_jsonl(tmp_path / "bad.jsonl", rows))


def test_load_heads() -> None:
    heads = load_heads(REPO / "models" / "weapons" / "heads.tsv")
    missile = heads[("missile",)]
    assert missile.bare and missile.category == "missile"
    assert not heads[("shell",)].bare  # "shell" alone is not a weapon mention
    assert heads[("battery",)].needs_class  # "Abel Battery" is a unit; "Patriot batteries" are not


def test_heads_survive_the_pipeline_config() -> None:
    heads = load_heads(REPO / "models" / "weapons" / "heads.tsv")
    assert [Head.from_config(h.as_config()) for h in heads.values()] == list(heads.values())
    grenade = {
        "head": "rocket propelled grenade",
        "category": "munition",
        "bare": True,
        "needs_class": False,
        "needs_named": False,
        "norm": "",
    }
    assert heads[("rocket", "propelled", "grenade")].as_config() == grenade
