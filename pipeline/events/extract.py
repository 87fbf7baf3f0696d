"""Weapon events from a parsed document and its mentions: the dependency patterns find a cue and
a weapon it governs, the other modules read the roles, status and numbers; only Events leave."""

from __future__ import annotations

from dataclasses import replace

from spacy.matcher import DependencyMatcher
from spacy.tokens import Doc, Span, Token
from spacy.vocab import Vocab

from pipeline.events import amounts
from pipeline.events.cues import cue_of, cue_text, distance, reaches, same_clause
from pipeline.events.kinds import Found, typed
from pipeline.events.lexicon import Cue, Lexicon
from pipeline.events.names import full_names
from pipeline.events.places import Places
from pipeline.events.roles import Roles, agent_named, fill, taking
from pipeline.events.status import Reading, reading
from pipeline.records import Event, Mention

# Which node of each pattern is the cue and which the weapon (patterns.json lists them in order).
NODES = {
    "cue_governs_weapon": (0, 1),
    "weapon_participle": (1, 0),
    "cue_pronoun": (0, 1),
    "cue_beside_weapon": (1, 3),
    "cue_compound": (1, 0),
}
# The rules whose cue governs the weapon, directly or through the verb the cue is the object of.
GOVERNING = {"cue_governs_weapon": 0, "cue_beside_weapon": 1}
# Types for which a sum of money in the sentence is the weapon's price.
PRICED = frozenset({"transfer", "acquisition", "development"})


