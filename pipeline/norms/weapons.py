"""Weapons: the gazetteer of named systems and the heads of generic weapon phrases."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.norms.tables import read_tsv

CATEGORIES = frozenset(
    {
        "missile",
        "air_defence",
        "aircraft",
        "naval",
        "land_vehicle",
        "artillery_rocket",
        "drone",
        "nuclear",
        "small_arms",
        "munition",
    }
)


@dataclass(frozen=True, slots=True)
class WeaponSystem:
    """A named system from the gazetteer."""

    id: str
    name: str
    aliases: tuple[str, ...]
    category: str
    origin: str | None


@dataclass(frozen=True, slots=True)
class Head:
    """The head of a generic weapon phrase ('missile' in 'hypersonic missiles')."""

    lemmas: tuple[str, ...]
    category: str  # '-' for a phrase that names people ("suicide bomber"): a veto, not a weapon
    bare: bool  # a mention even with no modifier

    def as_config(self) -> dict[str, Any]:
        """Plain values for the spaCy pipeline's config, which can hold no objects of ours."""
        return {"head": " ".join(self.lemmas), "category": self.category, "bare": self.bare}

    @classmethod
    def from_config(cls, values: dict[str, Any]) -> Head:
        """The head that `as_config` wrote."""
        return cls(tuple(values["head"].split()), values["category"], values["bare"])


def load_systems(path: Path) -> dict[str, WeaponSystem]:
    """The gazetteer, keyed by id; an unknown category is an error in the data."""
    systems: dict[str, WeaponSystem] = {}
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            row = json.loads(line)
            if row["category"] not in CATEGORIES:
                raise ValueError(f"{path}:{number}: unknown category {row['category']!r}")
            systems[row["id"]] = WeaponSystem(
                row["id"],
                row["name"],
                tuple(row.get("aliases", ())),
                row["category"],
                row.get("origin"),
            )
    return systems


def load_heads(path: Path) -> dict[tuple[str, ...], Head]:
    """models/weapons/heads.tsv, keyed by the head's lemmas."""
    heads = {}
    for row in read_tsv(path):
        lemmas = tuple(row["head"].lower().split())
        heads[lemmas] = Head(lemmas, row["category"], row["bare"] == "yes")
    return heads


def system_patterns(
    systems: dict[str, WeaponSystem],
) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """span_ruler patterns: (case-insensitive, exact-case).

    Designations and multi-word names match in any case ("Df-17", "iron dome"); a single plain word
    ("Patriot", "Javelin") only as a name is written, so the common noun does not match.
    """
    loose: list[dict[str, object]] = []
    exact: list[dict[str, object]] = []
    for system in systems.values():
        for text, kind in [(system.name, "name"), *((a, "alias") for a in system.aliases)]:
            pattern = {"label": "WEAPON", "pattern": text, "id": f"gazetteer|{system.id}|{kind}"}
            if re.fullmatch(r"[^\W\d_]+", text):
                variants = {text, text.upper(), text[:1].upper() + text[1:].lower()}
                exact.extend({**pattern, "pattern": v} for v in sorted(variants))
            else:
                loose.append(pattern)
    return loose, exact


def generic_norm(modifiers: list[str], head_lemmas: tuple[str, ...]) -> str:
    """Lower-case singular phrase: 'hypersonic missiles' -> 'hypersonic missile'."""
    words = [m.lower() for m in modifiers] + list(head_lemmas)
    return re.sub(r"\s*-\s*", "-", " ".join(words))


def designation_patterns(prefixes: dict[str, str]) -> list[dict[str, object]]:
    """Token patterns for designations by known prefix ('Su-35', 'F-16s', 'S-400', 'T-72B3')."""
    by_category: dict[str, list[str]] = {}
    for prefix, category in prefixes.items():
        by_category.setdefault(category, []).append(re.escape(prefix))
    return [
        {
            "label": "WEAPON",
            "pattern": [{"TEXT": {"REGEX": rf"^(?:{'|'.join(sorted(group))})-\d{{1,4}}[A-Z0-9]*s?$"}}],
            "id": f"pattern|{category}|=designation",
        }
        for category, group in sorted(by_category.items())
    ]


def ship_patterns(prefixes: list[str], hulls: list[str]) -> list[dict[str, object]]:
    """Token patterns for named warships ('USS Carl Vinson') and hull numbers ('DDG 70', 'CVN-78')."""
    hull_token = "^(?:" + "|".join(map(re.escape, hulls)) + r")-\d{1,3}$"
    return [
        {"label": "WEAPON", "pattern": pattern, "id": "pattern|naval|=ship"}
        for pattern in (
            [{"ORTH": {"IN": prefixes}}, {"IS_TITLE": True, "OP": "+"}],
            [{"ORTH": {"IN": hulls}}, {"ORTH": "-", "OP": "?"}, {"IS_DIGIT": True}],
            [{"TEXT": {"REGEX": hull_token}}],
        )
    ]


def designation_norm(text: str) -> str:
    """'F-16s' -> 'F-16': the plural of a designation names the same system."""
    return re.sub(r"(?<=\d)s$", "", text)
