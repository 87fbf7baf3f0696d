"""Our spaCy components, registered by import (the built pipeline names them in its config)."""

from __future__ import annotations

import calendar
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from spacy import registry
from spacy.language import Language
from spacy.tokens import Doc, Span, Token
from spacy.util import filter_spans

from pipeline.norms.weapons import ClassModifiers, Head, generic_norm

PHRASE_POS = frozenset({"ADJ", "NOUN", "PROPN", "VERB", "NUM"})
MODIFIER_DEPS = frozenset({"amod", "compound", "nmod", "npadvmod", "nummod", "advmod", "punct"})


class WeaponPhrases:
    """Generic weapon phrases from the tagger and parser: a head ('missile') and its modifiers.

    Runs before `ner`, so the model cannot take a weapon phrase for a PERSON. A phrase right after
    a named system ('Patriot' + 'missile system') extends that system's span instead. The span and
    the norm keep only class modifiers ('hypersonic', 'anti-ship'); the other modifiers may still
    make a head a weapon ('coalition aircraft' is a military aircraft) but stay outside it.
    """

    def __init__(
        self,
        heads: list[Head],
        stop_modifiers: list[str],
        non_weapon_heads: list[str],
        class_modifiers: ClassModifiers,
        abbreviations: dict[str, str],
    ) -> None:
        self.heads = {head.lemmas: head for head in heads}
        self.longest = max((len(k) for k in self.heads), default=1)
        # The words a head can end in: most nouns end none, and need no longer look.
        self.last_words = frozenset(key[-1] for key in self.heads)
        self.stop = frozenset(stop_modifiers)
        self.non_weapon_heads = frozenset(non_weapon_heads)
        self.classes = class_modifiers
        self.abbreviations = abbreviations

    def __call__(self, doc: Doc) -> Doc:
        ents = filter_spans(list(doc.ents) + _ships_named_after_class(doc))
        owner = {i: e for e in ents for i in range(e.start, e.end)}
        found: list[Span] = []
        for token in doc:
            if token.i in owner:
                continue
            if token.pos_ not in ("NOUN", "PROPN") and not _before_named_weapon(token, owner):
                continue
            if self._modifies_other_noun(token, owner):
                continue
            match = self._head_at(doc, token.i, owner)
            if match is None or match[1].category == "-":  # no head, or a phrase that is no weapon
                continue
            head_start, head = match
            start = self._modifiers_start(doc, head_start, owner)
            kept = self._class_start(doc, self._bound(doc, head_start, owner), head_start)
            named = owner.get(kept - 1) if kept > 0 else None
            if named is not None and named.label_ == "WEAPON" and named in ents:
                ents.remove(named)  # "Patriot batteries", "Meteor air-to-air missiles"
                found.append(Span(doc, named.start, token.i + 1, "WEAPON", span_id=named.id_))
                continue
            if head.needs_named:
                continue
            before = owner.get(start - 1)
            national = before is not None and before.label_ == "COUNTRY"  # "Israeli jets"
            listed = self._listed_with_weapon(doc, token, owner)  # "with aircraft and artillery"
            if head.needs_class:
                if kept == head_start and not listed:
                    continue
            elif start == head_start and not (
                head.bare or national or listed or _before_named_weapon(token, owner)
            ):
                continue
            norm = generic_norm(doc[kept:head_start].text.split(), head.words, self.abbreviations)
            found.append(Span(doc, kept, token.i + 1, "WEAPON", span_id=f"pattern|{head.category}|{norm}"))
        doc.ents = filter_spans(ents + found)
        return doc

    def _modifies_other_noun(self, token: Token, owner: dict[int, Span]) -> bool:
        """'missile' in 'missile strike' or 'tank crew': a modifier of a larger noun, not a weapon.

        A weapon head after it ('missile launcher') takes the word as its own modifier; a named
        weapon after it ('the frigate FS Forbin') is the same thing named, not a larger noun."""
        if token.dep_ == "compound" and token.head.i > token.i and not _crosses_line(token, token.head):
            named = owner.get(token.head.i)
            return named is None or named.label_ != "WEAPON"
        if token.i + 1 == len(token.doc):
            return False
        following = token.nbor()
        return following.pos_ == "NOUN" and following.lemma_.lower() in self.non_weapon_heads

    def _head_at(self, doc: Doc, end: int, owner: dict[int, Span]) -> tuple[int, Head] | None:
        last = doc[end]
        lower = last.lower_
        if (
            lower not in self.last_words
            and last.lemma_.lower() not in self.last_words
            and _singular(lower) not in self.last_words
        ):
            return None
        for size in range(min(self.longest, end + 1), 0, -1):
            start = end - size + 1
            if any(i in owner for i in range(start, end + 1)):
                continue
            words = doc[start : end + 1]
            keys = [tuple(t.lower_ for t in words), tuple(t.lemma_.lower() for t in words)]
            if words[-1].is_title or words[-1].is_upper:  # a headline's "Cruise Missiles": no lemma
                keys.append((*keys[0][:-1], _singular(keys[0][-1])))
            for key in keys:
                if key in self.heads:
                    return start, self.heads[key]
        return None

    def _listed_with_weapon(self, doc: Doc, token: Token, owner: dict[int, Span]) -> bool:
        """'fighters' in 'fighters, bombers and airlifters': a word listed with a weapon is one."""
        linked = [c for c in token.children if c.dep_ == "conj"]
        if token.dep_ == "conj":
            linked.append(token.head)
        for other in linked:
            if owner.get(other.i) is not None and owner[other.i].label_ == "WEAPON":
                return True
            match = self._head_at(doc, other.i, owner)
            if match is not None and match[1].bare and match[1].category != "-":
                return True
        return False

    @staticmethod
    def _bound(doc: Doc, head_start: int, owner: dict[int, Span]) -> int:
        """How far back class modifiers may reach: the sentence's start or the entity before."""
        i = head_start
        while i > 0 and not doc[i].is_sent_start and (i - 1) not in owner:
            i -= 1
        return i

    def _class_start(self, doc: Doc, start: int, head_start: int) -> int:
        """Where the class modifiers right before the head begin: whole words, so 'anti-ship' and
        'medium-range' are judged as written, not as spaCy's three tokens. A capitalised word
        before a lower-case head is part of a name ('Red Sea drone'), not a class."""
        kept = head_start
        i = head_start
        title_case = doc[head_start].is_title
        while i > start:
            word_start = i - 1
            while word_start > start and not doc[word_start - 1].whitespace_:
                word_start -= 1
            word = "".join(t.text_with_ws for t in doc[word_start:i]).strip()
            named = word[:1].isupper() and not title_case and not doc[word_start].is_sent_start
            if named or not self.classes.keeps(word):
                break
            kept = i = word_start
        return kept

    def _modifiers_start(self, doc: Doc, head_start: int, owner: dict[int, Span]) -> int:
        start = head_start
        while start > 0 and not doc[start].is_sent_start:
            prev = doc[start - 1]
            if prev.i in owner:  # another entity; a named weapon is merged by the caller
                break
            if prev.text in {"-", "–"} and start >= 2 and doc[start - 2].i not in owner:
                start -= 1
                continue
            if (
                prev.pos_ not in PHRASE_POS
                or prev.dep_ not in MODIFIER_DEPS
                or prev.lower_ in self.stop
                or prev.like_num
                or prev.is_punct
            ):
                break
            start -= 1
        # Drop what is left of a cut hyphenated word ("moving" of "fast-moving") and stop words.
        while start < head_start and (doc[start].is_punct or doc[start].lower_ in self.stop):
            start += 2 if doc[start].text in {"-", "–"} else 1
        if start < head_start and start > 0 and doc[start - 1].text in {"-", "–"}:
            start += 1
        return min(start, head_start)


