"""Which entity a norm names: ids and display names, shared by the loader and the alias table.

Kept apart from the loader so a run that loads nothing (the alias sync at every run's start)
does not import the columnar libraries the loader needs."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from pipeline.norms.countries import country_name
from pipeline.norms.people import known_people
from pipeline.records import Mention


def entity_id(mention: Mention, models: Path) -> str | None:
    """The canonical entity a mention names, by the known people of `models`; None when its norm
    is unresolved."""
    return identity(models, mention.label, mention.norm, mention.attrs.get("weapon_id"))[0]


@lru_cache(maxsize=65536)
def identity(
    models: Path, label: str, norm: str | None, weapon_id: str | None
) -> tuple[str | None, str | None]:
    """(entity id, display name) of a norm by the known people of `models`; cached, since a batch
    names the same few often."""
    if not norm:
        return None, None
    if label == "WEAPON" and weapon_id:
        return f"weapon:{weapon_id}", norm
    if label == "COUNTRY":
        return plain_id(label, norm), country_name(norm)
    if label == "PERSON" and (person := known_people(models).lookup(norm)) is not None:
        return f"person:{_slug(person.name)}", person.name  # every spelling, one listed person
    return plain_id(label, norm), norm


def plain_id(label: str, norm: str) -> str:
    """The id of an entity made from its label and norm alone (a country by its ISO code), as for
    every entity no gazetteer gives an id or a listed name."""
    return f"country:{norm}" if label == "COUNTRY" else f"{label.lower()}:{_slug(norm)}"


def _slug(text: str) -> str:
    return re.sub(r"[^\w]+", "-", text.casefold()).strip("-")
