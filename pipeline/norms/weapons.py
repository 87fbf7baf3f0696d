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
        "other",
    }
)


@dataclass(frozen=True, slots=True)
class WeaponSystem:
    """A named system from the gazetteer.

    `name` is the norm, the system as commonly written ("Patriot"); `designation` the full one
    ("MIM-104 Patriot") where it differs, matched in texts like an alias; `family` the system a
    variant belongs to ("Patriot" for "Patriot PAC-3").
    """

    id: str
    name: str
    aliases: tuple[str, ...]
    category: str
    origin: str | None
    designation: str | None = None
    family: str | None = None

    def forms(self) -> list[tuple[str, str]]:
        """(surface form, how it names the system) for the matcher. The common name is matched only
        where it is also an alias, so a norm shortened to "Hawk" does not match the bird."""
        first = (self.designation, "name") if self.designation else (self.name, "name")
        return [first, *((a, "alias") for a in self.aliases if a != first[0])]

    def attributes(self) -> dict[str, str]:
        """What a mention carries beside its norm, for lookups by any spelling."""
        extra = {"designation": self.designation, "family": self.family}
        return {key: value for key, value in extra.items() if value}


@dataclass(frozen=True, slots=True)
class Head:
    """The head of a generic weapon phrase ('missile' in 'hypersonic missiles')."""

    lemmas: tuple[str, ...]
    category: str  # '-' for a phrase that is no weapon ("suicide bomber", "oil tanker"): a veto
    bare: bool  # a mention even with no modifier
    needs_class: bool = False  # only with a class modifier, a named system or a listed weapon
    needs_named: bool = False  # only as a type word after a named system ("S-400 systems")
    norm: tuple[str, ...] = ()  # the head's words in norms, where not its lemmas

    @property
    def words(self) -> tuple[str, ...]:
        """The head as norms write it."""
        return self.norm or self.lemmas

    def as_config(self) -> dict[str, Any]:
        """Plain values for the spaCy pipeline's config, which can hold no objects of ours."""
        return {
            "head": " ".join(self.lemmas),
            "category": self.category,
            "bare": self.bare,
            "needs_class": self.needs_class,
            "needs_named": self.needs_named,
            "norm": " ".join(self.norm),
        }

    @classmethod
    def from_config(cls, values: dict[str, Any]) -> Head:
        """The head that `as_config` wrote."""
        return cls(
            tuple(values["head"].split()),
            values["category"],
            values["bare"],
            needs_class=values["needs_class"],
            needs_named=values["needs_named"],
            norm=tuple(values["norm"].split()),
        )


@dataclass(frozen=True, slots=True)
class ClassModifiers:
    """The modifiers a generic weapon keeps in its span and norm (models/weapons/class_modifiers.tsv)."""

    words: frozenset[str]
    prefixes: tuple[str, ...]
    suffixes: tuple[str, ...]
    patterns: tuple[str, ...] = ()  # regular expressions a whole word may match ("155mm")

    @classmethod
    def load(cls, path: Path) -> ClassModifiers:
        rows = read_tsv(path)
        by_match: dict[str, list[str]] = {"word": [], "prefix": [], "suffix": [], "pattern": []}
        for row in rows:
            if row["match"] not in by_match:
                raise ValueError(f"{path}: unknown match {row['match']!r} for {row['modifier']!r}")
            by_match[row["match"]].append(row["modifier"].lower())
        return cls(
            frozenset(by_match["word"]),
            tuple(by_match["prefix"]),
            tuple(by_match["suffix"]),
            tuple(by_match["pattern"]),
        )

    def as_config(self) -> dict[str, list[str]]:
        return {
            "words": sorted(self.words),
            "prefixes": list(self.prefixes),
            "suffixes": list(self.suffixes),
            "patterns": list(self.patterns),
        }

    @classmethod
    def from_config(cls, values: dict[str, list[str]]) -> ClassModifiers:
        return cls(
            frozenset(values["words"]),
            tuple(values["prefixes"]),
            tuple(values["suffixes"]),
            tuple(values["patterns"]),
        )

    def keeps(self, word: str) -> bool:
        """Whether a whitespace-separated word ("anti-ship", "Medium-range") names a class."""
        word = word.lower().replace("–", "-")
        if word in self.words or any(re.fullmatch(p, word) for p in self.patterns):
            return True
        if "-" not in word.strip("-"):
            return False
        return word.startswith(self.prefixes) or word.endswith(self.suffixes)


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
                row.get("designation"),
                row.get("family"),
            )
    return systems


def load_heads(path: Path) -> dict[tuple[str, ...], Head]:
    """models/weapons/heads.tsv, keyed by the head's lemmas."""
    heads = {}
    for row in read_tsv(path):
        lemmas = tuple(row["head"].lower().split())
        if row["bare"] not in ("yes", "no", "class", "named"):
            raise ValueError(f"{path}: bare must be yes, no, class or named for {row['head']!r}")
        norm = tuple((row.get("norm") or "").split())
        bare = row["bare"]
        heads[lemmas] = Head(
            lemmas,
            row["category"],
            bare == "yes",
            needs_class=bare == "class",
            needs_named=bare == "named",
            norm=norm,
        )
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
        for text, kind in system.forms():
            pattern = {"label": "WEAPON", "pattern": text, "id": f"gazetteer|{system.id}|{kind}"}
            if re.fullmatch(r"[^\W\d_]+", text):
                variants = {text, text.upper(), text[:1].upper() + text[1:].lower()}
                exact.extend({**pattern, "pattern": v} for v in sorted(variants | {plural(text)}))
            else:
                loose.extend({**pattern, "pattern": v} for v in sorted({text, plural(text)}))
    return loose, exact


def plural(form: str) -> str:
    """'TB2s', 'K9 howitzers', 'Javelins': how a system's name is written for several of it."""
    if form.endswith(("s", "x", "ch", "sh")):
        return form + "es" if form[-1].islower() else form
    return form + "s"


def generic_norm(modifiers: list[str], head_lemmas: tuple[str, ...], spelled_out: dict[str, str]) -> str:
    """Lower-case singular phrase, abbreviations written out: 'hypersonic missiles' ->
    'hypersonic missile', 'ICBMs' -> 'intercontinental ballistic missile'."""
    words = [m.lower() for m in modifiers] + list(head_lemmas)
    return re.sub(r"\s*-\s*", "-", " ".join(spelled_out.get(word, word) for word in words))


def load_abbreviations(path: Path) -> dict[str, str]:
    """models/weapons/abbreviations.tsv: abbreviation (lower case) -> what it stands for."""
    return {row["abbreviation"]: row["expansion"] for row in read_tsv(path)}


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
