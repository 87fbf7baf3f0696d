"""Find people, countries and weapons in article texts; spaCy objects stop at this module."""

from __future__ import annotations

import bisect
import calendar
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from functools import lru_cache
from itertools import groupby
from pathlib import Path
from typing import Any

import pycountry
from spacy.tokens import Doc, Span, Token

from pipeline.events import EventRules, doc_events, load_lexicon
from pipeline.nlp.build import load_pipeline, model_config
from pipeline.nlp.lines import DATELINE
from pipeline.nlp.pieces import text_pieces
from pipeline.norms.countries import Ambiguity, CountryTable, load_ambiguities, other_sense
from pipeline.norms.people import KnownPeople, clean_name, context_cues, known_people, resolve_names
from pipeline.norms.weapons import WeaponSystem, designation_norm, load_systems
from pipeline.records import Event, Mention
from pipeline.settings import Settings

# How far back a gloss's opening parenthesis is looked for.
GLOSS_REACH = 200
# "U.S.-Japan", "Sino-Russian"; and a country before a participle: "U.S.-supplied", "Iran-backed".
COMPOUND = re.compile(r"(?<![\w.-])(?:[A-Z][\w.]*[-–])+(?:[A-Z][\w.]*|[a-z]+(?=[^\w-]|$))")


@dataclass(frozen=True)
class Knowledge:
    """The data the conversion needs beside the spaCy pipeline."""

    countries: CountryTable
    systems: dict[str, WeaponSystem]
    confidence: dict[str, float]
    titles: frozenset[str]
    ambiguities: dict[str, Ambiguity]
    not_names: frozenset[str]  # words that may follow a country's name ("Jordan Armed Forces")
    function_words: frozenset[str]  # words that may come before a country's name ("In Jordan")
    people: KnownPeople
    place_before: frozenset[str]  # words after which a capital is a place ("talks in Moscow")
    place_of: frozenset[str]  # nouns that make "<noun> of <Name>" a place ("west of Damascus")
    ship_prefixes: frozenset[str]  # "USS", "HMS": a warship's name as written keeps its prefix
    place_verbs: frozenset[str]  # verbs whose object is a capital as a place ("visited Kyiv")
    motion_words: frozenset[str]  # words after which "to"/"from" a capital is a place ("flew to Kyiv")
    place_names: dict[tuple[str, str], str]  # (word, after|before) -> feature|currency


@lru_cache(maxsize=2)
def knowledge(models: Path) -> Knowledge:
    """The data of the `models` folder, read once per process and folder."""
    from pipeline.norms.tables import read_lines, read_tsv

    titles = read_lines(models / "people" / "titles.txt")
    cues = context_cues(models)
    return Knowledge(
        countries=CountryTable.load(models / "countries"),
        systems=load_systems(models / "weapons" / "systems.jsonl"),
        confidence=model_config(models)["confidence"],
        titles=frozenset(titles),
        ambiguities=load_ambiguities(models / "countries" / "ambiguous.tsv"),
        not_names=frozenset(
            [*read_lines(models / "countries" / "institution_words.txt"), *titles]
            + [m.lower() for m in calendar.month_name if m]
        ),
        function_words=frozenset(read_lines(models / "countries" / "function_words.txt")),
        people=known_people(models),
        place_before=frozenset(
            [*cues["place_before"], *read_lines(models / "countries" / "place_before_capital.txt")]
        ),
        place_of=frozenset(cues["place_of"]),
        ship_prefixes=frozenset(read_lines(models / "weapons" / "ship_prefixes.txt")),
        place_verbs=frozenset(read_lines(models / "countries" / "place_verbs.txt")),
        motion_words=frozenset(read_lines(models / "countries" / "motion_words.txt")),
        place_names={
            (row["word"], row["position"]): row["kind"]
            for row in read_tsv(models / "countries" / "place_names.tsv")
        },
    )


