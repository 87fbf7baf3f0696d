"""The event rules' data (models/events/ and the state bodies of models/organisations/), read once
into one frozen record so that the rules themselves hold no word lists."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from pipeline.norms.organisations import load_organisations
from pipeline.norms.tables import read_tsv

TYPES = ("transfer", "acquisition", "development", "test", "deployment", "use", "interception")
STATUSES = ("planned", "approved", "ongoing", "completed", "claimed", "denied")


@dataclass(frozen=True, slots=True)
class Cue:
    """A word that says what was done with a weapon."""

    key: str  # "fire", "test-fire", "shoot down"
    pos: str  # VERB | NOUN
    type: str  # an event type, or "test|use" / "use|test": decided by the sentence
    side: str  # give | take | hit (the object is the target) | defeat (only of a flying weapon) | -
    status: str  # a status the word carries, or "-"


@dataclass(frozen=True, slots=True)
class Frame:
    """Which role each syntactic place fills for one kind of event."""

    agent: str  # actors | counterparts | "" (no role)
    patient: str
    owner: str
    preps: dict[str, str]
    source: str = "forces"  # any: the reporting source may be the actor without a subject


@dataclass(frozen=True)
class Lexicon:
    """Everything the event rules read, keyed for lookup by lemma."""

    cues: dict[tuple[str, str], Cue]  # (key, pos) -> cue
    status: dict[str, str]  # lemma -> planned | approved | ... | negated | hypothetical, or two joined by ','
    context: dict[str, str]  # word -> test | use
    frames: dict[str, Frame]  # event type (and "take") -> frame
    numbers: dict[str, int]
    money: dict[str, tuple[str, str]]  # written form -> (kind, value)
    words: dict[str, frozenset[str]]  # the small lists of words.json
    state_bodies: dict[str, str]  # a state body's name as written, lower case -> ISO3
    patterns: dict[str, list[dict[str, Any]]]  # DependencyMatcher patterns, '$' lists filled in
    confidence: dict[str, float]  # rule -> prior; no_roles / both_roles -> what they add


@lru_cache(maxsize=2)
def load_lexicon(models: Path) -> Lexicon:
    """The data under `models`, read once per process and folder."""
    folder = models / "events"
    cues = {
        (row["key"], row["pos"]): Cue(row["key"], row["pos"], row["type"], row["side"], row["status"])
        for row in read_tsv(folder / "cues.tsv")
    }
    roles = json.loads((folder / "roles.json").read_text(encoding="utf-8"))
    frames = {name: Frame(**frame) for name, frame in roles.items() if not name.startswith("_")}
    words = {
        name: frozenset(v)
        for name, v in json.loads((folder / "words.json").read_text(encoding="utf-8")).items()
        if isinstance(v, list)
    }
    pronouns = words["weapon_pronouns"] | words["weapon_anaphors"]
    lists = {"$CUES": cue_lemmas(cues), "$WEAPON_PRONOUNS": sorted(pronouns)}
    raw = json.loads((folder / "patterns.json").read_text(encoding="utf-8"))
    return Lexicon(
        cues=cues,
        status={row["key"]: row["status"] for row in read_tsv(folder / "status.tsv")},
        context={row["key"]: row["context"] for row in read_tsv(folder / "context.tsv")},
        frames=frames,
        numbers={row["key"]: int(row["value"]) for row in read_tsv(folder / "numbers.tsv")},
        money={row["key"]: (row["kind"], row["value"]) for row in read_tsv(folder / "money.tsv")},
        words=words,
        state_bodies=_state_bodies(models),
        patterns={name: _filled(p, lists) for name, p in raw.items() if not name.startswith("_")},
        confidence={row["key"]: float(row["value"]) for row in read_tsv(folder / "confidence.tsv")},
    )


def cue_lemmas(cues: dict[tuple[str, str], Cue]) -> list[str]:
    """The lemma each cue's head word has: "fire" for "test-fire", "shoot" for "shoot down"."""
    return sorted({key.split(" ")[0].rsplit("-", 1)[-1] for key, _ in cues})


def _state_bodies(models: Path) -> dict[str, str]:
    """'state department' -> USA: a ministry or armed force as a subject speaks for its state."""
    return {
        form.lower(): org.country
        for org in load_organisations(models / "organisations" / "organisations.jsonl")
        if org.state_body and org.country
        for form in org.forms
    }


def _filled(value: Any, lists: dict[str, list[str]]) -> Any:
    """A pattern with each '$NAME' placeholder replaced by its list of words."""
    if isinstance(value, str):
        return lists.get(value, value)
    if isinstance(value, list):
        return [_filled(v, lists) for v in value]
    if isinstance(value, dict):
        return {k: _filled(v, lists) for k, v in value.items()}
    return value
