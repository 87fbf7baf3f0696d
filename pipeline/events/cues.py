"""Which cue a matched token is, and whether a cue reaches a weapon inside its own clause."""

from __future__ import annotations

from spacy.tokens import Token

from pipeline.events.lexicon import Cue, Lexicon

VERB_TAGS = frozenset({"VB", "VBD", "VBG", "VBN", "VBP", "VBZ"})
MODIFIERS = frozenset({"compound", "amod", "nmod", "poss"})
# Labels that start a clause of its own: a date or a "not" there speaks of another action.
CLAUSES = frozenset({"ROOT", "advcl", "ccomp", "relcl", "acl", "parataxis", "csubj"})


def cue_of(token: Token, lexicon: Lexicon) -> Cue | None:
    """The cue a token is: with the word before its hyphen ("test-fired"), with its particle
    ("shot down"), or alone; as a verb or a noun by its tag."""
    pos = "VERB" if verbal(token) else "NOUN"
    for key in keys(token, lexicon):
        cue = lexicon.cues.get((key, pos))
        if cue is not None:
            return cue
    return None


def verbal(token: Token) -> bool:
    """A verb by its tag, or by what hangs on it where the tagger took it for a noun ("plans to
    test-fire a missile": an infinitive's "to", an object or a subject), or a headline's hyphened
    verb read as a plural noun before the weapon ("India test-fires Agni-V missile")."""
    doc = token.doc
    hyphened = token.i >= 2 and doc[token.i - 1].text == "-" and not doc[token.i - 1].whitespace_
    headline = hyphened and token.dep_ == "compound" and token.tag_ in ("NNS", "VBZ")
    return (
        token.tag_ in VERB_TAGS
        or headline
        or any(
            c.dep_ in ("dobj", "nsubj", "auxpass") or (c.dep_ == "aux" and c.lower_ == "to")
            for c in token.children
        )
    )


def keys(token: Token, lexicon: Lexicon) -> list[str]:
    """The lexicon keys a word may stand for, longest first: "test-fire", "shoot down", "put into
    service", "enter service", "fire"."""
    lemma = token.lemma_.lower()
    found = []
    doc = token.doc
    if token.i >= 2 and doc[token.i - 1].text == "-" and not doc[token.i - 1].whitespace_:
        found.append(f"{doc[token.i - 2].lower_}-{lemma}")
    found += [f"{lemma} {p.lower_}" for p in particles(token, lexicon)]
    # "put the missile into service": a verb and the phrase it takes.
    found += [
        f"{lemma} {p.lower_} {o.lemma_.lower()}"
        for p in token.children
        if p.dep_ == "prep"
        for o in p.children
        if o.dep_ == "pobj"
    ]
    # "entered service", "became operational": a verb and the word it takes as object or complement.
    found += [f"{lemma} {c.lemma_.lower()}" for c in token.children if c.dep_ in ("dobj", "acomp", "attr")]
    found.append(lemma)
    return found


def particles(token: Token, lexicon: Lexicon) -> list[Token]:
    """A verb's particles; the parser takes "down" in "shot down" for a particle or an adverb."""
    return [
        c
        for c in token.children
        if c.dep_ == "prt" or (c.dep_ == "advmod" and c.lower_ in lexicon.words["particles"])
    ]


def reaches(cue: Token, weapon: Token, lexicon: Lexicon) -> bool:
    """The weapon hangs under the cue without crossing into another clause, another verb or a
    preposition that gives a role ("fired at an air defence system" names a target), and is no
    modifier of another noun ("received machine gun fire", "a missile factory")."""
    barriers = lexicon.words["barriers"]
    preps = lexicon.words["path_preps"]
    head = weapon.head
    if (
        weapon.dep_ in MODIFIERS
        and head.i != cue.i
        and head.lemma_.lower() in lexicon.words["not_the_weapon"]
    ):
        return False
    token = weapon
    while token.i != cue.i:
        if token.dep_ in barriers or (token.dep_ in ("prep", "agent") and token.lower_ not in preps):
            return False
        # "using attack, bomber and fighter aircraft": a weapon listed beside the cue word.
        if token.dep_ == "conj" and token.head.i == cue.i:
            return False
        if token.head.i == token.i:
            return False
        token = token.head
        # Another verb between them is another action ("supplied tanks but continues to turn
        # down requests for missiles"); so is another cue ("ordered the deployment of missiles").
        if token.i != cue.i and token.tag_ in VERB_TAGS and token.dep_ != "prep":  # "including"
            return False
        if token.i != cue.i and _blocks(token, lexicon):
            return False
    return True


def _blocks(token: Token, lexicon: Lexicon) -> bool:
    return token.lemma_.lower() not in lexicon.words["see_through"] and cue_of(token, lexicon) is not None


def distance(cue: Token, weapon: Token) -> int:
    """Steps up the tree from the weapon to the cue (or to the weapon from the cue below it)."""
    steps, token = 0, weapon
    while token.i != cue.i and token.head.i != token.i:
        token, steps = token.head, steps + 1
    return steps if token.i == cue.i else 1


def cue_text(token: Token, cue: Cue, lexicon: Lexicon) -> str:
    """The cue as the sentence writes it: "test-fired", "shot down", "sale"."""
    doc = token.doc
    if "-" in cue.key and token.i >= 2 and doc[token.i - 1].text == "-":
        return doc[token.i - 2 : token.i + 1].text
    if " " in cue.key:
        particle = next(iter(particles(token, lexicon)), None)
        if particle is not None:
            return f"{token.text} {particle.text}"
    return token.text


def same_clause(token: Token, cue: Token) -> bool:
    """The token stands in the cue's clause or one below it ("tested in 2021" but not "tested
    in 2021, while Russia claimed to have deployed it" for the deployment)."""
    top = _clause(cue)
    node = _clause(token)
    while node.i != top.i:
        if node.head.i == node.i:
            return False
        node = node.head
    return True


def _clause(token: Token) -> Token:
    while token.dep_ not in CLAUSES and not (token.dep_ == "conj" and token.tag_ in VERB_TAGS):
        token = token.head
    return token
