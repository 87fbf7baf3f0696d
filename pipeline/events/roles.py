"""Who did it and to whom: an event's roles from the countries at each syntactic place around
its cue (subject, object, "to"/"from"/"at" objects, the weapon's own modifiers)."""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass

from spacy.tokens import Token

from pipeline.events.cues import VERB_TAGS, cue_of
from pipeline.events.lexicon import Frame
from pipeline.events.places import Places

# A cue without a subject of its own shares the subject of the word it hangs from by these:
# "agreed to develop", "developed and tested", "attacked Kyiv, using drones", "is due to buy".
SHARES_SUBJECT = frozenset({"xcomp", "conj", "advcl", "acomp"})
OBJECTS = frozenset({"dobj", "dative"})
# How a country hangs on a weapon's phrase when it names the weapon's owner or maker.
OWNER_PARTS = frozenset({"amod", "compound", "poss", "nmod", "npadvmod", "conj"})
# Entity types of a modifier that can name a noun cue's agent ("a Chinese test").
PLACE = frozenset({"COUNTRY", "GPE", "NORP"})


@dataclass(frozen=True, slots=True)
class Roles:
    actors: tuple[str, ...]
    counterparts: tuple[str, ...]
    weapon_in_agent: bool  # the weapon is the subject ("Russian missiles struck Kyiv")


def fill(cue: Token, weapon: Token, frame: Frame, places: Places, weapon_tokens: frozenset[int]) -> Roles:
    """The frame's roles from the countries around the cue; the weapon's own modifiers ("a Russian
    Kinzhal") name its owner, which fills the actors only when no subject does."""
    found: dict[str, list[str]] = {"actors": [], "counterparts": [], "": []}
    agent_token = _agent_token(cue, places.weapons)
    if agent_token is not None and _across_lines(agent_token, cue):
        agent_token = None
    in_agent = agent_token is not None and _under(weapon, agent_token)
    if agent_token is not None:
        # "its Arrow 3 interceptors and U.S. fighter jets shot down ...": each its own country.
        own = _holder(weapon, places) if in_agent else []
        found[frame.agent] += own or places.in_phrase(agent_token)
    for patient in _patients(cue):
        # "fired a missile ..., its first launch": an object that names the event is no target.
        restated = cue_of(patient, places.lexicon) is not None
        if _phrase_head(weapon).i != patient.i and not restated and not _across_lines(patient, cue):
            found[frame.patient] += places.named(patient, modifiers=True)
    for holder in _prep_holders(cue, weapon):
        for prep in holder.children:
            role = frame.preps.get(prep.lower_) if prep.dep_ in ("prep", "dative") else None
            if role is not None:
                found[role] += [
                    c
                    for obj in prep.children
                    if obj.dep_ == "pobj"
                    for c in places.named(obj, modifiers=True)
                ]
    if not found["actors"] and frame.agent == "actors" and _for_source(agent_token, frame, places):
        found["actors"] += _source(cue, places)
    if not in_agent:
        owner = _owner(weapon, cue, places, weapon_tokens)
        if frame.owner == "counterparts" or not found["actors"]:
            found[frame.owner] += [c for c in owner if c not in found["counterparts"]]
    actors = _unique(found["actors"])
    counterparts = [c for c in _unique(found["counterparts"]) if c not in actors]
    return Roles(tuple(actors), tuple(counterparts), in_agent)


def _source(cue: Token, places: Places) -> list[str]:
    """The countries of whoever reports the cue's clause: the subject of the speech verb above it
    ("Israel said ... intercepted") or beside it ("..., the ministry said"), or the object of
    "according to"."""
    speech = places.lexicon.words["speech"]
    chain = [cue]
    while chain[-1].head.i != chain[-1].i and len(chain) < 8:
        chain.append(chain[-1].head)
    for token in chain:
        verbs = [token.head] if token.dep_ in ("ccomp", "parataxis") else []
        verbs += [c for c in token.children if c.dep_ in ("ccomp", "parataxis", "advcl")]
        for verb in verbs:
            speaker = next((c for c in verb.children if c.dep_ == "nsubj"), None)
            if verb.lemma_.lower() in speech and speaker is not None and speaker.i not in places.weapons:
                return places.in_phrase(speaker)
        for prep in token.children:
            if prep.dep_ == "prep" and prep.lower_ == "according":
                return [c for to in prep.children for obj in to.children for c in places.in_phrase(obj)]
    return []


