"""Our spaCy components, registered by import (the built pipeline names them in its config)."""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

PHRASE_POS = frozenset({"ADJ", "NOUN", "PROPN", "VERB", "NUM"})
MODIFIER_DEPS = frozenset({"amod", "compound", "nmod", "npadvmod", "nummod", "advmod", "punct"})


class WeaponPhrases:
    """Generic weapon phrases from the tagger and parser: a head ('missile') and its modifiers.

    Runs before `ner`, so the model cannot take a weapon phrase for a PERSON. A phrase right after
    a named system ('Patriot' + 'missile system') extends that system's span instead.
    """

    def __init__(self, heads: list[list[str]], stop_modifiers: list[str]) -> None:
        self.heads = {tuple(h[0].split()): (h[1], h[2] == "yes") for h in heads}
        self.longest = max((len(k) for k in self.heads), default=1)
        self.stop = frozenset(stop_modifiers)

    def __call__(self, doc: Doc) -> Doc:
        ents = list(doc.ents)
        owner = {i: e for e in ents for i in range(e.start, e.end)}
        found: list[Span] = []
        for token in doc:
            if token.pos_ not in ("NOUN", "PROPN") or token.i in owner:
                continue
            if token.dep_ == "compound" and token.head.i > token.i:
                continue  # a modifier of a larger noun: "missile" in "missile defence technology"
            match = self._head_at(doc, token.i, owner)
            if match is None:
                continue
            head_start, lemmas, category, bare = match
            start = self._modifiers_start(doc, head_start, owner)
            if start == head_start and not bare:
                continue
            named = owner.get(start - 1)
            if named is not None and named.label_ == "WEAPON" and start > 0:
                ents.remove(named)
                found.append(Span(doc, named.start, token.i + 1, "WEAPON", span_id=named.id_))
                continue
            modifiers = [t.text for t in doc[start:head_start]]
            norm = " ".join([*(m.lower() for m in modifiers), *lemmas]).replace(" - ", "-")
            found.append(Span(doc, start, token.i + 1, "WEAPON", span_id=f"pattern|{category}|{norm}"))
        doc.ents = filter_spans(ents + found)
        return doc

    def _head_at(
        self, doc: Doc, end: int, owner: dict[int, Span]
    ) -> tuple[int, tuple[str, ...], str, bool] | None:
        for size in range(min(self.longest, end + 1), 0, -1):
            start = end - size + 1
            if any(i in owner for i in range(start, end + 1)):
                continue
            lemmas = tuple(doc[i].lemma_.lower() for i in range(start, end + 1))
            if lemmas in self.heads:
                category, bare = self.heads[lemmas]
                return start, lemmas, category, bare
        return None

    def _modifiers_start(self, doc: Doc, head_start: int, owner: dict[int, Span]) -> int:
        start = head_start
        while start > 0 and not doc[start].is_sent_start:
            prev = doc[start - 1]
            if prev.i in owner and owner[prev.i].label_ != "WEAPON":
                break
            if prev.i in owner:  # a named weapon: the caller merges
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


@Language.factory(
    "newsint_weapon_phrases",
    default_config={"heads": [], "stop_modifiers": []},
)
def make_weapon_phrases(
    nlp: Language, name: str, heads: list[list[str]], stop_modifiers: list[str]
) -> WeaponPhrases:
    return WeaponPhrases(heads, stop_modifiers)