class Extractor:
    """The spaCy pipeline plus the data to normalise what it finds; load once, use for batches."""

    def __init__(self, model: str, models: Path, batch_size: int = 32, max_chars: int = 100_000) -> None:
        self.nlp, self.version = load_pipeline(model, models)
        self.model = model
        self.batch_size = batch_size
        self.max_chars = max_chars
        self.known = knowledge(models)
        # Built outside any memory zone: the matcher's strings must outlive each batch.
        self.rules = EventRules(self.nlp.vocab, load_lexicon(models))

    @classmethod
    def from_settings(cls, settings: Settings) -> Extractor:
        return cls(
            settings.spacy_model,
            settings.models_path,
            settings.batch_size,
            settings.nlp_max_chars,
        )

    def extract(self, items: Iterable[tuple[str, str]]) -> Iterator[tuple[str, list[Mention]]]:
        """(id, text) pairs in, (id, mentions) out, in input order."""
        for doc_id, mentions, _ in self._parse(items, events=False):
            yield doc_id, mentions

    def analyse(self, items: Iterable[tuple[str, str]]) -> Iterator[tuple[str, list[Mention], list[Event]]]:
        """(id, text) pairs in, (id, mentions, events) out, in input order: the events are read
        from the same parse as the mentions."""
        return self._parse(items, events=True)

    def _parse(
        self, items: Iterable[tuple[str, str]], events: bool
    ) -> Iterator[tuple[str, list[Mention], list[Event]]]:
        """A text over `max_chars` is parsed in pieces (`text_pieces`), its records' offsets kept
        relative to the whole text. Docs are turned into records inside a memory zone, so a long
        run does not grow spaCy's string store without bound.
        """
        pairs = list(items)
        pieces = [
            (index, offset, piece)
            for index, (_, text) in enumerate(pairs)
            for offset, piece in text_pieces(text, self.max_chars)
        ]
        with self.nlp.memory_zone():
            docs = self.nlp.pipe((p for _, _, p in pieces), batch_size=self.batch_size)
            parsed = zip(pieces, docs, strict=True)
            for index, group in groupby(parsed, key=lambda item: item[0][0]):
                doc_id = pairs[index][0]
                mentions: list[Mention] = []
                found: list[Event] = []
                for (_, offset, _), doc in group:
                    piece_mentions = doc_mentions(doc_id, doc, self.known)
                    mentions += [_shifted(m, offset) for m in piece_mentions]
                    if events:
                        found += [
                            _shifted_event(e, offset)
                            for e in doc_events(doc_id, doc, piece_mentions, self.rules)
                        ]
                yield doc_id, mentions, found


def _shifted(mention: Mention, offset: int) -> Mention:
    """A mention found in a piece, with offsets into the whole text."""
    if not offset:
        return mention
    return replace(
        mention,
        start=mention.start + offset,
        end=mention.end + offset,
        sentence_start=mention.sentence_start + offset,
    )


def _shifted_event(event: Event, offset: int) -> Event:
    """An event found in a piece, with offsets into the whole text."""
    if not offset:
        return event
    return replace(
        event,
        start=event.start + offset,
        end=event.end + offset,
        weapon_start=event.weapon_start + offset,
        weapon_end=event.weapon_end + offset,
    )


def doc_mentions(doc_id: str, doc: Doc, known: Knowledge) -> list[Mention]:
    """Every PERSON, COUNTRY and WEAPON mention of one parsed document, normalised."""
    sentences = _Sentences(doc)
    found: list[Mention] = []
    for ent in doc.ents:
        mention = _from_ent(doc_id, ent, known, sentences)
        if mention is not None:
            found.append(mention)
    # doc.text joins every token anew on each call: take it once, or the cost grows with the
    # square of the text (one call per mention).
    text = sentences.text
    found = _with_compounds(doc_id, text, found, known, sentences)
    found = _country_words_in_names(doc, found, known, sentences)
    found = _named_ships(doc_id, text, found, known, sentences)
    found = _joined_systems(text, found)
    found = [m for m in found if not _in_gloss(text, m.start)]
    found = [m for m in found if not (m.label == "COUNTRY" and _in_other_name(m, text, known))]
    found = _resolve_people(found, known)
    found = _resolve_ambiguous(found, known.countries)
    found = [m for m in found if not _other_sense(m, text, known)]
    return sorted(found, key=lambda m: (m.start, m.end, m.label))


NEXT_WORD = re.compile(r"\s+([\w'’-]+)")
OF_BEFORE = re.compile(r"(\w+)\s+of\s+$")


