"""The organisation gazetteer: the shipped data is consistent and the loader refuses bad rows."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import pycountry
import pytest

from pipeline.norms.organisations import (
    KINDS,
    NON_STATE_KINDS,
    STATE_KINDS,
    Organisation,
    form_key,
    load_organisations,
    surface_forms,
)
from pipeline.norms.tables import read_tsv
from tests.conftest import REPO

DATA = REPO / "models" / "organisations" / "organisations.jsonl"


@pytest.fixture(scope="module")
def organisations() -> tuple[Organisation, ...]:
    return load_organisations(DATA)


def test_the_shipped_file_has_enough_distinct_organisations(organisations: tuple[Organisation, ...]) -> None:
    names = [o.name for o in organisations]
    assert len(set(names)) == len(names) >= 600


def test_every_country_is_an_iso_alpha3_code(organisations: tuple[Organisation, ...]) -> None:
    codes = {c.alpha_3 for c in pycountry.countries} | {"XKX"}
    assert {o.country for o in organisations if o.country is not None} <= codes


def test_every_kind_is_known_and_state_body_fits_it(organisations: tuple[Organisation, ...]) -> None:
    for organisation in organisations:
        assert organisation.kind in KINDS, organisation
        if organisation.kind in STATE_KINDS:
            assert organisation.state_body and organisation.country, organisation
        if organisation.kind in NON_STATE_KINDS:
            assert not organisation.state_body, organisation


def test_a_form_names_two_organisations_only_when_both_say_it_is_shared(
    organisations: tuple[Organisation, ...],
) -> None:
    owners: dict[str, set[Organisation]] = defaultdict(set)
    for organisation in organisations:
        for form in organisation.forms:
            owners[form_key(form)].add(organisation)
    for key, owning in owners.items():
        if len(owning) > 1:
            names = sorted(o.name for o in owning)
            assert all(key in {form_key(s) for s in o.shared} for o in owning), (key, names)
    for organisation in organisations:
        for form in organisation.shared:
            assert len(owners[form_key(form)]) > 1, f"{organisation.name}: {form!r} is shared with nobody"


def test_the_guidelines_examples_are_classified(organisations: tuple[Organisation, ...]) -> None:
    forms = surface_forms(organisations)
    state = {"Israel Defense Forces", "Indian Air Force", "US Central Command", "IDF", "CENTCOM", "IRGC"}
    not_state = {"Israel Aerospace Industries", "Korean Central News Agency", "Chinese Communist Party"}
    not_state |= {"Free Syrian Army", "Syrian Democratic Forces", "Taliban", "Wagner", "Hezbollah", "Daesh"}
    assert all(o.state_body for form in state for o in forms[form])
    assert not any(o.state_body for form in not_state for o in forms[form])
    assert [o.name for o in forms["IAF"]] == ["Indian Air Force", "Israeli Air Force"]


def test_no_form_is_a_country_name_demonym_or_capital(organisations: tuple[Organisation, ...]) -> None:
    forms = {form_key(f) for o in organisations for f in o.forms}
    folder = REPO / "models" / "countries"
    for table in ("names.tsv", "demonyms.tsv", "capitals.tsv"):
        clashes = {row["text"] for row in read_tsv(folder / table) if form_key(row["text"]) in forms}
        assert not clashes, (table, clashes)


def test_surface_forms_maps_each_form_as_written() -> None:
    a = Organisation("Northrop Grumman", ("Northrop",), "USA", "firm", False)
    b = Organisation("Indian Air Force", ("IAF",), "IND", "service_branch", True, ("IAF",))
    c = Organisation("Israeli Air Force", ("IAF",), "ISR", "service_branch", True, ("IAF",))
    forms = surface_forms([a, b, c])
    assert forms["Northrop"] == (a,)
    assert forms["IAF"] == (b, c)
    assert "northrop" not in forms


GOOD = {"name": "Saab", "aliases": ["Saab AB"], "country": "SWE", "kind": "firm", "state_body": False}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"kind": "company"}, r"unknown kind 'company'"),
        ({"country": "SE"}, r"country 'SE' is not an ISO 3166-1 alpha-3 code"),
        ({"country": "XYZ"}, r"country 'XYZ' is not"),
        ({"state_body": True}, r"state_body true does not fit kind 'firm'"),
        ({"kind": "ministry"}, r"state_body false does not fit kind 'ministry'"),
        ({"kind": "agency", "state_body": True, "country": None}, r"needs the country"),
        ({"name": " "}, r"empty name"),
        ({"aliases": ["Saab", ""]}, r"aliases must be non-empty strings"),
        ({"shared": ["SAAB"]}, r"shared forms must be among"),
        ({"state_body": None}, r"missing field 'state_body'"),
    ],
)
def test_the_loader_rejects_a_bad_row_naming_file_and_line(
    tmp_path: Path, change: dict[str, object], message: str
) -> None:
    bad = {k: v for k, v in {**GOOD, **change}.items() if v is not None or k != "state_body"}
    path = tmp_path / "organisations.jsonl"
    path.write_text(json.dumps(GOOD) + "\n\n" + json.dumps(bad) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match=rf"organisations\.jsonl:3: .*{message}"):
        load_organisations(path)


def test_the_loader_reads_a_good_file(tmp_path: Path) -> None:
    path = tmp_path / "organisations.jsonl"
    kosovo = {"name": "Kosovo Security Force", "country": "XKX", "kind": "armed_force", "state_body": True}
    path.write_text(json.dumps(GOOD) + "\n" + json.dumps(kosovo) + "\n", encoding="utf-8")
    saab, ksf = load_organisations(path)
    assert saab == Organisation("Saab", ("Saab AB",), "SWE", "firm", False)
    assert ksf.aliases == () and ksf.country == "XKX"