# Warship types after which a capitalised name is the ship's ("the carrier Fujian", "the missile
# corvette Ivanovets", "China's third aircraft carrier, the Fujian").
SHIP_TYPES = frozenset({"carrier", "cruiser", "corvette", "destroyer", "frigate", "submarine", "warship"})


def _ships_named_after_class(doc: Doc) -> list[Span]:
    taken = {i for e in doc.ents for i in range(e.start, e.end)}
    found = []
    for token in doc:
        if token.pos_ != "NOUN" or token.lemma_.lower() not in SHIP_TYPES:
            continue
        start = token.i + 1
        while start < len(doc) and doc[start].lower_ in {",", "the"}:
            start += 1
        end = start
        while end < len(doc) and _ship_name_word(doc[end]) and end not in taken:
            end += 1
        if end > start and end - start <= 3:
            found.append(Span(doc, start, end, "WEAPON", span_id="pattern|naval|=named_ship"))
    return found


def _ship_name_word(token: Token) -> bool:
    """A word of a ship's name: capitalised, and no day or month ("a destroyer Monday")."""
    return token.pos_ == "PROPN" and token.is_title and token.lower_ not in MONTHS | DAYS


def _crosses_line(first: Token, last: Token) -> bool:
    """A line break between two tokens: a headline's word does not modify the body's first."""
    return any("\n" in t.text_with_ws for t in first.doc[first.i : last.i])


