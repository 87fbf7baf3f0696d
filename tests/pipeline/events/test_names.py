"""An event's weapon name: the fullest the same text gives for the system."""

from __future__ import annotations

from typing import Any

import spacy

from pipeline.events.names import full_names
from pipeline.records import Mention


def _weapon(text: str, start: int, part: str, norm: str, kind: str, **attrs: Any) -> Mention:
    assert text[start : start + len(part)] == part
    return Mention(
        "a", start, start + len(part), part, "WEAPON", norm, "gazetteer", kind, 0.9, text, 0, attrs
    )


def test_a_definite_short_name_takes_the_full_name_before_it_and_a_bare_one_keeps_its_own() -> None:
    text = "Chile ordered F-16 Block 70 jets. It received the F-16s. Peru flies F-16s."
    doc = spacy.blank("en")(text)
    weapons = [
        _weapon(text, text.index("F-16 Block"), "F-16 Block 70 jets", "F-16 Block 70", "name"),
        _weapon(text, text.index("the F-16s") + 4, "F-16s", "F-16", "alias"),
        _weapon(text, text.rindex("F-16s"), "F-16s", "F-16", "alias"),
    ]
    assert [m.norm for m in full_names(doc, weapons)] == ["F-16 Block 70", "F-16 Block 70", "F-16"]


def test_a_designation_written_in_the_text_names_every_mention_of_the_system() -> None:
    text = "Oman flies Eurofighter Typhoon jets. Its Typhoons flew."
    doc = spacy.blank("en")(text)
    system = {"weapon_id": "eurofighter-typhoon", "designation": "Eurofighter Typhoon"}
    full = _weapon(text, text.index("Eurofighter"), "Eurofighter Typhoon jets", "Typhoon", "name", **system)
    short = _weapon(text, text.index("Typhoons"), "Typhoons", "Typhoon", "alias", **system)
    assert [m.norm for m in full_names(doc, [full, short])] == ["Eurofighter Typhoon"] * 2
    assert [m.norm for m in full_names(doc, [short])] == ["Typhoon"]
