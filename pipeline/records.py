"""The pipeline's own records: third-party objects become these at the module that made them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class Response:
    """What one HTTP (or file) fetch gave back, success or not."""

    url: str
    final_url: str
    status: int | None
    body: bytes
    content_type: str | None
    etag: str | None
    last_modified: str | None
    elapsed_ms: int
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and self.status is not None and 200 <= self.status < 300

    @property
    def not_modified(self) -> bool:
        return self.status == 304


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One item of a feed, with the canonical URL that names its article."""

    article_id: str
    url: str
    feed_url: str
    title: str | None
    published_at: datetime | None
    author: str | None
    summary: str | None


@dataclass(frozen=True, slots=True)
class FeedResult:
    """A polled feed: its entries, or why there are none."""

    feed_url: str
    name: str
    status: str  # ok | not_modified | error
    entries: tuple[FeedEntry, ...] = ()
    error: str | None = None
    http_status: int | None = None
    etag: str | None = None
    last_modified: str | None = None
    content_hash: str | None = None
    bytes: int = 0
    elapsed_ms: int = 0
    skipped_entries: int = 0


@dataclass(frozen=True, slots=True)
class Article:
    """An article's main text and metadata, as extracted from its page."""

    article_id: str
    url: str
    title: str | None
    author: str | None
    published_at: datetime | None
    published_method: str | None  # feed | page | None
    site: str | None
    language: str | None
    text: str
    content_hash: str
    extraction: str  # the extractor and its version
    status: str  # ok | non_english
    fetched_at: datetime
    http_status: int | None = None  # of the fetch that gave the page (None for files)
    bytes: int = 0
    elapsed_ms: int = 0


@dataclass(frozen=True, slots=True)
class Mention:
    """One mention of a person, country or weapon, with the evidence for it."""

    article_id: str
    start: int
    end: int
    text: str
    label: str  # PERSON | COUNTRY | WEAPON
    norm: str | None
    method: str  # model | gazetteer | pattern | compound | ...
    kind: str | None  # how the norm was reached: name, alias, demonym, capital, surname, ...
    confidence: float
    sentence: str
    sentence_start: int
    attrs: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        """The scorer's entity format, with our extra fields."""
        return {
            "start": self.start,
            "end": self.end,
            "label": self.label,
            "text": self.text,
            "norm": self.norm,
            "method": self.method,
            "kind": self.kind,
            "confidence": self.confidence,
            **self.attrs,
        }


@dataclass(frozen=True, slots=True)
class Event:
    """What one sentence says a country did with a weapon (see EVENTS.md), with the evidence.

    `start`/`end` are the sentence's offsets in the article text; the weapon is one WEAPON
    mention of that sentence, named by its norm and located by its own offsets.
    """

    article_id: str
    start: int
    end: int
    sentence: str
    type: str  # transfer | acquisition | development | test | deployment | use | interception
    weapon: str
    weapon_start: int
    weapon_end: int
    weapon_text: str
    actors: tuple[str, ...]
    counterparts: tuple[str, ...]
    status: str  # planned | approved | ongoing | completed | claimed | denied
    quantity: int | None
    value_amount: float | None
    value_currency: str | None
    when: str | None
    negated: bool
    method: str  # which rule found it
    cue: str  # the word that says what happened ("tested", "sale")
    confidence: float

    def as_json(self) -> dict[str, Any]:
        """The EVENTS.md layout, with our extra fields."""
        value = (
            {"amount": self.value_amount, "currency": self.value_currency}
            if self.value_amount is not None
            else None
        )
        return {
            "start": self.start,
            "end": self.end,
            "type": self.type,
            "weapon": self.weapon,
            "actors": list(self.actors),
            "counterparts": list(self.counterparts),
            "status": self.status,
            "quantity": self.quantity,
            "value": value,
            "when": self.when,
            "negated": self.negated,
            "weapon_start": self.weapon_start,
            "weapon_end": self.weapon_end,
            "weapon_text": self.weapon_text,
            "method": self.method,
            "cue": self.cue,
            "confidence": self.confidence,
        }


@dataclass(frozen=True, slots=True)
class Failure:
    """Why one item could not be processed; recorded, and the run goes on."""

    url: str
    article_id: str | None
    stage: str  # feed | page | extract | entities
    reason: str
    http_status: int | None = None
    bytes: int = 0
    elapsed_ms: int = 0
    permanent: bool = False