class EventRules:
    """The lexicon and its dependency matcher, built once for a pipeline's vocabulary."""

    def __init__(self, vocab: Vocab, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        self.matcher = DependencyMatcher(vocab)
        for name, pattern in lexicon.patterns.items():
            self.matcher.add(name, [pattern])


def doc_events(doc_id: str, doc: Doc, mentions: list[Mention], rules: EventRules) -> list[Event]:
    """Every event the document's sentences state, one per weapon mention and type, with offsets
    into `doc.text` (the caller shifts those of a piece)."""
    lexicon = rules.lexicon
    weapons = full_names(doc, [m for m in mentions if m.label == "WEAPON"])
    if not weapons:
        return []
    spans, owner = _weapon_spans(doc, weapons)
    # doc.text joins every token anew on each call: take it once.
    text = doc.text
    pairs: dict[tuple[int, int], Found] = {}
    for match_id, ids in rules.matcher(doc):
        rule = doc.vocab.strings[match_id]
        cue_at, weapon_at = NODES[rule]
        found = _found(rule, doc[ids[cue_at]], doc[ids[weapon_at]], weapons, spans, owner, lexicon)
        if found is not None and not _across_lines(text, found.cue_token, found.weapon_token):
            pairs.setdefault((found.weapon_token.i, found.cue_token.i), found)
    if not pairs:
        return []
    places = Places(doc, mentions, lexicon)
    dates = [e for e in doc.ents if e.label_ == "DATE"]
    events: dict[tuple[int, str], Event] = {}
    # The cue nearest a weapon speaks for it when two give the same type.
    for (at, _), found in sorted(pairs.items(), key=lambda item: item[1].steps):
        event = _event(doc_id, text, found, places, dates, lexicon)
        if event is not None:
            events.setdefault((at, event.type), event)
    return sorted(events.values(), key=lambda e: (e.start, e.weapon_start, e.type))


def _weapon_spans(doc: Doc, weapons: list[Mention]) -> tuple[dict[int, Span], dict[int, int]]:
    """Each weapon mention's tokens, and the mention each token belongs to. A class word beside a
    named system ("Rafale Marine jets", "its third aircraft carrier, the Fujian") is that
    system, not another weapon: it gets no span."""
    spans = {
        i: span
        for i, m in enumerate(weapons)
        if (span := doc.char_span(m.start, m.end, alignment_mode="expand"))
    }
    owner = {t: i for i, span in spans.items() for t in range(span.start, span.end)}
    for i, span in list(spans.items()):
        beside = [c for c in span.root.children if c.dep_ in ("compound", "nmod", "appos")]
        # "BRP Miguel Malvar, the lead ship of the class": the class word in apposition too.
        head = owner.get(span.root.head.i)
        if span.root.dep_ == "appos" and head is not None and weapons[head].kind != "generic":
            beside.append(span.root.head)
        if weapons[i].kind == "generic" and any(owner.get(c.i, i) != i for c in beside):
            del spans[i]
    return spans, owner


def _found(
    rule: str,
    cue_token: Token,
    weapon_token: Token,
    weapons: list[Mention],
    spans: dict[int, Span],
    owner: dict[int, int],
    lexicon: Lexicon,
) -> Found | None:
    cue = cue_of(cue_token, lexicon)
    if cue is None:
        return None
    if rule == "cue_pronoun":
        if weapon_token.i in owner or not _bare(weapon_token, lexicon):
            return None
        index = _antecedent(weapon_token, weapons, spans)
        if index is None:
            return None
        return Found(rule, cue_token, cue, weapons[index], weapon_token, frozenset([weapon_token.i]), 1)
    if _adjective(rule, cue_token, cue, weapon_token) or (rule == "cue_compound" and "-" not in cue.key):
        return None
    index = owner.get(weapon_token.i)
    span = spans.get(index) if index is not None else None
    if index is None or span is None:
        return None
    root = span.root
    if rule == "cue_compound":
        weapon_token = root  # the verb may hang on any word of the name
    top = cue_token.head if rule == "cue_beside_weapon" else cue_token
    target = _launched_at(cue_token, cue, weapons, owner, lexicon)
    aimed = target is not None and root.i == target.i
    if weapon_token.i != root.i or (rule in GOVERNING and not aimed and not reaches(top, root, lexicon)):
        return None
    if cue.side == "hit" and _struck(cue_token, root):
        return None
    if cue.side == "defeat" and not _defeats(cue_token, weapons, owner, lexicon):
        return None
    if cue.key in lexicon.words["direct_only"] and not _direct_object(cue_token, root):
        return None
    tokens = frozenset(range(span.start, span.end))
    steps = distance(top, root) + GOVERNING.get(rule, 0)
    return Found(rule, cue_token, cue, weapons[index], root, tokens, steps, target)


def _launched_at(
    cue_token: Token, cue: Cue, weapons: list[Mention], owner: dict[int, int], lexicon: Lexicon
) -> Token | None:
    """ "fired SM-3 interceptors at the incoming missiles": a launch aimed at a missile or drone
    is an interception, of the weapon fired and of the one aimed at."""
    if "use" not in cue.type.split("|"):
        return None
    wanted = lexicon.words["interceptable"]
    holders = [cue_token, *(c for c in cue_token.children if c.dep_ == "dobj")]
    return next(
        (
            obj
            for holder in holders
            for prep in holder.children
            if prep.dep_ == "prep" and prep.lower_ in lexicon.words["target_preps"]
            for obj in prep.children
            if obj.dep_ == "pobj" and obj.i in owner and weapons[owner[obj.i]].attrs.get("category") in wanted
        ),
        None,
    )


def _direct_object(cue_token: Token, weapon: Token) -> bool:
    """The weapon is what the cue takes itself ("got two batteries"), not what something it
    takes is for ("got approval for frigates")."""
    head = weapon
    while head.dep_ in ("compound", "conj", "appos") and head.head.i != head.i:
        head = head.head
    return head.dep_ == "dobj" and head.head.i == cue_token.i


def _bare(token: Token, lexicon: Lexicon) -> bool:
    """A class noun stands for a weapon named before only when nothing says what it is: "a
    second system" does, "a radar system" does not."""
    if token.lower_ not in lexicon.words["weapon_anaphors"]:
        return True
    return all(
        c.dep_ in ("det", "nummod", "poss", "case")
        or (c.dep_ == "amod" and c.lower_ in lexicon.words["ordinals"])
        for c in token.children
    )


def _adjective(rule: str, cue_token: Token, cue: Cue, weapon: Token) -> bool:
    """A participle before its noun describes the weapon ("Iranian-designed drones"), as does one
    after a number or article however parsed ("24 used Typhoons"); one after the noun may tell
    what was done ("drones launched by Russia"), and a hyphened cue ("test-fired") is a verb the
    parser split."""
    if "-" in cue.key:
        return False
    if rule == "weapon_participle" and cue_token.i < weapon.i:
        return True
    before = cue_token.doc[cue_token.i - 1] if cue_token.i else None
    return cue_token.tag_ == "VBN" and before is not None and (before.tag_ == "CD" or before.dep_ == "det")


def _struck(cue_token: Token, weapon: Token) -> bool:
    """The weapon is what an attack verb hit ("struck Iran's air defences"), not what it used."""
    head = weapon
    while head.dep_ in ("compound", "conj", "appos") and head.head.i != cue_token.i:
        head = head.head
    return head.head.i == cue_token.i and head.dep_ in ("dobj", "nsubjpass")


def _defeats(cue_token: Token, weapons: list[Mention], owner: dict[int, int], lexicon: Lexicon) -> bool:
    """ "destroyed 40 drones": a verb of defeat is an interception only when what it defeats is a
    weapon that flies at its target (words.json 'interceptable'), not a tank or a launcher."""
    objects = [c for c in cue_token.children if c.dep_ in ("dobj", "nsubjpass")]
    objects += [
        t for o in objects for p in o.children if p.dep_ == "prep" and p.lower_ == "of" for t in p.children
    ]
    objects += [c for o in objects for c in o.conjuncts]
    wanted = lexicon.words["interceptable"]
    return any(weapons[owner[t.i]].attrs.get("category") in wanted for t in objects if t.i in owner)


def _across_lines(text: str, a: Token, b: Token) -> bool:
    """A headline and the line after it can be parsed as one sentence; they are two."""
    lo, hi = sorted((a.idx, b.idx))
    return "\n" in text[lo:hi]


def _antecedent(pronoun: Token, weapons: list[Mention], spans: dict[int, Span]) -> int | None:
    """The last weapon named before a pronoun, in its sentence or the one before."""
    sentence = pronoun.sent
    before = sentence.start - 1
    earliest = pronoun.doc[before].sent.start if before >= 0 else 0
    candidates = [i for i, span in spans.items() if earliest <= span.start and span.end <= pronoun.i]
    return max(candidates, key=lambda i: spans[i].start, default=None)


def _event(
    doc_id: str, text: str, found: Found, places: Places, dates: list[Span], lexicon: Lexicon
) -> Event | None:
    cue_token = found.cue_token
    start, sentence = _sentence(text, cue_token)
    if sentence.rstrip().endswith("?"):
        return None
    read = reading(cue_token, found.cue, found.weapon_token, lexicon)
    if read.hypothetical or _described(cue_token, found.cue):
        return None
    means = _by_instrument(found, lexicon)
    instrument, found = means is not found, means
    kind, roles = typed(found, places, lexicon)
    if not _giver_named(found, places, lexicon):
        kind, roles = _unsupplied(kind, roles)
    interceptor = instrument and kind == "interception"
    platform = _platform(found.cue_token, places) if roles.weapon_in_agent or interceptor else None
    if platform is not None and kind == "interception":
        # "its J-10C jets shot down Indian Rafales", "shot down a Kinzhal using a Patriot": the
        # interceptor too, against the target's owner.
        target = fill(found.cue_token, platform, lexicon.frames[kind], places, frozenset([platform.i]))
        roles = Roles(roles.actors, target.counterparts, roles.weapon_in_agent)
    elif roles.weapon_in_agent and (platform is not None or not (roles.actors or roles.counterparts)):
        return None
    elif roles.weapon_in_agent and found.cue.side == "give":
        # "the missiles will give Japan a new capability": a weapon gives no weapon away.
        return None
    # A participle with no country ("a missile launched from the sea") only describes the
    # weapon; a pronoun with none is too weak a guess.
    if (
        not roles.actors
        and not roles.counterparts
        and (_generic(cue_token) or found.rule != "cue_governs_weapon")
    ):
        return None
    if found.rule == "cue_compound":
        # "Australia test-fires U.S. Precision Strike Missile": who acts stands before the verb.
        before = {places.country[t] for t in range(cue_token.sent.start, cue_token.i) if t in places.country}
        roles = Roles(
            tuple(c for c in roles.actors if c in before), roles.counterparts, roles.weapon_in_agent
        )
    return _record(doc_id, found, kind, roles, read, start, sentence, dates, lexicon)


def _by_instrument(found: Found, lexicon: Lexicon) -> Found:
    """ "shot down a Kinzhal using a Patriot": a means verb under another action's cue speaks
    for that action, so the Patriot intercepts rather than is used."""
    token = found.cue_token
    if token.lemma_.lower() not in lexicon.words["instruments"] or token.dep_ not in (
        "advcl",
        "xcomp",
        "acl",
    ):
        return found
    action = cue_of(token.head, lexicon)
    if action is None or action.type == found.cue.type:
        return found
    return replace(found, cue_token=token.head, cue=action)


def _giver_named(found: Found, places: Places, lexicon: Lexicon) -> bool:
    """Whether a giving cue has a subject, a country or not ("Lockheed Martin will deliver")."""
    if found.cue.side != "give" or taking(found.cue_token, lexicon.words["taking"]):
        return False
    return agent_named(found.cue_token, places.weapons)


def _unsupplied(kind: str, roles: Roles) -> tuple[str, Roles]:
    """A receipt or purchase with no supplier named ("were delivered to Japan") is the
    receiver's acquisition, as EVENTS.md reads an order without one."""
    if kind not in ("transfer", "acquisition") or roles.actors or not roles.counterparts:
        return kind, roles
    return "acquisition", Roles(roles.counterparts, (), roles.weapon_in_agent)


def _platform(cue_token: Token, places: Places) -> Token | None:
    """The weapon a weapon subject acts on ("destroyers fired interceptors"): the subject is the
    platform and the event is about the object, but for an interception, which has both. A
    count before the object ("dozens of missiles") leads to it."""
    for obj in (c for c in cue_token.children if c.dep_ == "dobj"):
        counted = [p for c in obj.children if c.dep_ == "prep" and c.lower_ == "of" for p in c.children]
        found = next((t for t in [obj, *counted] if t.i in places.weapons), None)
        if found is not None:
            return found
    return None


def _described(cue_token: Token, cue: Cue) -> bool:
    """A relative clause in the present that deploys ("China, which fields the DF-41, ...")
    tells what a country has, not what it did; one that develops ("which it co-develops") is
    work going on."""
    return cue.type == "deployment" and cue_token.dep_ == "relcl" and cue_token.tag_ in ("VBZ", "VBP")


def _generic(cue_token: Token) -> bool:
    """A present-tense statement with no country in it speaks of a class ("air defences
    intercept drones"), not of an event."""
    verb = cue_token
    while verb.pos_ not in ("VERB", "AUX") and verb.head.i != verb.i:
        verb = verb.head
    return verb.tag_ in ("VBZ", "VBP")


def _sentence(text: str, token: Token) -> tuple[int, str]:
    """The sentence of a token, cut at line breaks as mentions' sentences are."""
    sent = token.sent
    lo = max(sent.start_char, text.rfind("\n", 0, token.idx) + 1)
    newline = text.find("\n", token.idx, sent.end_char)
    hi = sent.end_char if newline < 0 else newline
    raw = text[lo:hi]
    lead = len(raw) - len(raw.lstrip())
    return lo + lead, raw.strip()


def _record(
    doc_id: str,
    found: Found,
    kind: str,
    roles: Roles,
    read: Reading,
    start: int,
    sentence: str,
    dates: list[Span],
    lexicon: Lexicon,
) -> Event:
    price = amounts.value(sentence, lexicon) if kind in PRICED else None
    end = start + len(sentence)
    weapon, token = found.weapon, found.weapon_token
    pronoun = found.rule == "cue_pronoun"
    score = lexicon.confidence[found.rule]
    if not roles.actors and not roles.counterparts:
        score += lexicon.confidence["no_roles"]
    elif roles.actors and roles.counterparts:
        score += lexicon.confidence["both_roles"]
    return Event(
        article_id=doc_id,
        start=start,
        end=end,
        sentence=sentence,
        type=kind,
        weapon=weapon.norm or weapon.text,
        weapon_start=token.idx if pronoun else weapon.start,
        weapon_end=token.idx + len(token) if pronoun else weapon.end,
        weapon_text=token.text if pronoun else weapon.text,
        actors=roles.actors,
        counterparts=roles.counterparts,
        status=read.status,
        quantity=amounts.quantity(
            token, lexicon, found.weapon_tokens, part=found.rule != "weapon_participle"
        ),
        value_amount=price[0] if price else None,
        value_currency=price[1] if price else None,
        when=amounts.when(
            [d.text for d in dates if start <= d.start_char < end and same_clause(d.root, found.cue_token)]
        ),
        negated=read.negated,
        method=found.rule,
        cue=cue_text(found.cue_token, found.cue, lexicon),
        confidence=round(min(max(score, 0.05), 1.0), 2),
    )
