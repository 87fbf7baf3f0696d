"""An event's type from its cue and the sentence around it, and the roles that type's frame
reads: a launch is a test or a use, a sending a transfer or a deployment, a purchase a transfer
once a supplier is named."""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Token

from pipeline.events.lexicon import Cue, Lexicon
from pipeline.events.places import Places
from pipeline.events.roles import Roles, fill, taking
from pipeline.records import Mention


@dataclass(frozen=True, slots=True)
class Found:
    """A cue and the weapon it speaks of, before the event is read."""

    rule: str
    cue_token: Token
    cue: Cue
    weapon: Mention
    weapon_token: Token  # the weapon phrase's head, or the pronoun standing for it
    weapon_tokens: frozenset[int]
    steps: int
    target: Token | None = None  # a flying weapon a launch is aimed at: the launch intercepts it


def typed(found: Found, places: Places, lexicon: Lexicon) -> tuple[str, Roles]:
    """The event's type and roles: a launch aimed at a target (or a country) is a use, at a
    test ground a test, without either a test unless the sentence speaks of an attack;
    munitions delivered or deployed against a target are used; a weapon sent to no recipient
    but near a place is deployed; a purchase with a named supplier is a transfer, and of the
    parties to a contract the maker supplies."""
    cue, frames = found.cue, lexicon.frames

    def roles_as(frame: str) -> Roles:
        return fill(found.cue_token, found.weapon_token, frames[frame], places, found.weapon_tokens)

    if cue.type.endswith("|deployment"):
        first = cue.type.split("|")[0]
        roles = roles_as(first)
        if roles.counterparts or not _placed(found.cue_token, found.weapon_token, lexicon):
            return first, roles
        return "deployment", roles_as("deployment")
    if found.target is not None:
        target = found.target
        return "interception", fill(
            found.cue_token, target, frames["interception"], places, frozenset([target.i])
        )
    if "|" in cue.type:
        first, second = cue.type.split("|")
        roles = roles_as("use")
        fired = {first, second} == {"test", "use"}
        if fired and _aimed(found.cue_token, found.weapon_token, lexicon, "test_grounds"):
            return "test", roles_as("test")
        if _aimed(found.cue_token, found.weapon_token, lexicon) or (fired and roles.counterparts):
            return "use", roles
        kind = _by_context(first, second, found.cue_token, lexicon) if fired else first
        return kind, roles if kind == "use" else roles_as(kind)
    if cue.type == "deployment" and _aimed(found.cue_token, found.weapon_token, lexicon, "against"):
        return "use", roles_as("use")
    take = cue.side == "take" or (cue.type == "transfer" and taking(found.cue_token, lexicon.words["taking"]))
    if not take:
        return cue.type, roles_as(cue.type)
    roles = roles_as("take")
    if cue.pos == "NOUN":
        roles = _maker_supplies(roles, found.weapon)
    return ("transfer" if roles.actors else cue.type), roles


def _maker_supplies(roles: Roles, weapon: Mention) -> Roles:
    """ "South Korea and Poland signed a contract for K2 tanks": of the parties to a purchase,
    the one that makes the weapon (the gazetteer's origin) is the supplier."""
    origin = weapon.attrs.get("origin")
    if roles.actors or len(roles.counterparts) < 2 or origin not in roles.counterparts:
        return roles
    rest = tuple(c for c in roles.counterparts if c != origin)
    return Roles((origin,), rest, roles.weapon_in_agent)


def _aimed(cue_token: Token, weapon: Token, lexicon: Lexicon, at: str = "targets") -> bool:
    """A launch at something ("at Kharkiv", "munitions against ISIL targets") is an attack, but
    one at a test ground ("at the Woomera range") a test: `at` says which is asked for, or
    "against" alone."""
    holders = [cue_token, weapon, *weapon.conjuncts]
    if weapon.head.i != cue_token.i:
        holders.append(weapon.head)
    preps = [c for h in holders for c in h.children if c.dep_ == "prep"]
    if at == "against":
        return any(p.lower_ == "against" for p in preps)
    grounds = lexicon.words["test_grounds"]
    aimed = [
        any(o.dep_ == "pobj" and o.lemma_.lower() in grounds for o in p.children)
        for p in preps
        if p.lower_ in lexicon.words["target_preps"]
    ]
    return any(aimed) if at == "test_grounds" else not all(aimed) if aimed else False


def _placed(cue_token: Token, weapon: Token, lexicon: Lexicon) -> bool:
    """Sent somewhere rather than to someone ("sent warships near Taiwan", "close to the island")."""
    holders = [cue_token, weapon, *weapon.conjuncts]
    words = lexicon.words["placing"]
    children = [c for h in holders for c in h.children]
    # "send a carrier to the Red Sea": to a place that is no country.
    seas = [o for c in children if c.lower_ == "to" for o in c.children if o.ent_type_ in ("LOC", "FAC")]
    return bool(seas) or any(c.dep_ in ("prep", "advmod") and c.lower_ in words for c in children)


def _by_context(default: str, other: str, cue_token: Token, lexicon: Lexicon) -> str:
    """The second reading when only it has a word for it in the sentence; names do not count
    ("Sea Viper" is no sea)."""
    said = {
        lexicon.context[t.lemma_.lower()]
        for t in cue_token.sent
        if t.pos_ != "PROPN" and t.lemma_.lower() in lexicon.context
    }
    return other if other in said and default not in said else default
