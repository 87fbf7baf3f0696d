"""People: titles stripped into roles, short forms resolved to the full name within an article."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

_POSSESSIVE = re.compile(r"(?:['’]s?)$")


def clean_name(text: str) -> str:
    """A name as it should be shown: single spaces, no possessive ending."""
    text = " ".join(text.split()).strip(" .,;:")
    return _POSSESSIVE.sub("", text).strip(" .,;:")


def name_key(name: str) -> str:
    """Comparison key: case and punctuation do not split one person in two."""
    return re.sub(r"[^\w]+", " ", name.casefold()).strip()


def resolve_names(names: Iterable[str]) -> dict[str, tuple[str, str]]:
    """Map each name in one article to (full name, how it was reached).

    A mention that is one token (or a shorter run of the same tokens) resolves to the most frequent
    longer name that contains it as a first or last name: "Biden" -> "Joe Biden". Names that match
    several different full names stay as written rather than be guessed.
    """
    counts = Counter(clean_name(n) for n in names)
    full = [n for n in counts if len(n.split()) >= 2]
    resolved: dict[str, tuple[str, str]] = {}
    for name in counts:
        tokens = name_key(name).split()
        candidates = [f for f in full if f != name and _contains(name_key(f).split(), tokens)]
        longest = _best(candidates, counts)
        if longest is None:
            resolved[name] = (name, "full" if len(tokens) >= 2 else "as_written")
        else:
            resolved[name] = (longest, "short_form")
    return resolved


def _contains(full: list[str], part: list[str]) -> bool:
    """`part` is the end (surname) or start of `full`, as whole tokens."""
    if len(part) >= len(full):
        return False
    return full[-len(part) :] == part or full[: len(part)] == part


def _best(candidates: list[str], counts: Counter[str]) -> str | None:
    if not candidates:
        return None
    # Candidates that contain each other are one person ("Kim Jong Un" and "Jong Un"): take the
    # longest; otherwise the name is ambiguous.
    candidates.sort(key=lambda c: (-len(c.split()), -counts[c]))
    top = candidates[0]
    top_tokens = name_key(top).split()
    for other in candidates[1:]:
        if not _contains(top_tokens, name_key(other).split()) and name_key(other) != name_key(top):
            return None
    return top


def surname_index(full_names: Iterable[str]) -> dict[str, set[str]]:
    """Last name (comparison key) -> the full names that end with it."""
    index: dict[str, set[str]] = {}
    for name in full_names:
        tokens = name_key(name).split()
        if len(tokens) >= 2:
            index.setdefault(tokens[-1], set()).add(name)
    return index


def merge_surname(name: str, index: dict[str, set[str]]) -> str | None:
    """The one known full name a lone surname can stand for, or None when there are none or several.

    Only a single-token name merges: "Biden" -> "Joe Biden" when no other known person is a Biden.
    """
    tokens = name_key(name).split()
    if len(tokens) != 1:
        return None
    matches = index.get(tokens[0], set())
    return next(iter(matches)) if len(matches) == 1 else None
