"""Country names, aliases, abbreviations, demonyms and capitals, normalised to ISO 3166-1 alpha-3."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pycountry

from pipeline.norms.tables import read_tsv

USER_ASSIGNED = {"XKX": "Kosovo"}  # not in ISO 3166-1, used by the EU and IMF


@dataclass(frozen=True, slots=True)
class CountryForm:
    """How a piece of text names a country."""

    code: str | None  # None when ambiguous without context
    kind: str  # name | alias | abbreviation | adjective | plural | person | capital | combining | ambiguous


class CountryTable:
    """Every way our data writes a country, looked up by exact text and by lower case."""

    def __init__(
        self,
        forms: dict[str, CountryForm],
        exact: dict[str, CountryForm],
        spellings: dict[str, set[str]],
        ambiguous: dict[str, tuple[str, ...]],
    ) -> None:
        self.forms = forms  # lower-cased text -> form (names, demonyms, capitals)
        self.exact = exact  # abbreviations, matched case-sensitively ("US" is not "us")
        self.spellings = spellings  # lower-cased text -> the ways the data writes it
        self.ambiguous = ambiguous  # lower-cased name -> the states it may stand for ("korea")

    @classmethod
    def load(cls, folder: Path) -> CountryTable:
        forms: dict[str, CountryForm] = {}
        spellings: dict[str, set[str]] = {}

        def add(text: str, form: CountryForm, replace: bool = False) -> None:
            key = text.lower()
            if replace or key not in forms:
                forms[key] = form
            spellings.setdefault(key, set()).add(text)

        for country in pycountry.countries:
            for attr in ("name", "common_name", "official_name"):
                name = getattr(country, attr, None)
                if name and "," not in name and "(" not in name:
                    add(name, CountryForm(country.alpha_3, "name"))
        exact: dict[str, CountryForm] = {}
        ambiguous: dict[str, tuple[str, ...]] = {}
        for row in read_tsv(folder / "names.tsv"):
            form = CountryForm(row["code"], row["kind"])
            if row["kind"] == "abbreviation":
                exact[row["text"]] = form
            elif row["kind"] == "ambiguous":
                add(row["text"], CountryForm(None, "ambiguous"), replace=True)
                key = row["text"].lower()
                ambiguous[key] = (*ambiguous.get(key, ()), row["code"])
            else:
                add(row["text"], form, replace=True)
        for row in read_tsv(folder / "demonyms.tsv"):
            add(row["text"], CountryForm(row["code"], row["kind"]))
        for row in read_tsv(folder / "capitals.tsv"):
            add(row["text"], CountryForm(row["code"], "capital"))
        return cls(forms, exact, spellings, ambiguous)

    def lookup(self, text: str) -> CountryForm | None:
        """The form for a mention's text, trying exact abbreviations first, then names."""
        text = text.strip()
        if text in self.exact:
            return self.exact[text]
        key = text.lower()
        if key.startswith("the "):
            key = key[4:]
        return self.forms.get(key)

    def names_by_code(self) -> dict[str, set[str]]:
        """Each state's names, short forms, abbreviations and demonyms as written in the data (not
        its capitals, nor the parts only compounds use); an ambiguous name ("Korea") under each
        state it may mean."""
        by_code: dict[str, set[str]] = {}
        for text, form in self.exact.items():
            by_code.setdefault(str(form.code), set()).add(text)
        for key, form in self.forms.items():
            if form.kind in ("capital", "combining"):
                continue
            for code in self.ambiguous.get(key, ()) if form.code is None else (form.code,):
                by_code.setdefault(code, set()).update(self.spellings[key])
        return by_code

    def states(self, text: str) -> tuple[str, ...]:
        """The states an ambiguous name may stand for ("Korea": KOR, PRK); none for other text."""
        return self.ambiguous.get(text.lower().removeprefix("the "), ())

    def patterns(self) -> list[dict[str, object]]:
        """span_ruler patterns (exact case) for every form, with Title and UPPER variants."""
        out: list[dict[str, object]] = []
        for text, form in self.exact.items():
            out.append(_pattern(text, form))
        for key, form in self.forms.items():
            if form.kind == "combining":
                continue  # only meaningful inside hyphenated compounds
            for variant in self.spellings[key] | {key.upper()}:
                out.append(_pattern(variant, form))
        return out

    def split_compound(self, token: str, single: bool = False) -> list[tuple[int, int, CountryForm]] | None:
        """Parts of a hyphenated compound that each name a country ('U.S.-Japan', 'Sino-Russian').

        Returns None unless every part is a country form and there are at least two parts, or
        one where `single` (what came before a participle: "U.S." of "U.S.-supplied").
        """
        parts = [(m.start(), m.end()) for m in re.finditer(r"[^-–]+", token)]
        if len(parts) < (1 if single else 2):
            return None
        found = []
        for start, end in parts:
            form = self.lookup(token[start:end])
            if form is None or form.code is None or form.kind == "capital":
                return None
            found.append((start, end, form))
        return found


