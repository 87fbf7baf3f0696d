"""Analysts' verdicts on extracted mentions: what they may say, which mention a verdict is about,
and how sure a sample of them makes us of the pipeline's precision.

A verdict names its mention by an anchor, not by a row: the article, the label, the words of the
mention and the characters around it. Reprocessing with a new model writes new rows for the same
words in the same place; an edit elsewhere in the article moves the offsets but not the words
around the mention. Either way the anchor, and so the verdict, still finds the mention.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, get_args

Kind = Literal["correct", "not_entity", "wrong_label", "wrong_norm", "merge"]
Queue = Literal["new", "low_confidence", "sample"]
KINDS: tuple[Kind, ...] = get_args(Kind)
QUEUES: tuple[Queue, ...] = get_args(Queue)
LABELS = ("PERSON", "COUNTRY", "WEAPON")

# Characters of article text kept on each side of a mention: about five words, enough to tell
# two mentions of one name in one article apart, few enough that an edit a paragraph away
# leaves them alone. The warehouse computes the same anchor in SQL (migration 0010).
CONTEXT_CHARS = 32
# Hex digits of the anchor's MD5 in an item id: 64 bits, no collision among billions of mentions.
ID_DIGITS = 16
_SEPARATOR = "\x1f"  # ASCII unit separator: no article text or label contains it
_COUNTRY_CODE = re.compile(r"[A-Z]{3}")


@dataclass(frozen=True, slots=True)
class Anchor:
    """Where a mention is, independent of its row and of its offsets."""

    article_id: str
    label: str
    text: str
    before: str
    after: str

    @property
    def item_id(self) -> str:
        """A short hash of the anchor: the review item's id, the same in every pipeline version."""
        joined = _SEPARATOR.join((self.article_id, self.label, self.text, self.before, self.after))
        return hashlib.md5(joined.encode("utf-8")).hexdigest()[:ID_DIGITS]


def anchor_of(article_id: str, article_text: str, label: str, start: int, end: int) -> Anchor:
    """The anchor of the mention at [start, end) of an article's text."""
    return Anchor(
        article_id,
        label,
        article_text[start:end],
        article_text[max(start - CONTEXT_CHARS, 0) : start],
        article_text[end : end + CONTEXT_CHARS],
    )


@dataclass(frozen=True, slots=True)
class QueueItem:
    """One mention put before an analyst. `start` and `end` are offsets in `sentence`, for
    marking the mention there; `norm` is the norm the views count it by."""

    item_id: str
    queue: Queue
    article_id: str
    title: str | None
    url: str
    label: str
    text: str
    norm: str | None
    method: str
    confidence: float
    sentence: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Verdict:
    """An analyst's judgement of one queue item.

    `correction`: for wrong_label the right label, for wrong_norm the right norm, for merge the
    norm or entity id of the entity the mention's entity is the same as; None otherwise."""

    item_id: str
    verdict: Kind
    correction: str | None
    reviewer: str
    queue: Queue


def form_problem(
    verdict: str,
    queue: str,
    reviewer: str,
    correction: str,
    kinds: Sequence[str],
    queues: Sequence[str],
    plain: Sequence[str],
) -> str | None:
    """What any verdict, on a mention or an event, must get right: a known kind and queue, a
    reviewer, and a correction exactly when its kind is not one of the `plain` ones."""
    if verdict not in kinds:
        return f"unknown verdict {verdict!r} (one of {', '.join(kinds)})"
    if queue not in queues:
        return f"unknown queue {queue!r} (one of {', '.join(queues)})"
    if not reviewer.strip():
        return "no reviewer named"
    if verdict in plain:
        return f"{verdict} takes no correction" if correction else None
    if not correction:
        return f"{verdict} needs a correction"
    return None


def verdict_problem(verdict: Verdict) -> str | None:
    """Why a verdict cannot be recorded as given (None when it can): an unknown kind or queue,
    or a correction that is missing, superfluous or not a label."""
    correction = (verdict.correction or "").strip()
    plain = ("correct", "not_entity")
    problem = form_problem(verdict.verdict, verdict.queue, verdict.reviewer, correction, KINDS, QUEUES, plain)
    if problem or verdict.verdict in plain:
        return problem
    if verdict.verdict == "wrong_label" and correction not in LABELS:
        return f"wrong_label needs the right label ({', '.join(LABELS)}), not {correction!r}"
    return None


def country_code(norm: str) -> bool:
    """Whether a COUNTRY correction has the shape of the norms it must match (ISO alpha-3)."""
    return _COUNTRY_CODE.fullmatch(norm) is not None


@dataclass(frozen=True, slots=True)
class Interval:
    """A proportion estimated from `correct` of `n`, with its Wilson score interval."""

    n: int
    correct: int
    estimate: float
    low: float
    high: float


def wilson_interval(correct: int, n: int, z: float = 1.96) -> Interval:
    """The Wilson score interval for `correct` successes in `n` trials (z = 1.96: 95 %).

    Unlike the normal approximation it stays inside [0, 1] and is not zero-width at 0 or n
    successes, which matters for the small samples an analyst judges. With no trials nothing
    is known: the estimate is NaN and the interval [0, 1]."""
    if n <= 0:
        return Interval(0, 0, math.nan, 0.0, 1.0)
    p = correct / n
    z2 = z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z / (1 + z2 / n) * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    return Interval(n, correct, p, max(centre - half, 0.0), min(centre + half, 1.0))