def _in_other_name(m: Mention, text: str, known: Knowledge) -> bool:
    """A country word in a dateline ("LONDON —"), a geographic name ("Taiwan Strait", "Gulf of
    Oman") or a currency ("Jordanian dinars"): a place or a unit, no COUNTRY mention."""
    line = text.rfind("\n", 0, m.start) + 1
    dateline = DATELINE.match(text, line)
    if dateline is not None and m.end <= dateline.end():
        return True
    after = NEXT_WORD.match(text, m.end)
    if after is not None:
        word = after.group(1)
        if known.place_names.get((word, "after")) == "feature":
            return True
        if known.place_names.get((word.lower(), "after")) == "currency":
            return True
    before = OF_BEFORE.search(text, max(0, m.start - 30), m.start)
    return before is not None and known.place_names.get((before.group(1), "before")) == "feature"


def _in_gloss(text: str, start: int) -> bool:
    """Inside "(Arabic: جبل حمرين Jabāl Hamrīn, Kurdish: Çiyayê Hemrîn)": another language's
    spelling of the name just given, not a mention of its own (the model reads such
    transliterations as people)."""
    opened = text.rfind("(", max(0, start - GLOSS_REACH), start)
    if opened < 0 or ")" in text[opened:start]:
        return False
    colon = text.find(":", opened, start)
    if colon < 0:
        return False
    words = text[opened + 1 : colon].split()
    names = _language_names()
    return 0 < len(words) <= 3 and (" ".join(words) in names or words[-1] in names)


@lru_cache(maxsize=1)
def _language_names() -> frozenset[str]:
    """Names of the ISO 639-1 languages (pycountry), whole and by their last word ("Modern
    Greek", "Greek"): the obscure ISO 639-3 ones include words such as "Even" and "Day"."""
    names = {re.sub(r"\s*\(.*\)", "", lang.name) for lang in pycountry.languages if hasattr(lang, "alpha_2")}
    return frozenset(names | {name.split()[-1] for name in names})


def _other_sense(mention: Mention, text: str, known: Knowledge) -> bool:
    """'Georgia' the US state, 'Jordan' in a person's name: not a mention of the country."""
    ambiguity = known.ambiguities.get(mention.text) if mention.label == "COUNTRY" else None
    return ambiguity is not None and other_sense(
        ambiguity, text, mention.start, mention.end, known.function_words, known.not_names
    )


def _from_ent(doc_id: str, ent: Span, known: Knowledge, sentences: _Sentences) -> Mention | None:
    method, key, kind = [*ent.id_.split("|"), "", "", ""][:3] if ent.id_ else ("model", "", "")
    conf = known.confidence
    if ent.label_ == "COUNTRY":
        if kind == "capital" and not _is_metonym(ent, known):
            return None
        score = conf["capital"] if kind == "capital" else conf.get(f"gazetteer_{kind}", 0.85)
        return _mention(doc_id, ent, "COUNTRY", key or None, method, kind, score, sentences)
    if ent.label_ == "WEAPON":
        if method == "pattern" and kind.startswith("="):  # a designation or a ship's name
            norm = designation_norm(ent[0].text) if kind == "=designation" else ent.text
            return _mention(
                doc_id,
                ent,
                "WEAPON",
                norm,
                "pattern",
                kind[1:],
                conf["pattern"],
                sentences,
                {"category": key},
            )
        if method == "pattern":
            attrs = {"category": key}
            return _mention(
                doc_id, ent, "WEAPON", kind, "pattern", "generic", conf["pattern"], sentences, attrs
            )
        system = known.systems[key]
        attrs = {
            "category": system.category,
            "origin": system.origin,
            "weapon_id": system.id,
            **system.attributes(),
        }
        return _mention(
            doc_id,
            ent,
            "WEAPON",
            system.name,
            "gazetteer",
            kind,
            conf[f"gazetteer_{kind}"],
            sentences,
            attrs,
        )
    if ent.label_ == "PERSON":
        return _person(doc_id, ent, known, sentences, method, key)
    if ent.label_ in ("GPE", "NORP"):
        form = known.countries.lookup(ent.text)
        if form is not None and form.code and form.kind != "capital":
            return _mention(
                doc_id,
                ent,
                "COUNTRY",
                form.code,
                "model",
                form.kind,
                conf["model_country"],
                sentences,
            )
    return None