def _for_source(agent: Token | None, frame: Frame, places: Places) -> bool:
    """Whether the reporting source is the one that acted: the subject is armed men or units
    that name no country ("its forces", "the crew"), or for a frame whose source may be any
    (the defender of an interception), no subject at all or a weapon ("Arrow 3 batteries")."""
    if agent is None:
        return frame.source == "any"
    if agent.i in places.weapons:
        return frame.source == "any"
    return agent.lemma_.lower() in places.lexicon.words["forces"]


def taking(cue: Token, verbs: frozenset[str]) -> bool:
    """A transfer noun seen from the receiving side: "India took delivery of ..."."""
    return cue.tag_ not in VERB_TAGS and cue.dep_ in OBJECTS and cue.head.lemma_.lower() in verbs


def agent_named(cue: Token, weapons: Container[int]) -> bool:
    """Whether the cue has a subject at all, a country or not."""
    return _agent_token(cue, weapons) is not None


def _agent_token(cue: Token, weapons: Container[int]) -> Token | None:
    """The subject of an active cue, the 'by' object of a passive one; a noun cue's possessor or
    modifier ("Japan's test", "a Chinese test"); else, climbing to the word the cue depends on,
    its subject ("agreed to develop", "conducted tests") or its object where that controls the
    cue ("accuse Pyongyang of supplying", "urged Germany to send")."""
    token, raised = cue, False
    for _ in range(6):
        # "a claim that it had targeted": a participle with a subject of its own is active.
        active = any(c.dep_ == "nsubj" for c in token.children)
        passive = (
            token.tag_ == "VBN"
            and not active
            and (
                token.dep_ in ("acl", "amod")
                or any(c.dep_ in ("auxpass", "nsubjpass") for c in token.children)
            )
        )
        own = _own_agent(token, passive, raised)
        if own is not None or passive:
            return own
        # "after giving tanks", "accuse Pyongyang of supplying", "notified Congress of a sale".
        through = token.dep_ == "pcomp" or (token.dep_ == "pobj" and token.head.lower_ in ("of", "for"))
        if through and token.head.dep_ == "prep" and token.head.head.tag_ in VERB_TAGS:
            verbal, preposition, token = token.dep_ == "pcomp", token.head, token.head.head
            controls = verbal and preposition.lower_ in ("of", "from")
            controller = _controller(token, weapons) if controls else None
        elif _shares_subject(token) and token.head.i != token.i:
            raised, controlled, token = token.dep_ == "xcomp", token.dep_ == "xcomp", token.head
            controller = _controller(token, weapons) if controlled else None
        else:
            return None
        if controller is not None:
            return controller
    return None


def _across_lines(a: Token, b: Token) -> bool:
    """A headline parsed into the sentence after it: its words fill no role of that sentence."""
    lo, hi = sorted((a.i, b.i))
    return any("\n" in t.whitespace_ or "\n" in t.text for t in a.doc[lo:hi])


def _own_agent(token: Token, passive: bool, raised: bool) -> Token | None:
    noun = token.tag_ not in VERB_TAGS
    for child in token.children:
        if _across_lines(child, token):
            continue
        # "Israeli jets were reported to have fired": the subject of the passive raising verb.
        if raised and passive and child.dep_ == "nsubjpass":
            return child
        if (passive or noun) and child.dep_ in ("agent", "prep") and child.lower_ == "by":
            return next((c for c in child.children if c.dep_ == "pobj"), None)
        if not passive and child.dep_ in ("nsubj", "poss"):
            return child
        if noun and child.dep_ in ("amod", "compound") and child.ent_type_ in PLACE:
            return child
    return None


def _controller(verb: Token, weapons: Container[int]) -> Token | None:
    """The object of a verb that says who does what follows it; a weapon object is no doer
    ("used drones to strike")."""
    return next((c for c in verb.children if c.dep_ == "dobj" and c.i not in weapons), None)


def _patients(cue: Token) -> list[Token]:
    """The objects of the cue (the subject of a passive one), and of a purpose it states: "used
    rockets to strike Russian positions"."""
    found = []
    for verb in [cue, *(c for c in cue.children if c.dep_ == "xcomp")]:
        passive = any(c.dep_ == "nsubjpass" for c in verb.children)
        wanted = ("nsubjpass",) if passive else ("dobj", "dative")
        found += [c for c in verb.children if c.dep_ in wanted]
    return found


