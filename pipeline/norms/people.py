"""People: titles stripped into roles, short forms resolved to the full name within an article."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pipeline.norms.tables import read_tsv

_POSSESSIVE = re.compile(r"(?:['’]s?)$")
_PARTICLE = re.compile(r"\b([Aa]l|[Ee]l)-(?=\w)")


def clean_name(text: str) -> str:
    """A name as it should be shown: single spaces, no possessive ending."""
    text = " ".join(text.split()).strip(" .,;:")
    return _POSSESSIVE.sub("", text).strip(" .,;:")


# A nickname in quotes inside a name: 'Richard "Tex" Coe', 'John “J.D.” Dorrian'.
_NICKNAME = re.compile(r"\s+[\"“‘'][^\"“”‘’']{1,24}[\"”’']\s+")


def without_nickname(name: str) -> str:
    """The name as a norm: 'Richard "Tex" Coe' -> 'Richard Coe'."""
    return _NICKNAME.sub(" ", name)


def particle_variants(name: str) -> set[str]:
    """A name with its Arabic article written the ways news copy writes it:
    "Haider al-Abadi", "Haider Al-Abadi", "Haider al Abadi", "Haider Al Abadi"."""
    variants = {name}
    for upper in (False, True):
        for sep in ("-", " "):
            variants.add(
                _PARTICLE.sub(lambda m, u=upper, s=sep: (m[1].capitalize() if u else m[1].lower()) + s, name)
            )
    return variants


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
        tokens = name_key(without_nickname(name)).split()
        candidates = [
            f for f in full if f != name and _contains(name_key(without_nickname(f)).split(), tokens)
        ]
        longest = _best(candidates, counts)
        if longest is None:
            resolved[name] = (without_nickname(name), "full" if len(tokens) >= 2 else "as_written")
        else:
            resolved[name] = (without_nickname(longest), "short_form")
    return resolved


def _contains(full: list[str], part: list[str]) -> bool:
    """`part` is the end (surname) or start of `full`, as whole tokens."""
    if len(part) >= len(full):
        return False
    return full[-len(part) :] == part or full[: len(part)] == part


def _best(candidates: list[str], counts: Counter[str]) -> str | None:
    if not candidates:
        return None
    # Candidates that contain each other are one person ("Kim Jong Un" and "Jong Un"), and so are
    # one name's two orders ("Hayashi Yoshimasa", "Yoshimasa Hayashi"): take the longest, then the
    # most frequent, then the first written; otherwise the name is ambiguous.
    order = {name: i for i, name in enumerate(counts)}
    candidates.sort(key=lambda c: (-len(c.split()), -counts[c], order.get(c, 0)))
    top = candidates[0]
    top_tokens = name_key(top).split()
    for other in candidates[1:]:
        tokens = name_key(other).split()
        if not _contains(top_tokens, tokens) and sorted(tokens) != sorted(top_tokens):
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


@dataclass(frozen=True)
class KnownPerson:
    name: str
    country: str | None
    roles: tuple[str, ...]
    aliases: tuple[str, ...] = ()  # every spelling listed, even a surname that is not unique


class KnownPeople:
    """People the news names often, found by every form that can only mean one of them.

    An article may call someone by a surname it never expands ("Assad's forces"); the gazetteer
    gives such a mention its full name. A surname joins the forms only when the data says it
    stands alone in the news (Putin yes, Austin no), and a form two people share is dropped.
    """

    def __init__(self, people: Iterable[tuple[KnownPerson, Iterable[str], bool]]) -> None:
        self.people: dict[str, KnownPerson] = {}
        owners: dict[str, set[str]] = {}
        self._surfaces: dict[str, set[str]] = {}
        for person, aliases, surname_alone in people:
            self.people[person.name] = person
            for form in {v for a in (person.name, *aliases) for v in particle_variants(a)}:
                if len(name_key(form).split()) >= 2 or surname_alone:
                    owners.setdefault(name_key(form), set()).add(person.name)
                    self._surfaces.setdefault(person.name, set()).add(" ".join(form.split()))
        self._by_form = {form: next(iter(names)) for form, names in owners.items() if len(names) == 1}

    @classmethod
    def load(cls, path: Path) -> KnownPeople:
        rows = []
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                if line.strip():
                    row = json.loads(line)
                    person = KnownPerson(
                        row["name"],
                        row.get("country"),
                        tuple(row.get("roles", ())),
                        tuple(row.get("aliases", ())),
                    )
                    rows.append((person, row.get("aliases", []), bool(row.get("surname_alone"))))
        return cls(rows)

    def lookup(self, name: str) -> KnownPerson | None:
        """The one known person `name` can stand for, or None."""
        canonical = self._by_form.get(name_key(clean_name(name)))
        return self.people[canonical] if canonical else None

    def patterns(self) -> list[dict[str, str]]:
        """Span-ruler patterns (exact case) for every unambiguous form, labelled PERSON."""
        return [
            {"label": "PERSON", "pattern": surface, "id": f"gazetteer|person|{name}"}
            for name, surfaces in sorted(self._surfaces.items())
            for surface in sorted(surfaces)
            if self._by_form.get(name_key(surface)) == name
        ]


@lru_cache(maxsize=4)
def known_people(models: Path) -> KnownPeople:
    """The gazetteer of people in the `models` folder, read once per process and folder."""
    return KnownPeople.load(models / "people" / "known.jsonl")


@lru_cache(maxsize=4)
def context_cues(models: Path) -> dict[str, list[str]]:
    """people/cues.tsv of the `models` folder by kind: the context words of the person rules,
    which the capital check reads too ("west of Damascus")."""
    cues: dict[str, list[str]] = {}
    for row in read_tsv(models / "people" / "cues.tsv"):
        cues.setdefault(row["kind"], []).append(row["word"])
    return cues