def _person(
    doc_id: str, ent: Span, known: Knowledge, sentences: _Sentences, method: str, rule: str
) -> Mention | None:
    tokens = list(ent)
    while tokens and (tokens[0].lower_ in known.titles or tokens[0].is_punct):
        tokens = tokens[1:]
    if not tokens:
        return None
    span = ent.doc[tokens[0].i : tokens[-1].i + 1]
    name = clean_name(span.text)
    if not any(ch.isupper() for ch in name) or any(ch.isdigit() for ch in name):
        return None
    if known.countries.lookup(name) is not None:
        return None
    attrs = _role(ent.doc, span.start, known)
    if method == "rule":
        attrs["rule"] = rule
    prior = {"rule": "rule_person", "gazetteer": "gazetteer_person"}.get(method, "model_person")
    score = known.confidence[prior]
    return _person_mention(doc_id, span.start_char, name, method, score, sentences, attrs)


def _person_mention(
    doc_id: str,
    start: int,
    name: str,
    method: str,
    score: float,
    sentences: _Sentences,
    attrs: dict[str, Any],
) -> Mention:
    """A PERSON mention whose text is its norm until the article's names are resolved."""
    sentence, sentence_start = sentences.at(start)
    return Mention(
        doc_id,
        start,
        start + len(name),
        name,
        "PERSON",
        name,
        method,
        None,
        score,
        sentence,
        sentence_start,
        attrs,
    )


def _role(doc: Doc, start: int, known: Knowledge) -> dict[str, Any]:
    """Role and affiliated country from the titles and country just before a name."""
    roles: list[str] = []
    country = None
    i = start - 1
    while i >= 0:
        token = doc[i]
        if token.ent_type_ == "ROLE":
            roles.insert(0, token.text)
        elif token.ent_type_ == "COUNTRY" and roles:
            parts = token.ent_id_.split("|")  # "gazetteer|JPN|adjective"
            country = parts[1] if len(parts) > 1 and parts[1] else None
            break
        elif token.lower_ in known.titles and token.is_title:
            roles.insert(0, token.text)
        else:
            break
        i -= 1
    attrs: dict[str, Any] = {}
    if roles:
        attrs["role"] = " ".join(roles).replace(" - ", "-")
    if country:
        attrs["role_country"] = country
    return attrs


def _is_metonym(ent: Span, known: Knowledge) -> bool:
    """A capital stands for its government unless it is a place: the object of a place
    preposition ("in Moscow"), of a place noun ("west of Damascus", "a district of Baghdad"), or
    the town after a neighbourhood ("Karrada, Baghdad")."""
    root = ent.root
    if root.dep_ == "pobj" and root.head.lower_ in known.place_before:
        return False
    if ent.start > 0 and ent.doc[ent.start - 1].lower_ in known.place_before:
        return False  # "the Yemeni capital Sanaa"
    if root.dep_ == "dobj" and root.head.lemma_.lower() in known.place_verbs:
        return False  # "visited Kyiv", "shelled Kyiv"
    to_from = root.dep_ == "pobj" and root.head.lower_ in {"to", "from"}
    if to_from and root.head.head.lemma_.lower() in known.motion_words:
        return False  # "flew to Kyiv", "a trip to Beijing"; but "arms sales to Taipei" is a party
    if root.dep_ == "poss" and root.head.lemma_.lower() in known.place_of:
        return False  # "Baghdad's Karrada neighbourhood"
    if root.dep_ == "pobj" and root.head.lower_ == "of" and root.head.head.lemma_.lower() in known.place_of:
        return False
    after_comma = ent.start > 0 and ent.doc[ent.start - 1].text == ","
    if root.dep_ == "appos" and root.head.pos_ == "PROPN" and after_comma:
        return False
    if root.dep_ == "compound":
        return False
    return root.dep_ in {"nsubj", "nsubjpass", "poss", "conj", "pobj", "dobj", "agent", "appos"}


def _with_compounds(
    doc_id: str, text: str, found: list[Mention], known: Knowledge, sentences: _Sentences
) -> list[Mention]:
    """'U.S.-Japan', 'Sino-Russian': one COUNTRY mention per part, replacing partial matches."""
    compounds: list[Mention] = []
    spans: list[tuple[int, int]] = []
    for match in COMPOUND.finditer(text):
        word = match.group().rstrip(".") if not match.group().endswith("S.") else match.group()
        cut = max(word.rfind("-"), word.rfind("–"))
        if word[cut + 1 : cut + 2].islower():  # "U.S.-supplied": the parts before the participle
            word = word[:cut]
            parts = known.countries.split_compound(word, single=True)
        else:
            parts = known.countries.split_compound(word)
        if parts is None:
            continue
        lo = match.start()
        spans.append((lo, lo + len(word)))
        sentence, sentence_start = sentences.at(lo)
        for start, end, form in parts:
            compounds.append(
                Mention(
                    doc_id,
                    lo + start,
                    lo + end,
                    word[start:end],
                    "COUNTRY",
                    form.code,
                    "gazetteer",
                    "compound",
                    known.confidence["compound"],
                    sentence,
                    sentence_start,
                )
            )
    if not spans:
        return found
    # A compound replaces the partial COUNTRY matches inside it; compounds never overlap each other.
    starts = [lo for lo, _ in spans]

    def inside_compound(m: Mention) -> bool:
        at = bisect.bisect_right(starts, m.end - 1) - 1  # the last compound starting before m ends
        return at >= 0 and m.start < spans[at][1]

    return [m for m in found if not (m.label == "COUNTRY" and inside_compound(m))] + compounds


