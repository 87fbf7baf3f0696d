"""How many weapons, for how much, and when: the numbers an event carries."""

from __future__ import annotations

import calendar
import re
from functools import lru_cache

from spacy.tokens import Token

from pipeline.events.lexicon import Lexicon

# More than this many systems or munitions in one event is a misread number (a sum, a year).
MOST = 100_000
NUMBER = r"\d+(?:[.,]\d+)*"
YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
DAY = re.compile(r"\b([0-3]?\d)(?:st|nd|rd|th)?\b")
MONTHS = {name.lower(): number for number, name in enumerate(calendar.month_name) if name}
MONTHS |= {name.lower(): number for number, name in enumerate(calendar.month_abbr) if name}
WEEKDAYS = frozenset(name.lower() for name in calendar.day_name)


def quantity(
    weapon: Token, lexicon: Lexicon, name: frozenset[int] = frozenset(), part: bool = True
) -> int | None:
    """The number of systems the weapon's phrase gives: "60 Harpoon missiles", "two of the
    missiles", "31 of 35 drones" (the part named), "a pair of drones". "Dozens of drones" gives
    none, nor a number inside the weapon's name (`name`, its tokens: "Taurus KEPD 350"), though
    one the parser hung on the name counts ("40 F-16 Block 70 jets"). Without `part` the whole
    counts: "35" of "31 of 35 drones launched by Russia" for the launch."""
    head = weapon
    while head.dep_ == "compound" and head.head.i != head.i:
        head = head.head
    counted = _counted(head, lexicon) if part else None
    if counted is not None:
        return _number(counted, lexicon)
    children = [*head.children, *(g for c in head.children if c.i in name for g in c.children)]
    for child in children:
        if child.i in name:
            continue
        if child.dep_ == "nummod" and child.ent_type_ != "MONEY" and not _in_name(child):
            return _number(_part(child) if part else child, lexicon)
    counted = _counted(head, lexicon)
    return _number(counted, lexicon) if counted is not None else None


def _counted(head: Token, lexicon: Lexicon) -> Token | None:
    """The number a phrase is counted out of: "two" of "two of the missiles"."""
    owner = head.head if head.dep_ == "pobj" and head.head.lower_ == "of" else None
    if owner is None or owner.head.i == owner.i:
        return None
    count = owner.head
    return count if count.tag_ == "CD" or count.lower_ in lexicon.numbers else None


def _part(number: Token) -> Token:
    """ "12 of 15 drones" parsed as one number: the part before "of" is what the event counts."""
    marks = {c.lower_: c for c in number.children if c.dep_ == "quantmod"}
    part = next((c for c in number.children if c.dep_ == "quantmod" and c.tag_ == "CD"), None)
    return part if "of" in marks and part is not None and part.i < marks["of"].i else number


def _in_name(number: Token) -> bool:
    """A number that is part of a model's name: "787-9 jets", "Type 12 missiles"."""
    if number.i == 0:
        return False
    before = number.doc[number.i - 1]
    hyphen = before.text == "-" and not before.whitespace_
    return hyphen or (before.is_title and before.pos_ == "PROPN")


def _number(token: Token, lexicon: Lexicon) -> int | None:
    words = token.lower_.replace("-", " ").split()
    if all(w in lexicon.numbers for w in words):
        value = sum(lexicon.numbers[w] for w in words)
    else:
        try:
            value = int(float(token.text.replace(",", "")))
        except ValueError:
            return None
    return value if 0 < value <= MOST else None


def value(sentence: str, lexicon: Lexicon) -> tuple[float, str] | None:
    """The first sum of money in a sentence: "$1.1 billion", "1.1 billion dollars", "£2bn"."""
    match = _money_pattern(tuple(sorted(lexicon.money.items())))
    for found in match.finditer(sentence):
        symbol, scale = found.group("symbol"), found.group("scale") or found.group("scale2")
        word = found.group("word")
        if symbol is None and word is None:
            continue
        amount = float((found.group("number") or found.group("number2")).replace(",", ""))
        if scale:
            amount *= float(lexicon.money[scale.lower()][1])
        currency = lexicon.money[symbol][1] if symbol else lexicon.money[word.lower()][1]
        return amount, currency
    return None


@lru_cache(maxsize=4)
def _money_pattern(money: tuple[tuple[str, tuple[str, str]], ...]) -> re.Pattern[str]:
    def alternatives(kind: str) -> str:
        forms = sorted((k for k, (v, _) in money if v == kind), key=len, reverse=True)
        return "|".join(re.escape(f) for f in forms)

    symbols, words, scales = alternatives("symbol"), alternatives("word"), alternatives("scale")
    return re.compile(
        rf"(?:(?<![\w$])(?P<symbol>{symbols})\s?(?P<number>{NUMBER})(?:\s?(?P<scale>{scales})\b)?)"
        rf"|(?:\b(?P<number2>{NUMBER})(?:\s?(?P<scale2>{scales}))?\s(?P<word>{words})\b)",
        re.IGNORECASE,
    )


def when(dates: list[str]) -> str | None:
    """The first date a sentence gives, as ISO where it names a year ("2021", "2023-08",
    "2023-08-15"), else as written when it names a day or month ("Sunday"); vague spans
    ("earlier this week") give none."""
    for text in dates:
        lowered = text.lower()
        words = re.findall(r"[a-z]+", lowered)
        month = next((MONTHS[w] for w in words if w in MONTHS), None)
        year = YEAR.search(text)
        if year is not None:
            if month is None:
                return year.group(1)
            day = DAY.search(YEAR.sub("", text))
            return f"{year.group(1)}-{month:02d}" + (f"-{int(day.group(1)):02d}" if day else "")
        if month is not None or any(w in WEEKDAYS for w in words):
            return text
    return None
