"""The base model's attribute ruler (tags to parts of speech, morphology and some lemmas), its
rules looked up by tag instead of run through spaCy's Matcher.

The model's ~180 rules are all fixed-length token patterns on TAG, LOWER, DEP and IS_SPACE. The
Matcher tries each of them at every token, which cost 11 % of the pipeline's time; looked up by
the token's tag, a token has one or two rules to check. The rules, their order and what they set
are the model's own: the matches and the annotations are the same (a test compares both on real
text). A rule of any other form makes the whole ruler use spaCy's Matcher again.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from spacy.attrs import DEP, IS_SPACE, LOWER, TAG
from spacy.language import Language
from spacy.pipeline import AttributeRuler
from spacy.tokens import Doc
from spacy.tokens._retokenize import set_token_attrs

# The attributes a rule may test, and the column of `Doc.to_array` each is read from.
COLUMNS = {"TAG": 0, "LOWER": 1, "DEP": 2, "IS_SPACE": 3}
ARRAY_ATTRS = [TAG, LOWER, DEP, IS_SPACE]
# The columns a rule is looked up by, best first: a word picks out fewer tokens than a tag.
INDEXED = ("LOWER", "TAG")

Test = Callable[[Any], bool]


@dataclass(frozen=True)
class Rule:
    """One pattern of a rule, from the token it is looked up at: `checks` are (token offset,
    column, test) for every test but the one its lookup already passed."""

    order: int  # the rule's number: later rules are applied after, so they win
    key: int  # the Matcher key spaCy would report, kept for the same sort
    size: int  # tokens in the pattern
    checks: tuple[tuple[int, int, Test], ...]


@dataclass(frozen=True)
class Lookup:
    """Rules by the word or tag value their first token must have; `rest` tests neither."""

    by_value: tuple[dict[int, tuple[Rule, ...]], ...]  # one dict per column of INDEXED
    rest: tuple[Rule, ...]


class TagIndexedAttributeRuler(AttributeRuler):
    """spaCy's `AttributeRuler` with `match` done by lookups (see the module's docstring)."""

    def clear(self) -> None:
        super().clear()
        self._lookup: Lookup | None = None
        self._stale = True

    def add(self, patterns: Any, attrs: dict[str, Any], index: int = 0) -> None:
        super().add(patterns, attrs, index)
        self._stale = True

    def _rules(self) -> Lookup | None:
        if self._stale:
            self._lookup, self._stale = _compile(self.patterns, self.vocab), False
        return self._lookup

    def match(self, doc: Doc) -> list[tuple[int, int, int, int]]:
        lookup = self._rules()
        if lookup is None:
            return super().match(doc)
        values = doc.to_array(ARRAY_ATTRS).tolist()
        length = len(values)
        found: list[tuple[int, int, int, int]] = []
        for start, row in enumerate(values):
            for rules in (
                *(by.get(row[COLUMNS[name]], ()) for by, name in zip(lookup.by_value, INDEXED, strict=True)),
                lookup.rest,
            ):
                for rule in rules:
                    end = start + rule.size
                    if end <= length and all(
                        test(values[start + offset][column]) for offset, column, test in rule.checks
                    ):
                        found.append((rule.order, rule.key, start, end))
        found.sort()
        return found

    def set_annotations(self, doc: Doc, matches: list[tuple[int, int, int, int]]) -> None:
        if self._rules() is None:
            super().set_annotations(doc, matches)
            return
        for order, _, start, end in matches:
            index = self.indices[order]
            set_token_attrs(doc[(start if index >= 0 else end) + index], self.attrs[order])


def _compile(patterns: list[dict[str, Any]], vocab: Any) -> Lookup | None:
    """Each rule filed under the values of its first token's word or else tag test; None if a
    rule has a form this lookup does not know (an operator, another attribute or predicate)."""
    filed: list[dict[int, list[Rule]]] = [{} for _ in INDEXED]
    rest: list[Rule] = []
    for order, entry in enumerate(patterns):
        key = vocab.strings.add(str(order))
        for pattern in entry["patterns"]:
            checks: list[tuple[int, int, Test]] = []
            for offset, spec in enumerate(pattern):
                if not spec:
                    return None
                for name, value in spec.items():
                    test = _test(name, value, vocab)
                    if test is None:
                        return None
                    checks.append((offset, *test))
            where = _index(pattern[0], vocab)
            if where is None:
                rest.append(Rule(order, key, len(pattern), tuple(checks)))
                continue
            slot, column, values = where
            kept = tuple(check for check in checks if check[:2] != (0, column))
            for value in values:
                filed[slot].setdefault(value, []).append(Rule(order, key, len(pattern), kept))
    by_value = tuple({value: tuple(rules) for value, rules in table.items()} for table in filed)
    return Lookup(by_value, tuple(rest))


def _index(spec: dict[str, Any], vocab: Any) -> tuple[int, int, list[int]] | None:
    """Where a rule is filed: the first INDEXED column its first token tests for equality or
    membership, and the values that pass."""
    for slot, name in enumerate(INDEXED):
        column = COLUMNS[name]
        value = spec.get(name)
        if isinstance(value, str):
            return slot, column, [vocab.strings.add(value)]
        if isinstance(value, dict) and isinstance(value.get("IN"), list):
            return slot, column, [vocab.strings.add(v) for v in value["IN"]]
    return None


def _test(name: str, value: Any, vocab: Any) -> tuple[int, Test] | None:
    if name not in COLUMNS:
        return None
    column = COLUMNS[name]
    if name == "IS_SPACE":
        return (column, partial(operator.eq, int(value))) if isinstance(value, bool) else None
    if isinstance(value, str):
        return column, partial(operator.eq, vocab.strings.add(value))
    if not isinstance(value, dict) or len(value) != 1:
        return None
    ((op, arg),) = value.items()
    if op in ("IN", "NOT_IN") and isinstance(arg, list) and all(isinstance(a, str) for a in arg):
        ids = frozenset(vocab.strings.add(a) for a in arg)
        return column, (ids.__contains__ if op == "IN" else partial(_outside, ids))
    if op == "REGEX" and isinstance(arg, str):
        return column, partial(_searched, re.compile(arg), vocab.strings)
    return None


def _outside(ids: frozenset[int], value: int) -> bool:
    return value not in ids


def _searched(regex: re.Pattern[str], strings: Any, value: int) -> bool:
    return regex.search(strings[value]) is not None


@Language.factory(
    "newsint_attribute_ruler",
    default_config={"validate": False, "scorer": {"@scorers": "spacy.attribute_ruler_scorer.v1"}},
    assigns=["token.pos", "token.morph", "token.lemma", "token.tag", "token.dep"],
)
def make_attribute_ruler(
    nlp: Language, name: str, validate: bool, scorer: Callable[..., Any] | None
) -> TagIndexedAttributeRuler:
    return TagIndexedAttributeRuler(nlp.vocab, name, validate=validate, scorer=scorer)