# A hull number in brackets right after a ship's name: "USS Hopper (DDG 70)", "HMS Ocean (L 12)".
HULL_AFTER = re.compile(r"\s*\(\s*([A-Z]{1,4}[ -]?\d{1,4})\s*\)")


def _named_ships(
    doc_id: str, text: str, found: list[Mention], known: Knowledge, sentences: _Sentences
) -> list[Mention]:
    """A warship's norm is its name with its prefix, as the text gives it ("FS Forbin" for a later
    "Forbin"), and the hull number in brackets after a name is that ship too."""
    full = {}
    for m in found:
        if m.label == "WEAPON" and m.text.split(" ", 1)[0] in known.ship_prefixes and " " in m.text:
            name = _ship_name(m.text)
            full.setdefault(name.split(" ", 1)[1], name)
    if not full:
        return found
    ships = {name for name in full.values()}
    at = {(m.start, m.end): i for i, m in enumerate(found)}
    out = list(found)
    for i, m in enumerate(found):
        if m.label != "WEAPON":
            continue
        as_written = _ship_name(m.text)
        name = as_written if as_written in ships else full.get(m.text)
        if name is None:
            continue
        out[i] = replace(m, norm=name, kind="ship")
        hull = HULL_AFTER.match(text, m.end)
        if hull is None:
            continue
        start, end = hull.span(1)
        sentence, sentence_start = sentences.at(start)
        attrs = {"category": "naval", "hull": hull.group(1)}
        number = Mention(
            doc_id,
            start,
            end,
            text[start:end],
            "WEAPON",
            name,
            "pattern",
            "hull",
            m.confidence,
            sentence,
            sentence_start,
            attrs,
        )
        if (start, end) in at:
            out[at[(start, end)]] = number
        else:
            out.append(number)
    return out


def _country_words_in_names(
    doc: Doc, found: list[Mention], known: Knowledge, sentences: _Sentences
) -> list[Mention]:
    """'Jordan Peterson', 'Chad Johnson', 'Michael Jordan': a country's name that is also a personal
    name, next to a proper noun, is part of a person's name (the gazetteer took it first)."""
    out = list(found)
    for m in found:
        ambiguity = known.ambiguities.get(m.text) if m.label == "COUNTRY" else None
        if ambiguity is None or ambiguity.other_sense != "personal name":
            continue
        span = doc.char_span(m.start, m.end)
        if span is None:
            continue
        after = doc[span.end] if span.end < len(doc) else None
        before = doc[span.start - 1] if span.start > 0 else None
        if after is not None and _name_word(after, known):
            start, end = span.start, span.end + 1
        elif before is not None and _name_word(before, known):
            start, end = span.start - 1, span.end
        else:
            continue
        person = next((p for p in out if p.label == "PERSON" and p.start <= doc[end - 1].idx < p.end), None)
        if person is None:
            person = next((p for p in out if p.label == "PERSON" and p.start <= doc[start].idx < p.end), None)
        lo = min(doc[start].idx, person.start if person else m.start)
        hi = max(doc[end - 1].idx + len(doc[end - 1]), person.end if person else m.end)
        name = sentences.text[lo:hi]
        out = [x for x in out if x is not m and x is not person]
        attrs = person.attrs if person else {"rule": "country_word"}
        method = person.method if person else "rule"
        score = person.confidence if person else known.confidence["rule_person"]
        out.append(_person_mention(m.article_id, lo, name, method, score, sentences, attrs))
    return out


def _name_word(token: Token, known: Knowledge) -> bool:
    """A proper noun that can stand beside a first or last name."""
    return (
        token.pos_ == "PROPN"
        and token.is_title
        and token.ent_type_ not in ("COUNTRY", "WEAPON", "ROLE")
        and token.lower_ not in known.function_words
        and token.lower_ not in known.not_names
    )


