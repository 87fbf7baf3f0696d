"""Every name the gazetteers give an entity, so the warehouse can find it by what an analyst types
("PAC-3", "Putin", "Iranian") even before, or without, an article writing it that way."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipeline.norms.countries import CountryTable, country_name, display_names
from pipeline.norms.people import KnownPeople
from pipeline.norms.weapons import load_systems

WEAPONS = "models/weapons/systems.jsonl"
PEOPLE = "models/people/known.jsonl"
COUNTRIES = "models/countries"


@dataclass(frozen=True, slots=True)
class ListedAlias:
    """One name of one gazetteer entity, with the norm and display name its mentions get."""

    label: str
    norm: str
    name: str
    alias: str
    source: str  # the models file that lists it
    weapon_id: str | None = None  # a weapon's gazetteer id, which its entity id is made from
    family: str | None = None  # a weapon variant's system ("Patriot" for "Patriot PAC-3")


def listed_aliases(models: Path) -> list[ListedAlias]:
    """The aliases of every weapon system, known person and country in the `models` folder, each
    once per entity however the files repeat it in other letter cases."""
    found = [*_weapons(models), *_people(models), *_countries(models)]
    unique = {(a.label, a.weapon_id or a.norm, a.alias.casefold()): a for a in reversed(found)}
    return sorted(unique.values(), key=lambda a: (a.label, a.norm, a.alias))


def _weapons(models: Path) -> list[ListedAlias]:
    return [
        ListedAlias("WEAPON", system.name, system.name, alias, WEAPONS, system.id, system.family)
        for system in load_systems(models / "weapons" / "systems.jsonl").values()
        for alias in (system.name, *((system.designation,) if system.designation else ()), *system.aliases)
    ]


def _people(models: Path) -> list[ListedAlias]:
    people = KnownPeople.load(models / "people" / "known.jsonl").people.values()
    return [
        ListedAlias("PERSON", person.name, person.name, alias, PEOPLE)
        for person in people
        for alias in (person.name, *person.aliases)
    ]


def _countries(models: Path) -> list[ListedAlias]:
    folder = models / "countries"
    names = display_names(folder)
    return [
        ListedAlias("COUNTRY", code, name, alias, COUNTRIES)
        for code, forms in CountryTable.load(folder).names_by_code().items()
        for name in (country_name(code, names),)
        for alias in sorted({name, *forms})
    ]