def _singular(word: str) -> str:
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    return word[:-1] if word.endswith("s") and not word.endswith("ss") else word


def _before_named_weapon(token: Token, owner: dict[int, Span]) -> bool:
    """'ships' in 'U.K. ships HMS Ocean', which the tagger reads as a verb: a class word right
    before a named weapon is a noun in apposition."""
    after = owner.get(token.i + 1)
    return after is not None and after.label_ == "WEAPON" and after.start == token.i + 1


@Language.factory(
    "newsint_weapon_phrases",
    default_config={
        "heads": [],
        "stop_modifiers": [],
        "non_weapon_heads": [],
        "class_modifiers": {},
        "abbreviations": {},
    },
)
def make_weapon_phrases(
    nlp: Language,
    name: str,
    heads: list[dict[str, Any]],
    stop_modifiers: list[str],
    non_weapon_heads: list[str],
    class_modifiers: dict[str, list[str]],
    abbreviations: dict[str, str],
) -> WeaponPhrases:
    return WeaponPhrases(
        [Head.from_config(h) for h in heads],
        stop_modifiers,
        non_weapon_heads,
        ClassModifiers.from_config(class_modifiers),
        abbreviations,
    )


ARTICLES = frozenset({"the", "a", "an"})
MONTHS = frozenset(m.lower() for m in calendar.month_name if m)
DAYS = frozenset(d.lower() for d in calendar.day_name)