def _prep_holders(cue: Token, weapon: Token) -> list[Token]:
    """The words whose prepositions speak of the event: the cue, the verbs it shares a subject
    with ("approved the sale ... to Taiwan"), the words down to the weapon ("the sale of
    missiles to Taiwan"), and the weapons listed with it."""
    holders = [cue]
    above = cue
    while _shares_subject(above) and above.head.i != above.i:
        above = above.head
        holders.append(above)
    token = weapon
    while token.i not in (cue.i, cue.head.i) and token.head.i != token.i:
        holders.append(token)
        token = token.head
    # "launched 35 drones and three missiles against Ukraine": a list shares its prepositions.
    head = _phrase_head(weapon)
    return holders + [c for c in head.conjuncts if c.i not in {h.i for h in holders}]


def _owner(weapon: Token, cue: Token, places: Places, weapon_tokens: frozenset[int]) -> list[str]:
    """Countries on the weapon's own phrase, or on the first of a list it ends: "Russian-made
    drones", "Japan's missiles", "Turkish Bayraktar TB2 drones", "drones and missiles launched
    by Iran", "a missile launched from Yemen"."""
    head = weapon
    while head.dep_ == "compound" and head.head.tag_.startswith("NN"):
        head = head.head
    heads = [head, head.head] if head.dep_ == "conj" else [head]
    codes = [c for i in sorted(weapon_tokens) if (c := places.country.get(i))]
    for token in heads:
        codes += [c for t in _modifiers(token) if not _maker(t, places) and (c := places.of_token(t))]
        for child in token.children:
            if child.dep_ in ("acl", "relcl") and child.tag_ == "VBN" and child.i != cue.i:
                codes += [
                    c
                    for prep in child.children
                    if prep.dep_ == "agent" or (prep.dep_ == "prep" and prep.lower_ in ("by", "from"))
                    for obj in prep.children
                    if obj.dep_ == "pobj"
                    for c in places.named(obj)
                ]
    return _unique(codes)


def _maker(token: Token, places: Places) -> bool:
    """A label of who made or supplied a weapon ("Chinese-made", "U.S.-supplied"), which names
    neither its owner nor, on its own, a supplier."""
    doc = token.doc
    if token.i + 2 < len(doc) and doc[token.i + 1].text == "-":
        last = doc[token.i + 2].lower_
    else:
        last = token.lower_.rsplit("-", 1)[-1] if "-" in token.text else ""
    return last in places.lexicon.words["maker_labels"]


def _holder(weapon: Token, places: Places) -> list[str]:
    """The countries a weapon's own modifiers name as holding it ("its", "U.S. and British"), not
    its maker ("Chinese-made") nor those of the weapons listed beside it."""
    head = weapon
    while head.dep_ == "compound" and head.head.tag_.startswith("NN"):
        head = head.head
    doc = weapon.doc
    return _unique(
        [
            c
            for t in _modifiers(head)
            if not (t.i + 1 < len(doc) and doc[t.i + 1].text == "-") and (c := places.of_token(t))
        ]
    )


def _modifiers(token: Token, top: bool = True) -> list[Token]:
    """The words that modify a noun, and theirs in turn ("Russian" in "Russian-made drones",
    "French" in "British and French missiles"); not the nouns listed beside it."""
    found = []
    for child in token.children:
        if child.dep_ in OWNER_PARTS and not (top and child.dep_ == "conj"):
            found += [child, *_modifiers(child, top=False)]
    return found


def _shares_subject(token: Token) -> bool:
    """Whether a word without a subject of its own takes its head's: "agreed to develop", a
    noun object ("conducted tests"), an infinitive after a noun ("a deal to buy")."""
    if token.dep_ in SHARES_SUBJECT:
        return True
    if token.tag_ not in VERB_TAGS:
        return token.dep_ in ("dobj", "attr")
    infinitive = token.tag_ == "VB" and any(c.dep_ == "aux" and c.lower_ == "to" for c in token.children)
    return infinitive and token.dep_ in ("acl", "relcl")


def _phrase_head(weapon: Token) -> Token:
    """The noun a weapon's name belongs to, or the first of a list it is in."""
    while weapon.dep_ in ("compound", "conj", "appos") and weapon.head.i != weapon.i:
        weapon = weapon.head
    return weapon


def _under(token: Token, top: Token) -> bool:
    while token.i != top.i:
        if token.head.i == token.i:
            return False
        token = token.head
    return True


def _unique(codes: list[str]) -> list[str]:
    return list(dict.fromkeys(codes))
