"""Which country each token of a parsed document stands for: a COUNTRY mention (a capital
metonym included), a PERSON mention's country, a state body ("the State Department"), or a word
that refers back to a country named before ("it", "the country")."""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator

from spacy.tokens import Doc, Span, Token

from pipeline.events.lexicon import Lexicon
from pipeline.nlp.components import ORGANISATIONS
from pipeline.records import Mention

# The labels under which a noun phrase's own parts hang (not its clauses or most prepositions).
PHRASE_PARTS = frozenset({"compound", "amod", "poss", "nmod", "conj", "appos", "det", "case"})
SUBJECTS = frozenset({"nsubj", "nsubjpass"})
RELATIVES = frozenset({"which", "that", "who"})
# How far back, in sentences, a referring word looks for its country.
REFER_BACK = 2


class Places:
    """The countries of one doc's tokens, built once per doc from its mentions."""

    def __init__(self, doc: Doc, mentions: Iterable[Mention], lexicon: Lexicon) -> None:
        self.doc = doc
        self.lexicon = lexicon
        self.country: dict[int, str] = {}
        self.person: dict[int, str] = {}
        self.sentence_of: list[int] = [0] * len(doc)
        for number, sent in enumerate(doc.sents):
            self.sentence_of[sent.start : sent.end] = [number] * len(sent)
        self.weapons: set[int] = set()  # the tokens of WEAPON mentions
        for m in mentions:
            if m.label == "WEAPON" and (span := doc.char_span(m.start, m.end, alignment_mode="expand")):
                self.weapons.update(range(span.start, span.end))
            code = _code(m)
            span = doc.char_span(m.start, m.end, alignment_mode="expand")
            if code is None or span is None:
                continue
            target = self.country if m.label == "COUNTRY" else self.person
            target.update(dict.fromkeys(range(span.start, span.end), code))
        for span in doc.spans.get(ORGANISATIONS, []):
            code = lexicon.state_bodies.get(span.text.lower()) if span.id_ == "state" else None
            # "Vietnam's coast guard" is Vietnam's, whatever country the gazetteer's form names.
            if code is not None and not self._named_country(span):
                self.person.update(dict.fromkeys(range(span.start, span.end), code))
        self.country_tokens = sorted(self.country)
        self._state_words = lexicon.words["referring"] | lexicon.words["forces"]

    def _named_country(self, span: Span) -> bool:
        tokens = [*span, *span.root.children]
        return any(t.i in self.country for t in tokens)

    def of_token(self, token: Token) -> str | None:
        """The country a token names or speaks for, if any."""
        if token.i in self.country:
            return self.country[token.i]
        if token.i in self.person:
            return self.person[token.i]
        if token.lower_ in self.lexicon.words["referring"] and token.pos_ in ("PRON", "NOUN"):
            return self._referent(token)
        if token.lower_ in RELATIVES and token.head.dep_ == "relcl" and token.head.head.i != token.i:
            # "Turkey, which delivered drones": the relative pronoun is the noun it follows.
            return self.of_token(token.head.head)
        return None

    def in_phrase(self, token: Token) -> list[str]:
        """The countries of a noun phrase: its head, the heads joined to it ("Japan and the United
        States"), and their modifiers ("Russia's defence ministry"), but not its clauses; a counted
        group ("the two countries", "both nations") stands for that many subjects named before."""
        group = self._group(token)
        if group:
            return group
        return _unique(code for t in _phrase(token) if (code := self.of_token(t)) is not None)

    def named(self, token: Token, modifiers: bool = False) -> list[str]:
        """The countries a phrase names itself: the head (and heads joined to it) or its possessor
        ("to Ukraine", "struck Ukraine's grid"); with `modifiers`, its country adjectives too
        ("struck Russian positions") and the country it is in ("targets in Yemen")."""
        wanted = ("poss", "amod", "compound") if modifiers else ("poss",)
        codes = []
        for head in [token, *(c for c in token.conjuncts if c.i > token.i)]:
            code = self.of_token(head)
            if code is None:
                code = next((c for p in head.children if p.dep_ in wanted and (c := self.of_token(p))), None)
            if code is None and modifiers:
                code = next((c for place in _located(head) if (c := self.of_token(place))), None)
            if code is not None:
                codes.append(code)
        return _unique(codes)

    def _group(self, token: Token) -> list[str]:
        if token.lower_ not in self.lexicon.words["referring_groups"]:
            return []
        numbers = self.lexicon.numbers
        said = [numbers.get(c.lower_, 0) for c in token.children if c.dep_ in ("nummod", "det")]
        count = max(said, default=0)
        if count < 2:
            return []
        earliest = self.sentence_of[token.i] - REFER_BACK
        found: list[str] = []
        at = bisect.bisect_left(self.country_tokens, token.i) - 1
        while at >= 0 and len(found) < count and self.sentence_of[self.country_tokens[at]] >= earliest:
            i = self.country_tokens[at]
            if _subject(_compound_head(self.doc[i], self.country)) and self.country[i] not in found:
                found.append(self.country[i])
            at -= 1
        return found if len(found) == count else []

    def _speaker_is_no_country(self, pronoun: Token) -> bool:
        """ "Lockheed Martin said it will deliver": the pronoun is the speaker, a firm."""
        clause = _clause_head(pronoun)
        if clause.dep_ not in ("ccomp", "xcomp"):
            return False
        speaker = next((c for c in clause.head.children if c.dep_ in SUBJECTS), None)
        if speaker is None or speaker.lemma_.lower() in self._state_words:
            # "It also downed two missiles, the air force said": a state's own body speaks.
            return False
        return not any(t.i in self.country or t.i in self.person for t in _phrase(speaker))

    def _referent(self, token: Token) -> str | None:
        """The last country before `token` in its sentence or the two before it; a pronoun takes
        only a country that was a subject ("Ukraine said it ...")."""
        pronoun = token.pos_ == "PRON"
        if pronoun and self._speaker_is_no_country(token):
            return None
        earliest = self.sentence_of[token.i] - REFER_BACK
        at = bisect.bisect_left(self.country_tokens, token.i) - 1
        while at >= 0:
            i = self.country_tokens[at]
            if self.sentence_of[i] < earliest:
                return None
            if not pronoun or self._of_subject(_compound_head(self.doc[i], self.country)):
                return self.country[i]
            at -= 1
        return None

    def _of_subject(self, token: Token) -> bool:
        """A subject, or the country word on a subject that is no weapon ("The Israeli military
        said ... its"), where a weapon's ("the Iranian missiles ... its") is only its owner."""
        if _subject(token):
            return True
        head = token.head
        return token.dep_ in ("amod", "compound") and head.i not in self.weapons and head.dep_ in SUBJECTS