class EntityRules:
    """Document-level fixes after the statistical NER, for what a small model misses.

    - a capitalised name right after a title is a person ("Capt. Jeff Davis");
    - the capitalised subject of a speech verb is a person ("Sadiq told", "Karim replied");
    - a name the document has established as a person is a person wherever it recurs;
    - a "person" in a place context ("in Raqqah", "the liberation of Raqqah") or after an
      article ("the Levant") is not, anywhere in the document;
    - a named ship's short name is that ship wherever it recurs ("FS Forbin" ... "Forbin").
    """

    def __init__(
        self,
        speech: list[str],
        place_before: list[str],
        place_of: list[str],
        not_name: list[str],
        name_particle: list[str],
        title: list[str],
        region: list[str],
    ) -> None:
        self.speech = frozenset(speech)
        self.place_before = frozenset(place_before)
        self.place_of = frozenset(place_of)
        self.not_name = frozenset(not_name)
        self.name_particle = frozenset(name_particle)
        self.titles = frozenset(t.rstrip(".") for t in title)
        self.regions = frozenset(region)

    def __call__(self, doc: Doc) -> Doc:
        organisations = _Organisations(doc)
        ents, places = self._drop_places(doc, organisations.outside(list(doc.ents)))
        ents = _with_nicknames(doc, ents)
        ents = _add_free(ents, self._after_titles(doc, ents) + self._speakers(doc))
        recurring = [
            s
            for s in self._recurring(doc, ents)
            if s.start not in places and not (s.label_ == "PERSON" and self._place_context(doc, s) == "place")
        ]
        ships = {s.text for s in recurring if s.label_ == "WEAPON"}  # "FS Forbin" ... "Forbin"
        ents = _add_free([e for e in ents if not (e.label_ == "PERSON" and e.text in ships)], recurring)
        ents = _supported_in_headlines(doc, organisations.outside(ents))
        doc.ents = sorted(e for e in ents if not (e.label_ == "PERSON" and self._not_a_name(e)))
        return doc

    def _drop_places(self, doc: Doc, ents: list[Span]) -> tuple[list[Span], set[int]]:
        """People that are places, and the tokens where a name stands for a place.

        A name in a place context ("in Raqqah", "Mosul and Raqqah") is a place wherever it recurs,
        unless the text also gives it as part of a longer personal name or it is a listed person:
        then only that occurrence is ("Lloyd Austin" ... "in Austin, Texas"). After an article
        ("the Levant") only unlisted names are places: "the Assad regime" names him."""
        people = [e for e in ents if e.label_ == "PERSON"]
        in_full_names = {t.text for e in people if len(e) > 1 for t in e}
        places: set[int] = set()
        place_names: set[str] = set()
        for e in people:
            context = self._place_context(doc, e)
            listed = e.id_.startswith("gazetteer|")
            if context == "place" or (context == "article" and not listed):
                places.update(range(e.start, e.end))
                if not listed and len(e) == 1 and e.text not in in_full_names:
                    place_names.add(e.text)
        kept = [
            e
            for e in ents
            if not (
                e.label_ == "PERSON" and (e.start in places or e.text in place_names or self._not_a_name(e))
            )
        ]
        return kept, places

    def _not_a_name(self, ent: Span) -> bool:
        """An organisation word in it ('Saray al-Jihad Group'), or shouting ('QUESTION')."""
        return any(t.lower_ in self.not_name for t in ent) or (len(ent) == 1 and ent.text.isupper())

    def _place_context(self, doc: Doc, ent: Span) -> str | None:
        """'place' where the words around a name make it a place, 'article' after an article
        ("the Levant"), else None."""
        if self._followed_by_place(doc, ent) or self._followed_by_place_noun(doc, ent):
            return "place"  # "Karabilah, Iraq", "Austin, Texas", "Sabboura, an area outside Damascus"
        if _listed_with_place(ent):
            return "place"  # "Mosul and Raqqah"
        before = doc[ent.start - 1] if ent.start > 0 else None
        if before is None:
            return None
        if before.lower_ in self.place_before:
            return "place"
        if before.lower_ in ARTICLES:
            return "article"
        of_place = (
            before.lower_ == "of" and ent.start > 1 and doc[ent.start - 2].lemma_.lower() in self.place_of
        )
        return "place" if of_place else None

    def _followed_by_place_noun(self, doc: Doc, ent: Span) -> bool:
        """', a town', ', an area outside ...' right after the name."""
        after = doc[ent.end : ent.end + 3]
        return (
            len(after) == 3
            and after[0].text == ","
            and after[1].lower_ in ARTICLES
            and after[2].lemma_.lower() in self.place_of
        )

    def _followed_by_place(self, doc: Doc, ent: Span) -> bool:
        """', <country name>' closing the phrase: 'Karabilah, Iraq.' (not 'Austin, Japanese Foreign...'),
        or ', <a place the model knows>': 'Austin, Texas'."""
        if ent.end + 1 >= len(doc) or doc[ent.end].text != ",":
            return False
        region = next((e for e in doc.ents if e.start == ent.end + 1 and e.label_ in PLACES), None)
        if region is not None and region.text in self.regions:
            return True
        country = next((e for e in doc.ents if e.start == ent.end + 1 and e.label_ == "COUNTRY"), None)
        if country is None or "|name" not in country.id_:
            return False
        return country.end == len(doc) or doc[country.end].is_punct or doc[country.end].is_lower

    def _after_titles(self, doc: Doc, ents: list[Span]) -> list[Span]:
        found = []
        for ent in ents:
            if ent.label_ != "ROLE":
                continue
            end = ent.end
            while end < len(doc) and end - ent.end < 4 and self._name_token(doc[end]):
                end += 1
            if end > ent.end and doc[ent.end].is_title and doc[end - 1].is_title:
                found.append(Span(doc, ent.end, end, "PERSON", span_id="rule|title|"))
        return found

    def _name_token(self, token: Token) -> bool:
        """A token that can be part of a personal name after a title; the model's other readings
        give way ("Special Advisor Thames" is no river)."""
        if token.ent_type_ in OURS or token.is_punct or token.lower_.rstrip(".") in self.titles:
            return False
        initial = len(token.text) == 2 and token.text[0].isupper() and token.text[1] == "."
        return token.is_title or initial or token.lower_ in self.name_particle

    def _speakers(self, doc: Doc) -> list[Span]:
        found = []
        for token in doc:
            if token.pos_ != "VERB" or token.lemma_.lower() not in self.speech:
                continue
            for subject in token.children:
                if subject.dep_ == "nsubj" and subject.pos_ == "PROPN" and subject.is_title:
                    start = min([subject.i, *(c.i for c in subject.children if c.dep_ == "compound")])
                    found.append(Span(doc, start, subject.i + 1, "PERSON", span_id="rule|speech|"))
        return found

    def _recurring(self, doc: Doc, ents: list[Span]) -> list[Span]:
        names: dict[tuple[str, ...], tuple[str, str]] = {}
        for ent in ents:
            if ent.label_ == "PERSON":
                if len(ent) > 1 and all(t.is_title for t in (ent[0], ent[-1])):
                    names.setdefault(tuple(t.text for t in ent), ("PERSON", "rule|recurring|"))
                for token in ent:
                    if token.is_title and len(token) > 2 and not token.is_stop and token.lower_ not in MONTHS:
                        names.setdefault((token.text,), ("PERSON", "rule|recurring|"))
            elif ent.label_ == "WEAPON" and ent.id_.endswith("=ship") and len(ent) > 1:
                names.setdefault(tuple(t.text for t in ent[1:]), ("WEAPON", ent.id_))
            elif ent.label_ == "WEAPON" and ent.id_.endswith("=named_ship"):
                names.setdefault(tuple(t.text for t in ent), ("WEAPON", ent.id_))
        by_first: dict[str, list[tuple[tuple[str, ...], str, str]]] = {}
        for key, (label, span_id) in names.items():
            by_first.setdefault(key[0], []).append((key, label, span_id))
        found = []
        other = {i: e for e in ents if e.label_ not in OURS for i in range(e.start, e.end)}
        for token in doc:
            for key, label, span_id in by_first.get(token.text, ()):
                start, end = token.i, token.i + len(key)
                if end > len(doc) or tuple(t.text for t in doc[start:end]) != key:
                    continue
                model = other.get(end - 1)
                whole = model is not None and model.end == end and len(model) <= 4
                if label == "PERSON" and whole and all(t.is_title for t in model):
                    start = model.start  # "Jamal Alzoubi" (ORG to the model) of "Mr Alzoubi"
                found.append(Span(doc, start, end, label, span_id=span_id))
        return found


