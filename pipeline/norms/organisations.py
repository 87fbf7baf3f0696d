"""Organisations: the gazetteer that keeps firms, forces and groups from being read as people, and
says whether a country word inside an organisation's name is a country mention (state bodies) or
not (firms, media, parties, non-state groups)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pycountry

from pipeline.norms.countries import USER_ASSIGNED

# Kinds whose organisations belong to a state ("[Indian] Air Force"): their state_body is true.
STATE_KINDS = frozenset({"armed_force", "service_branch", "command", "ministry", "agency", "legislature"})
# Kinds that are never a state body ("Israel Aerospace Industries", "Free Syrian Army").
NON_STATE_KINDS = frozenset({"firm", "media", "armed_group", "party", "international"})
# Seats of power, think tanks and the like: the data says which are state bodies.
KINDS = STATE_KINDS | NON_STATE_KINDS | {"other"}


@dataclass(frozen=True, slots=True)
class Organisation:
    """One organisation and every way the news writes its name."""

    name: str
    aliases: tuple[str, ...]
    country: str | None  # ISO 3166-1 alpha-3 of its state; None for international or transnational
    kind: str
    state_body: bool  # a country word inside its name is a COUNTRY mention
    shared: tuple[str, ...] = ()  # forms another organisation also goes by ("IAF"), on purpose

    @property
    def forms(self) -> tuple[str, ...]:
        """The name, then its aliases."""
        return (self.name, *self.aliases)


def load_organisations(path: Path) -> tuple[Organisation, ...]:
    """The gazetteer in file order; a bad row raises ValueError naming the file and line, so a
    typo in the data stops the build instead of mislabelling mentions."""
    organisations = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                organisations.append(_organisation(json.loads(line)))
            except (ValueError, KeyError, TypeError) as error:
                detail = f"missing field {error}" if isinstance(error, KeyError) else str(error)
                raise ValueError(f"{path}:{number}: {detail}") from error
    return tuple(organisations)


@cache
def _alpha3_codes() -> frozenset[str]:
    """ISO 3166-1 alpha-3 codes, with the user-assigned ones the project uses (Kosovo XKX)."""
    return frozenset({c.alpha_3 for c in pycountry.countries} | USER_ASSIGNED.keys())


def _organisation(row: dict[str, object]) -> Organisation:
    name = row["name"]
    aliases = row.get("aliases", [])
    shared = row.get("shared", [])
    country, kind, state_body = row["country"], row["kind"], row["state_body"]
    if not isinstance(name, str) or not name.strip():
        raise ValueError("empty name")
    if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
        raise ValueError(f"{name!r}: aliases must be non-empty strings")
    if kind not in KINDS:
        raise ValueError(f"{name!r}: unknown kind {kind!r}")
    if country is not None and country not in _alpha3_codes():
        raise ValueError(f"{name!r}: country {country!r} is not an ISO 3166-1 alpha-3 code")
    if not isinstance(state_body, bool):
        raise ValueError(f"{name!r}: state_body must be true or false")
    if (kind in STATE_KINDS and not state_body) or (kind in NON_STATE_KINDS and state_body):
        raise ValueError(f"{name!r}: state_body {str(state_body).lower()} does not fit kind {kind!r}")
    if state_body and country is None:
        raise ValueError(f"{name!r}: a state body needs the country it belongs to")
    if not isinstance(shared, list) or not set(shared) <= {name, *aliases}:
        raise ValueError(f"{name!r}: shared forms must be among its name and aliases")
    return Organisation(name, tuple(aliases), country, kind, state_body, tuple(shared))


def form_key(text: str) -> str:
    """Comparison key for a form: case and a leading "the" do not make two forms ("The Guardian")."""
    key = " ".join(text.split()).casefold()
    return key.removeprefix("the ")


def surface_forms(organisations: Iterable[Organisation]) -> dict[str, tuple[Organisation, ...]]:
    """Every form as written (name and aliases) -> the organisations it names, for a phrase matcher.

    Nearly every form names one organisation; a form listed as `shared` ("IAF": Indian and Israeli
    Air Force) names each that shares it, and the matcher decides from context or keeps it unresolved.
    """
    owners: dict[str, tuple[Organisation, ...]] = {}
    for organisation in organisations:
        for form in dict.fromkeys(organisation.forms):
            owners[form] = (*owners.get(form, ()), organisation)
    return owners


def organisation_patterns(
    organisations: Iterable[Organisation],
) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """span_ruler patterns (exact case, any case) labelled with the kind; the id says whether the
    organisation is a state body. Names of two words or more match in any case ("Syrian democratic
    forces"); one-word names only as written, so "Hamas" matches and the word "congress" does not."""
    exact: list[dict[str, str]] = []
    loose: list[dict[str, str]] = []
    for organisation in organisations:
        for form in dict.fromkeys(organisation.forms):
            pattern = {
                "label": organisation.kind,
                "pattern": form,
                "id": "state" if organisation.state_body else "other",
            }
            (loose if len(form.split()) > 1 else exact).append(pattern)
    return exact, loose
