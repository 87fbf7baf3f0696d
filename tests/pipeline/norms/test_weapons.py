from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.norms.weapons import (
    Head,
    WeaponSystem,
    generic_norm,
    load_heads,
    load_systems,
    system_patterns,
)
from tests.conftest import REPO


def test_generic_norm() -> None:
    assert generic_norm(["hypersonic"], ("missile",)) == "hypersonic missile"
    assert generic_norm(["Solid", "-", "fuel"], ("rocket",)) == "solid-fuel rocket"


def test_system_patterns_split_by_case() -> None:
    systems = {
        "patriot": WeaponSystem("patriot", "Patriot", ("MIM-104",), "air_defence", "USA"),
        "df-17": WeaponSystem("df-17", "DF-17", (), "missile", "CHN"),
    }
    loose, exact = system_patterns(systems)
    assert {p["pattern"] for p in exact} == {"Patriot", "PATRIOT"}
    assert {p["pattern"] for p in loose} == {"DF-17", "MIM-104"}
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


def test_heads_survive_the_pipeline_config() -> None:
    heads = load_heads(REPO / "models" / "weapons" / "heads.tsv")
    assert [Head.from_config(h.as_config()) for h in heads.values()] == list(heads.values())
    grenade = {"head": "rocket propelled grenade", "category": "munition", "bare": True}
    assert heads[("rocket", "propelled", "grenade")].as_config() == grenade
