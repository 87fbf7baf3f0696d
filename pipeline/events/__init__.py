"""Weapon events (../shared/EVENTS.md): what a sentence says a country did with a weapon, read
from the parse spaCy already made and the mentions found in it, by rules kept as data under
models/events/."""

from __future__ import annotations

from pipeline.events.extract import EventRules, doc_events
from pipeline.events.lexicon import Lexicon, load_lexicon

__all__ = ["EventRules", "Lexicon", "doc_events", "load_lexicon"]
