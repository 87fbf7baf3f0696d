from __future__ import annotations

import pytest

from pipeline.norms.people import clean_name, merge_surname, resolve_names, surname_index


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
