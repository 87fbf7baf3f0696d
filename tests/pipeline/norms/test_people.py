from __future__ import annotations

import pytest

from pipeline.norms.people import (
    KnownPeople,
    KnownPerson,
    clean_name,
    merge_surname,
    particle_variants,
    resolve_names,
    surname_index,
)


@pytest.mark.parametrize("text", ["Putin's", "Putin’s", " Putin "])
def test_clean_name_strips_possessive(text: str) -> None:
    assert clean_name(text) == "Putin"


def test_clean_name_keeps_full_name() -> None:
    assert clean_name("Vladimir   Putin's") == "Vladimir Putin"


def test_surname_resolves_to_full_name() -> None:
    resolved = resolve_names(["Joe Biden", "Biden", "Biden's"])
    assert resolved["Biden"] == ("Joe Biden", "short_form")
    assert resolved["Joe Biden"] == ("Joe Biden", "full")


def test_lone_surname_stays_as_written() -> None:
    assert resolve_names(["Austin"]) == {"Austin": ("Austin", "as_written")}


def test_shared_surname_is_not_guessed() -> None:
    resolved = resolve_names(["Kim Jong Un", "Kim Yo Jong", "Kim"])
    assert resolved["Kim"] == ("Kim", "as_written")
    assert resolved["Kim Yo Jong"] == ("Kim Yo Jong", "full")


def test_family_name_first() -> None:
    resolved = resolve_names(["Hayashi Yoshimasa", "Hayashi"])
    assert resolved["Hayashi"] == ("Hayashi Yoshimasa", "short_form")


def test_possessive_before_punctuation() -> None:
    assert clean_name("Putin's,") == "Putin"


def test_lone_surname_merges_only_when_one_person_has_it() -> None:
    index = surname_index(["Joe Biden", "Kim Jong Un", "Kim Yo Jong", "Lloyd Austin"])
    assert merge_surname("Biden", index) == "Joe Biden"
    assert merge_surname("Austin", index) == "Lloyd Austin"
    assert merge_surname("Kim", index) is None  # never a surname here; and "Un"/"Jong" differ
    assert merge_surname("Hunter Biden", index) is None  # a full name is its own person
    assert merge_surname("Macron", index) is None


def _known(*rows: tuple[str, list[str], bool]) -> KnownPeople:
    return KnownPeople((KnownPerson(name, "XXX", ()), aliases, alone) for name, aliases, alone in rows)


def test_known_person_by_alias_surname_and_spelling() -> None:
    known = _known(("Bashar al-Assad", ["Assad", "Bashar Assad"], True))
    for form in ("Assad", "Assad’s", "Bashar Assad", "Bashar Al Assad", "bashar al-assad"):
        person = known.lookup(form)
        assert person is not None and person.name == "Bashar al-Assad", form
    assert known.lookup("Hafez al-Assad") is None


def test_surname_alone_only_when_the_data_says_so() -> None:
    known = _known(("Lloyd Austin", ["Austin"], False))
    assert known.lookup("Austin") is None
    assert known.lookup("Lloyd Austin") is not None
    assert all(" " in p["pattern"] for p in known.patterns())


def test_a_form_two_people_share_names_neither() -> None:
    known = _known(("Kim Jong Un", ["Kim"], True), ("Kim Yo Jong", ["Kim"], True))
    assert known.lookup("Kim") is None
    assert known.lookup("Kim Yo Jong").name == "Kim Yo Jong"
    assert "Kim" not in {p["pattern"] for p in known.patterns()}


def test_arabic_article_variants() -> None:
    assert particle_variants("Haider al-Abadi") == {
        "Haider al-Abadi",
        "Haider Al-Abadi",
        "Haider al Abadi",
        "Haider Al Abadi",
    }
    assert particle_variants("Joe Biden") == {"Joe Biden"}