OURS = frozenset({"PERSON", "COUNTRY", "WEAPON", "ROLE"})
ORGANISATIONS = "organisations"  # the span group the organisation gazetteer fills


class _Organisations:
    """The organisations a doc names (models/organisations), as the guidelines read them: no
    person inside one ("Northrop Grumman", "Marine Corps"); a country word inside one only when it
    is a state body ("[Indian] Air Force", not "Syrian Democratic Forces"); no weapon inside a
    firm's name."""

    def __init__(self, doc: Doc) -> None:
        spans = doc.spans.get(ORGANISATIONS, [])
        self.any: set[int] = set()
        self.not_state: set[int] = set()
        self.firm: set[int] = set()
        for span in spans:
            tokens = range(span.start, span.end)
            self.any.update(tokens)
            if span.id_ != "state":
                self.not_state.update(tokens)
            if span.label_ == "firm":
                self.firm.update(tokens)

    def outside(self, ents: list[Span]) -> list[Span]:
        return [e for e in ents if not self._inside(e)]

    def _inside(self, ent: Span) -> bool:
        tokens = range(ent.start, ent.end)
        if ent.label_ == "PERSON":
            return any(i in self.any for i in tokens)
        if ent.label_ == "COUNTRY":
            return all(i in self.not_state for i in tokens)
        if ent.label_ == "WEAPON":
            return all(i in self.firm for i in tokens)
        return False


PLACES = frozenset({"GPE", "LOC", "FAC"})
QUOTES = frozenset({'"', "“", "”", "'", "‘", "’"})


def _lines(doc: Doc) -> Iterator[Span]:
    """The doc's lines, as spans of whole tokens."""
    offset = 0
    for line in doc.text.split("\n"):
        span = doc.char_span(offset, offset + len(line), alignment_mode="contract")
        if span is not None and len(span):
            yield span
        offset += len(line) + 1


def _title_case(sentence: Span) -> bool:
    """A headline written in Title Case: its longer words capitalised (one slip allowed), short,
    and not closed like a sentence."""
    words = [t for t in sentence if t.is_alpha and len(t) > 3]
    if len(words) < 3 or len(sentence) > 25 or sentence[-1].text in {".", "?", "!", '"', "”"}:
        return False
    return sum(not (t.is_title or t.is_upper) for t in words) <= 1


