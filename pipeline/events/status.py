"""An event's status and negation, read from the cue's auxiliaries and the words above it."""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Token

from pipeline.events.cues import CLAUSES, VERB_TAGS, keys
from pipeline.events.lexicon import Cue, Lexicon

# The children of a word that can say how (or whether) it happens.
MARKERS = frozenset({"aux", "auxpass", "neg", "mark", "det", "advmod", "acomp"})
BE = frozenset({"be", "is", "are", "was", "were", "been", "'s", "'re", "am"})


@dataclass(frozen=True, slots=True)
class Reading:
    """How a sentence presents an event."""

    status: str
    negated: bool
    hypothetical: bool  # a capability, possibility or threat: no event


def reading(cue_token: Token, cue: Cue, weapon: Token, lexicon: Lexicon) -> Reading:
    """Status from the innermost word that decides one (the cue's own, an auxiliary, a governing
    verb), else from the tense; a claim (said, according to) only turns a done or ongoing event
    into a claimed one: "said it will deploy" stays planned."""
    found = _own_words(cue_token, cue, weapon, lexicon)
    token, up_by_conj = cue_token, False
    while True:
        if token.i != cue_token.i and not up_by_conj:
            found.add(next((s for k in keys(token, lexicon) if (s := lexicon.status.get(k))), ""))
        for child in token.children:
            if child.dep_ in MARKERS:
                found.marker(child, lexicon)
        if token.head.i == token.i:
            break
        up_by_conj = token.dep_ == "conj"
        # A "not" beyond the cue's clause denies something else ("the drills did not include
        # firings, unlike 2022, when China launched missiles").
        found.outside |= token.dep_ in CLAUSES
        found.relative |= token.dep_ in ("relcl", "acl")
        token = token.head
    if any(t.lower_ in lexicon.words["claim_phrases"] for t in cue_token.sent):
        found.claimed = True
    return Reading(found.status(_tense(cue_token, lexicon)), found.negated, found.hypothetical)


def _own_words(cue_token: Token, cue: Cue, weapon: Token, lexicon: Lexicon) -> _Found:
    """What the cue itself says ("offered"), its participle ("a proposed sale", "the approved
    purchase") and the weapon's determiner ("no missiles")."""
    found = _Found()
    if cue.status != "-":
        found.add(cue.status)
    for child in weapon.children:
        if child.dep_ == "det" and child.lower_ in lexicon.words["negations"]:
            found.negated = True
    for child in cue_token.children:
        said = lexicon.status.get(child.lemma_.lower(), "") if child.dep_ == "amod" else ""
        if said in ("planned", "approved", "ongoing"):
            found.add(said)
    return found


class _Found:
    """What the words around a cue have said so far, innermost first."""

    def __init__(self) -> None:
        self.inner: str | None = None
        self.claimed = self.denied = self.negated = self.hypothetical = False
        self.outside = False  # past the cue's own clause
        self.relative = False  # past a clause that describes a noun ("the systems it bought")

    def add(self, status: str) -> None:
        if "," in status:  # "refused to sell": not done, and it was a plan; not of a relative clause
            for one in status.split(",") if not self.relative else ():
                self.add(one)
        elif status == "negated":
            self.negated |= not self.outside
        elif status == "hypothetical":
            self.hypothetical = True
        elif status == "claimed":
            self.claimed = True
        elif status == "denied":
            self.denied = True
        elif status and self.inner is None:
            self.inner = status

    def marker(self, child: Token, lexicon: Lexicon) -> None:
        if child.lower_ in lexicon.words["negations"] and child.dep_ in ("neg", "det", "advmod"):
            self.negated |= not self.outside
        elif child.dep_ in ("aux", "mark", "acomp"):
            self.add(lexicon.status.get(child.lower_) or lexicon.status.get(child.lemma_.lower(), ""))

    def status(self, tense: str) -> str:
        if self.denied:
            return "denied"
        if self.inner is not None:
            return self.inner
        return "claimed" if self.claimed and tense in ("completed", "ongoing") else tense


def _in_body(token: Token) -> bool:
    """Running text, not a headline: its line of the sentence ends with a full stop or the like."""
    doc, last = token.doc, token
    for i in range(token.i + 1, token.sent.end):
        if doc[i].is_space or "\n" in doc[i - 1].whitespace_:
            break
        last = doc[i]
    return last.text in (".", "!", '"', "”", "'")


def _tense(cue_token: Token, lexicon: Lexicon) -> str:
    """What the verb nearest the cue says by its form: done (past, or a headline's present),
    going on (is testing, or a present in running text), or to come (to develop); an infinitive
    takes its verb's form, or that of the verb of a binding document it spells out ("signed a
    contract to buy" is as done as the signing)."""
    verb = cue_token
    while verb.tag_ not in VERB_TAGS and verb.head.i != verb.i:
        verb = verb.head
    if verb.tag_ not in VERB_TAGS:
        return "completed"
    aux = {c.lower_ for c in verb.children if c.dep_ in ("aux", "auxpass")}
    if verb.tag_ == "VBG" and aux & BE:
        return "ongoing"
    if verb.tag_ in ("VBZ", "VBP") and not aux and _in_body(verb):
        return "ongoing"  # "India and Russia jointly produce the missile"; a headline's is news
    if verb.tag_ == "VB" and "to" in aux and not aux & {"have", "had"}:
        # "failed to intercept" is as done as the failing; "the goal is to develop" is to come.
        head = verb.head
        if head.lemma_.lower() in lexicon.words["binding"] and head.dep_ == "dobj":
            head = head.head
        if head.i == verb.i or head.lemma_ == "be" or head.tag_ not in VERB_TAGS:
            return "planned"
        return _tense(head, lexicon)
    return "completed"