def _ship_name(text: str) -> str:
    """'USS Carney destroyer' -> 'USS Carney': the name without the type words that follow it."""
    words = text.split(" ")
    while len(words) > 2 and words[-1][:1].islower():
        words.pop()
    return " ".join(words)


def _joined_systems(text: str, found: list[Mention]) -> list[Mention]:
    """'KC-135R' + 'Stratotanker', each a form of one system, side by side: one mention."""
    out: list[Mention] = []
    for m in sorted(found, key=lambda m: (m.start, m.end)):
        prev = next((p for p in reversed(out) if p.label == "WEAPON"), None)
        same = prev is not None and m.label == "WEAPON" and m.attrs.get("weapon_id")
        if (
            same
            and prev.attrs.get("weapon_id") == m.attrs["weapon_id"]
            and not text[prev.end : m.start].strip()
        ):
            out[out.index(prev)] = replace(prev, end=m.end, text=text[prev.start : m.end])
            continue
        out.append(m)
    return out


def _resolve_people(found: list[Mention], known: Knowledge) -> list[Mention]:
    people = [m for m in found if m.label == "PERSON"]
    names = resolve_names(m.text for m in people)
    out = []
    for m in found:
        if m.label == "PERSON":
            full, how = names[clean_name(m.text)]
            score = known.confidence["model_person_resolved"] if how == "short_form" else m.confidence
            person = known.people.lookup(full)
            attrs = m.attrs
            if person is not None:
                # The norm is the article's own fullest name, as the article gives it; who a form
                # stands for ("Assad" -> Bashar al-Assad) is an attribute the warehouse joins on.
                attrs = {**attrs, "known_as": person.name}
                if person.country and "country" not in attrs:
                    attrs["country"] = person.country
                score = max(score, known.confidence["gazetteer_person"])
            m = replace(m, norm=full, kind=how, confidence=score, attrs=attrs)
        out.append(m)
    return out


def _resolve_ambiguous(found: list[Mention], countries: CountryTable) -> list[Mention]:
    """'Korea' or 'Congo' alone: the one of the pair the article names elsewhere, else unresolved."""
    codes = {m.norm for m in found if m.label == "COUNTRY" and m.norm}
    out = []
    for m in found:
        if m.label == "COUNTRY" and m.norm is None:
            named = [c for c in countries.states(m.text) if c in codes]
            if len(named) == 1:
                m = replace(m, norm=named[0], kind="context")
        out.append(m)
    return out


def _mention(
    doc_id: str,
    ent: Span,
    label: str,
    norm: str | None,
    method: str,
    kind: str | None,
    confidence: float,
    sentences: _Sentences,
    attrs: dict[str, Any] | None = None,
) -> Mention:
    sentence, sentence_start = sentences.at(ent.start_char)
    return Mention(
        doc_id,
        ent.start_char,
        ent.end_char,
        ent.text,
        label,
        norm,
        method,
        kind,
        confidence,
        sentence,
        sentence_start,
        attrs or {},
    )


class _Sentences:
    """Sentence text and offset for any character position of a doc.

    The parser's sentences are cut again at line breaks and after a dateline, so a headline, a
    dateline and the first sentence are three pieces of evidence, not one."""

    def __init__(self, doc: Doc) -> None:
        self.text = doc.text
        self.spans = [piece for s in doc.sents for piece in _pieces(self.text, s.start_char, s.end_char)]
        self.starts = [start for start, _ in self.spans]

    def at(self, char: int) -> tuple[str, int]:
        index = max(bisect.bisect_right(self.starts, char) - 1, 0)
        start, end = self.spans[index]
        return self.text[start:end].strip(), start


def _pieces(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """(start, end) of the lines of text[start:end], a leading dateline apart."""
    at = start
    while at < end:
        stop = text.find("\n", at, end)
        stop = end if stop < 0 else stop
        if text[at:stop].strip():
            line_start = at == 0 or text[at - 1] == "\n"
            dateline = DATELINE.match(text, at, stop) if line_start else None
            if dateline is not None and dateline.end() < stop and text[dateline.end() : stop].strip():
                yield at, dateline.end()
                at = dateline.end()
            yield at, stop
        at = stop + 1
    if start == end:
        yield start, end