def _located(token: Token) -> list[Token]:
    """The objects of "in" on a noun ("a plant in Russia")."""
    return [
        o
        for p in token.children
        if p.dep_ == "prep" and p.lower_ == "in"
        for o in p.children
        if o.dep_ == "pobj"
    ]


def _compound_head(token: Token, country: dict[int, str]) -> Token:
    """The last word of a country's name ("Korea" of "South Korea")."""
    while token.dep_ == "compound" and token.head.i in country:
        token = token.head
    return token


def _clause_head(token: Token) -> Token:
    while token.dep_ not in ("ccomp", "xcomp", "ROOT") and token.head.i != token.i:
        token = token.head
    return token


def _subject(token: Token) -> bool:
    """A subject, one of several ("Japan and the US"), or a subject's owner ("Russia's
    defence ministry")."""
    while token.dep_ == "conj" and token.head.i != token.i:
        token = token.head
    if token.dep_ == "poss":
        token = token.head
    return token.dep_ in SUBJECTS


def _phrase(token: Token) -> Iterator[Token]:
    """A noun phrase's tokens: its parts, and the object of 'of' ("the government of Japan")."""
    yield token
    for child in token.children:
        if child.dep_ == "appos":
            # "Greece, Turkey's NATO ally, ...": an appositive names the head again; its own
            # modifiers relate the head to others.
            yield child
        elif child.dep_ in PHRASE_PARTS:
            yield from _phrase(child)
        elif child.dep_ == "prep" and child.lower_ == "of":
            for obj in child.children:
                if obj.dep_ == "pobj":
                    yield from _phrase(obj)


def _code(m: Mention) -> str | None:
    if m.label == "COUNTRY":
        return m.norm
    if m.label == "PERSON":
        country = m.attrs.get("role_country") or m.attrs.get("country")
        return country if isinstance(country, str) else None
    return None


def _unique(codes: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(codes))