def _supported_in_headlines(doc: Doc, ents: list[Span]) -> list[Span]:
    """In a Title Case headline every word looks like a name ("Kim Oversees Launch Of New Cruise
    Missiles"): a person there keeps only the words the body gives as a person's or a listed
    person's, and goes when none is. Only the first line is taken for a headline: lines further
    down in Title Case are mostly lists of names."""
    headline = next((line for line in _lines(doc) if line.text.strip()), None)
    if headline is None or not _title_case(headline):
        return ents
    body = {t.lower_ for e in ents if e.label_ == "PERSON" and e.start >= headline.end for t in e}
    out = []
    for e in ents:
        if e.label_ != "PERSON" or e.start >= headline.end or e.id_.startswith("gazetteer|"):
            out.append(e)
            continue
        end = e.start
        while end < e.end and doc[end].lower_ in body:
            end += 1
        if end > e.start:
            out.append(Span(doc, e.start, end, "PERSON", span_id=e.id_))
    return out


def _listed_with_place(ent: Span) -> bool:
    """A name in a list with a place the model knows ('Mosul and Raqqah') is a place too, unless
    the other name is a person elsewhere in the text ('Karim and Sadiq')."""
    root = ent.root
    linked = [c for c in root.children if c.dep_ == "conj"]
    if root.dep_ == "conj":
        linked.append(root.head)
    places = [t for t in linked if t.ent_type_ in PLACES]
    if not places:
        return False
    people = {t.text for e in ent.doc.ents if e.label_ == "PERSON" for t in e}
    return any(t.text not in people for t in places)


def _with_nicknames(doc: Doc, ents: list[Span]) -> list[Span]:
    """'Richard "Tex" Coe', which the model reads as two people or as a person and a stray word:
    one person, nickname and all."""
    starts = {e.start: e for e in ents}
    out = list(ents)
    for first in [e for e in ents if e.label_ == "PERSON"]:
        if first.end >= len(doc) or doc[first.end].text not in QUOTES:
            continue
        close = next(
            (i for i in range(first.end + 2, min(first.end + 6, len(doc))) if doc[i].text in QUOTES), None
        )
        if close is None or close + 1 >= len(doc):
            continue
        after = starts.get(close + 1)
        if after is not None and after.label_ == "PERSON":
            end = after.end
        elif after is None and doc[close + 1].is_title and not doc[close + 1].ent_type_:
            end = close + 2
        else:
            continue
        out = [e for e in out if e is not first and e is not after]
        out.append(Span(doc, first.start, end, "PERSON", span_id=first.id_))
    return out


def _add_free(ents: list[Span], extra: list[Span]) -> list[Span]:
    """Add spans, longest first, where they overlap none of our labels; the model's other guesses
    (ORG, GPE, ...) give way to them."""
    taken = {i for e in ents if e.label_ in OURS for i in range(e.start, e.end)}
    out = list(ents)
    for span in sorted(extra, key=lambda s: (-(s.end - s.start), s.start)):
        if not any(i in taken for i in range(span.start, span.end)):
            out = [e for e in out if e.end <= span.start or e.start >= span.end]
            out.append(span)
            taken.update(range(span.start, span.end))
    return out


@Language.factory(
    "newsint_entity_rules",
    default_config={
        "speech": [],
        "place_before": [],
        "place_of": [],
        "not_name": [],
        "name_particle": [],
        "title": [],
        "region": [],
    },
)
def make_entity_rules(
    nlp: Language,
    name: str,
    speech: list[str],
    place_before: list[str],
    place_of: list[str],
    not_name: list[str],
    name_particle: list[str],
    title: list[str],
    region: list[str],
) -> EntityRules:
    return EntityRules(speech, place_before, place_of, not_name, name_particle, title, region)


OUR_LABELS = OURS - {"PERSON"}  # a listed person replaces none of these where they stand


@registry.misc("newsint_known_people_filter.v1")
def known_people_filter() -> Callable[[Iterable[Span], Iterable[Span]], list[Span]]:
    """How listed people join the model's entities: the model's spans stand, except where a
    listed name covers exactly the words the model gave another reading ("Putin" as GPE) or no
    identity; a listed name never cuts into a longer span ("Yasuichi Hamada" stays whole)."""

    def merge(entities: Iterable[Span], spans: Iterable[Span]) -> list[Span]:
        kept = list(entities)
        at = {(e.start, e.end): i for i, e in enumerate(kept)}
        taken = {i for e in kept for i in range(e.start, e.end)}
        added = []
        for span in sorted(spans, key=lambda s: (s.end - s.start, -s.start), reverse=True):
            same = at.get((span.start, span.end))
            if same is not None and kept[same].label_ not in OUR_LABELS:
                kept[same] = span
            elif not taken.intersection(range(span.start, span.end)):
                added.append(span)
                taken.update(range(span.start, span.end))
        return kept + added

    return merge