def country_name(code: str, names: Mapping[str, str] | None = None) -> str:
    """The name an analyst knows a country by ("Russia", not "Russian Federation"): `names` (the
    overrides of `display_names`), else pycountry's common name, else its ISO name; the code
    itself for one pycountry does not know."""
    if names and code in names:
        return names[code]
    if code in USER_ASSIGNED:
        return USER_ASSIGNED[code]
    country = pycountry.countries.get(alpha_3=code)
    if country is None:
        return code
    return str(getattr(country, "common_name", None) or country.name)


def display_names(folder: Path) -> dict[str, str]:
    """display_names.tsv of a countries folder: the names pycountry's do not fit, by code."""
    return {row["code"]: row["name"] for row in read_tsv(folder / "display_names.tsv")}


def _pattern(text: str, form: CountryForm) -> dict[str, object]:
    return {"label": "COUNTRY", "pattern": text, "id": f"gazetteer|{form.code or ''}|{form.kind}"}


@dataclass(frozen=True, slots=True)
class Ambiguity:
    """A country name with another sense, and the cues that tell the two apart."""

    other_sense: str
    cues_other: tuple[str, ...]
    cues_country: tuple[str, ...]


def load_ambiguities(path: Path) -> dict[str, Ambiguity]:
    return {
        row["text"]: Ambiguity(
            row["other_sense"],
            tuple(c for c in row["cues_other"].split(";") if c),
            tuple(c for c in row["cues_country"].split(";") if c),
        )
        for row in read_tsv(path)
    }


_NEXT_NAME = re.compile(r" [A-Z][\w'’-]+")
_PREV_WORD = re.compile(r"([A-Z][\w'’.-]*) $")


def other_sense(
    ambiguity: Ambiguity,
    text: str,
    start: int,
    end: int,
    function_words: frozenset[str],
    not_names: frozenset[str] = frozenset(),
) -> bool:
    """Whether the name at text[start:end] is used in its other sense, not as the country.

    `function_words` and `not_names`: as for `in_longer_name`.
    """
    return (
        in_longer_name(text, start, end, function_words, not_names)
        or cue_just_before(ambiguity, text, start)
        or article_reads_other(ambiguity, text)
    )


def cue_just_before(ambiguity: Ambiguity, text: str, start: int) -> bool:
    """A cue of the other sense right before the name ("Atlanta, Georgia"): that sense here, whatever
    the rest of the article is about."""
    before = text[max(0, start - 40) : start].rstrip(" ,")
    return any(before.endswith(cue) for cue in ambiguity.cues_other)


def in_longer_name(
    text: str, start: int, end: int, function_words: frozenset[str], not_names: frozenset[str] = frozenset()
) -> bool:
    """The name at text[start:end] is part of a longer name: "Michael Jordan", "Georgia Tech".

    `function_words`: lower-case words that may come before the name without forming a longer one
    ("In Jordan", models/countries/function_words.txt); `not_names`: lower-case words that may
    follow it ("Jordan Armed Forces", "Turkey November").
    """
    previous = _PREV_WORD.search(text, max(0, start - 40), start)
    word = previous.group(1) if previous else ""
    sentence_end = word.endswith(".") and len(word) > 2  # "Syria. Jordan" but not "J. Jordan"
    following = _NEXT_NAME.match(text, end)
    return bool(
        (following and following.group().strip().lower() not in not_names)
        or (word and not sentence_end and word.lower() not in function_words)
    )


@lru_cache(maxsize=8)
def article_reads_other(ambiguity: Ambiguity, text: str) -> bool:
    """The article's cue words favour the other sense (Atlanta for Georgia) over the country's.

    Cached: the answer holds for the whole article, and a long page names 'Georgia' hundreds of
    times (a string keeps its hash, so asking again with the same text costs nothing).
    """
    if any(cue in text for cue in ambiguity.cues_country):
        return False
    return any(cue in text for cue in ambiguity.cues_other)
