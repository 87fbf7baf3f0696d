"""The event data under models/events is consistent and builds a matcher."""

from __future__ import annotations

import spacy
from spacy.matcher import DependencyMatcher

from pipeline.events import EventRules
from pipeline.events.extract import NODES
from pipeline.events.lexicon import STATUSES, TYPES, load_lexicon
from pipeline.settings import DEFAULT_MODELS


def test_every_cue_names_known_types_sides_and_statuses() -> None:
    lexicon = load_lexicon(DEFAULT_MODELS)
    for cue in lexicon.cues.values():
        assert set(cue.type.split("|")) <= set(TYPES), cue
        assert cue.pos in ("VERB", "NOUN") and cue.side in ("give", "take", "hit", "defeat", "-"), cue
        assert cue.status in (*STATUSES, "-"), cue
    said = {one for status in lexicon.status.values() for one in status.split(",")}
    assert said <= {*STATUSES, "negated", "hypothetical"}
    assert set(lexicon.context.values()) <= {"test", "use"}


def test_every_type_has_a_frame_whose_roles_are_known() -> None:
    lexicon = load_lexicon(DEFAULT_MODELS)
    assert set(TYPES) - {"acquisition"} <= set(lexicon.frames) and "take" in lexicon.frames
    for frame in lexicon.frames.values():
        roles = {frame.agent, frame.patient, frame.owner, *frame.preps.values()}
        assert roles <= {"actors", "counterparts", ""}
        assert frame.source in ("forces", "any")


def test_the_patterns_build_once_with_their_cue_and_weapon_nodes() -> None:
    lexicon = load_lexicon(DEFAULT_MODELS)
    assert set(lexicon.patterns) == set(NODES)
    rules = EventRules(spacy.blank("en").vocab, lexicon)
    assert isinstance(rules.matcher, DependencyMatcher) and len(rules.matcher) == len(NODES)
    for name, (cue, weapon) in NODES.items():
        ids = [node["RIGHT_ID"] for node in lexicon.patterns[name]]
        assert (ids[cue], ids[weapon]) == ("cue", "weapon")
    assert "fire" in lexicon.patterns["cue_governs_weapon"][0]["RIGHT_ATTRS"]["LEMMA"]["IN"]


def test_a_state_body_speaks_for_its_country() -> None:
    assert load_lexicon(DEFAULT_MODELS).state_bodies["state department"] == "USA"
